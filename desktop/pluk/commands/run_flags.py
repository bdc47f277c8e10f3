"""The run-option flags that `pluk extract` and `pluk dragon run` share, and the one RunOptions
they build; the bounds are RunOptions' own, refused here as a flag's error."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from pluk.core.errors import PlukError
from pluk.core.options import (ContextOptions, DecodingOptions, HardwareOptions, ReadingOptions,
                               RunOptions)

# Option -> the flag that sets it, for error messages.
FLAGS = {"limit": "--limit", "ctx_cap": "--ctx", "n_threads": "--threads",
         "n_gpu_layers": "--gpu-layers", "temperature": "--temperature", "seed": "--seed",
         "time_limit": "--time-limit"}


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """--ctx, --threads, --gpu-layers, --temperature, --seed, --time-limit (--limit, whose help
    differs, is each command's own)."""
    parser.add_argument("--ctx", type=int, default=8192, metavar="N",
                        help="upper limit of the context size in tokens (default 8192); the "
                             "context is fitted to the longest report below it")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="CPU threads (default: the physical cores)")
    parser.add_argument("--gpu-layers", type=int, default=0, metavar="N",
                        help="layers to offload to the GPU (default 0; -1 for all)")
    parser.add_argument("--temperature", type=float, default=0.0,
                        help="sampling temperature (default 0: the most probable answer)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--time-limit", type=float, default=300.0, metavar="SECONDS",
                        help="most seconds one report's answer may take (0: no limit; default "
                             "300); an answer stopped there is an invalid record that says so")


def run_options(args: argparse.Namespace) -> RunOptions:
    """The RunOptions the parsed flags ask for."""
    try:
        return RunOptions(
            reading=ReadingOptions(limit=args.limit),
            context=ContextOptions(ctx_cap=args.ctx),
            # 0 threads, like 0 seconds, means the default (as in the settings dialog).
            hardware=HardwareOptions(n_threads=args.threads or None,
                                     n_gpu_layers=args.gpu_layers),
            decoding=DecodingOptions(temperature=args.temperature, seed=args.seed,
                                     time_limit=args.time_limit or None,
                                     reuse_prefix=not getattr(args, "no_prefix_reuse", False)))
    except ValidationError as exc:
        problems = [f"{FLAGS.get(str(e['loc'][-1]), e['loc'][-1])}: {e['msg']}"
                    for e in exc.errors()]
        raise PlukError("; ".join(problems)) from None
