"""The model manager: the catalogue of recommended models, the installed-model store, downloads
from the Hugging Face Hub (or a mirror), import of local GGUF files, offline model packs, and the
hardware-fit advisor.

Modules: catalogue (the curated list), store (what is installed, and resolving a model spec to a
file), download (the one place that touches the network), importer, pack, hardware, offline,
bundle (models an offline installer ships), gguf_info (a GGUF's metadata without loading it)
and random_model (tiny random-weight GGUFs for tests and the self-test).
Import the submodules directly; this package imports nothing heavy on its own.
"""
