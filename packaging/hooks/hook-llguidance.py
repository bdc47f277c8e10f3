"""PyInstaller hook for llguidance (the grammar masks of Pluk's decoder).

llguidance's `__version__` is read from its installed distribution's metadata, which PyInstaller
does not copy by itself: without it the frozen self-test failed with "No package metadata was
found for llguidance". The compiled extension (`llguidance._lib`) is found by the import
analysis; only the metadata is declared here.
"""

from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("llguidance")
