"""`pluk inspect-model`: what a GGUF file says about itself, and its sha256. A file that
contradicts itself, or that llama.cpp crashes on (load_probe), is refused with the reason."""

from __future__ import annotations

import json
import sys

from pluk.core.models.gguf_info import file_sha256, read_gguf_info
from pluk.core.models.load_probe import check_loads


def register(subparsers) -> None:
    p = subparsers.add_parser("inspect-model", help="show a GGUF model's metadata and sha256")
    p.add_argument("model", metavar="FILE.gguf")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _hash_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rhashing {100 * done // max(total, 1)}%")
        if done == total:
            sys.stderr.write("\n")


def run(args) -> int:
    info = read_gguf_info(args.model)
    sha = file_sha256(args.model, _hash_progress)
    probe = check_loads(args.model, sha)
    facts = {
        "file": info.path,
        "size_bytes": info.size_bytes,
        "architecture": info.architecture,
        "name": info.name,
        "parameters": info.parameters,
        "quantization": info.quantization,
        "context_length": info.context_length,
        "vocabulary": info.n_vocab,
        "chat_template": info.has_chat_template,
        "sha256": sha,
        # How this computer's engine runs it: the default way, or the load probe's fallback.
        "engine": probe.fallback_text() or "llama.cpp's default way",
    }
    if args.json:
        print(json.dumps(facts, indent=2))
    else:
        for key, value in facts.items():
            print(f"{key:15} {value}")
    return 0
