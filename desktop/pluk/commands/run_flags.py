"""The run-option flags that `pluk extract` and `pluk dragon run` share, and the one RunOptions
they build; the bounds are RunOptions' own, refused here as a flag's error."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from pluk.core.errors import PlukError
from pluk.core.options import (ContextOptions, DecodingOptions, HardwareOptions, PrivacyOptions,
                               ReadingOptions, RunOptions, ServerOptions)

# Option -> the flag that sets it, for error messages.
FLAGS = {"passes": "--passes", "limit": "--limit", "ctx_cap": "--ctx", "n_threads": "--threads",
         "n_threads_batch": "--threads-batch", "parallel": "--parallel",
         "n_gpu_layers": "--gpu-layers", "temperature": "--temperature", "seed": "--seed",
         "time_limit": "--time-limit", "url": "--server", "model": "--server-model",
         "concurrency": "--concurrency", "timeout_s": "--server-timeout",
         "retries": "--retries", "thinking_budget": "--thinking-budget"}


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """--ctx, --long-reports, --threads, --threads-batch, --parallel, --gpu-layers, --temperature, --seed,
    --time-limit (--limit, whose help differs, is each command's own)."""
    parser.add_argument("--ctx", type=int, default=8192, metavar="N",
                        help="upper limit of the context size in tokens (default 8192); the "
                             "context is fitted to the longest report below it")
    parser.add_argument("--long-reports", choices=("split", "truncate", "error"),
                        help="a report longer than the context: read it in overlapping "
                             "sections and merge their answers, cut it to fit (with a "
                             "warning), or make it an error record (default: as the task "
                             "says; a task that says nothing splits)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="CPU threads for generating (default: the physical cores but one, "
                             "so other programs do not stall the run)")
    parser.add_argument("--threads-batch", type=int, metavar="N",
                        help="CPU threads for reading prompts and for several answers at once "
                             "(default: as --threads)")
    parser.add_argument("--parallel", type=int, metavar="N",
                        help="reports decoded at once (default: 1 on the CPU; with layers on a "
                             "GPU as many as its free memory holds, up to 64); each needs the "
                             "context's memory again")
    parser.add_argument("--mix-prompts", action=argparse.BooleanOptionalAction, default=None,
                        help="decode new reports' prompts in the same batch as the answers "
                             "(default: on a GPU only; on the CPU an answer then depends on "
                             "what runs beside it)")
    parser.add_argument("--kv-unified", action=argparse.BooleanOptionalAction, default=None,
                        help="one KV cache for all reports, the prompt prefix held once "
                             "(default: on a GPU only)")
    parser.add_argument("--gpu-layers", type=int, default=0, metavar="N",
                        help="layers to offload to the GPU (default 0; -1 for all)")
    parser.add_argument("--temperature", type=float, default=0.0,
                        help="sampling temperature (default 0: the most probable answer)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--time-limit", type=float, default=300.0, metavar="SECONDS",
                        help="most seconds one report's answer may take (0: no limit; default "
                             "300); an answer stopped there is an invalid record that says so")
    parser.add_argument("--thinking-budget", type=int, metavar="N",
                        help="a thinking model (DeepSeek-R1, Qwen3, gpt-oss) thinks up to N "
                             "tokens before its answer, then the block is closed and the answer "
                             "constrained (0: no thinking; default: the task's, else 1024 on a "
                             "thinking model); thinking tokens count apart from the answer's")
    parser.add_argument("--thinking-retry", action="store_true",
                        help="an answer that thinking left unfinished (time limit, nothing "
                             "after thinking, answer cut off) is tried once more with half the "
                             "thinking budget; the record says so")
    parser.add_argument("--passes", type=int, default=1, metavar="N",
                        help="answer each report N times (the first as --temperature says, the "
                             "others sampled) and keep per field the value most answers gave, "
                             "with its agreement k of N in the record and the exports "
                             "(default 1)")
    parser.add_argument("--pseudonymise", action=argparse.BooleanOptionalAction, default=None,
                        help="replace names, places, dates, BSN, phone numbers and other "
                             "identifiers by placeholders ([PATIENT], [PERSOON-1], ...) before "
                             "the model sees a report (deduce); on by default with --server, "
                             "where --no-pseudonymise is recorded in the manifest")
    add_server_flags(parser)


def add_server_flags(parser: argparse.ArgumentParser) -> None:
    """--server URL and its companions: an OpenAI-compatible inference server answers in place
    of --model."""
    group = parser.add_argument_group(
        "inference server", "answer with an OpenAI-compatible server (llama-server, vLLM, "
        "llama-cpp-python) instead of a local model; the reports go to that server only")
    group.add_argument("--server", metavar="URL",
                       help="the server's base URL, e.g. https://llm.hospital.nl:8080")
    group.add_argument("--server-model", metavar="NAME",
                       help="the served model to use (default: the first the server lists)")
    group.add_argument("--concurrency", type=int, metavar="N",
                       help="requests in flight at once (default: the server's slot count "
                            "where it reports one, else 4; 1 for llama-cpp-python's server)")
    group.add_argument("--server-timeout", type=float, default=300.0, metavar="SECONDS",
                       help="seconds to wait for one answer (default 300)")
    group.add_argument("--retries", type=int, default=3, metavar="N",
                       help="retries of a refused connection, a 429 or a 503, with backoff "
                            "(default 3)")
    group.add_argument("--ca-bundle", metavar="FILE",
                       help="CA certificates (PEM) that sign the server's TLS certificate "
                            "(default: the system's certificate store)")
    group.add_argument("--api-key-env", metavar="NAME",
                       help="the environment variable that holds the server's API key")
    group.add_argument("--api-key-keyring", action="store_true",
                       help="read the API key from the OS keyring (service 'pluk', user the "
                            "server's scheme://host:port)")


def run_options(args: argparse.Namespace) -> RunOptions:
    """The RunOptions the parsed flags ask for."""
    try:
        server = None
        if getattr(args, "server", None):
            server = ServerOptions(url=args.server, model=args.server_model,
                                   concurrency=args.concurrency, timeout_s=args.server_timeout,
                                   retries=args.retries, ca_bundle=args.ca_bundle,
                                   api_key_env=args.api_key_env,
                                   api_key_keyring=args.api_key_keyring)
            from pluk.core.engine.server_http import check_url

            check_url(server.url)  # 99999 or 'abc' as the port: one sentence, before the run
        elif getattr(args, "server_model", None) or getattr(args, "concurrency", None):
            raise PlukError("--server-model and --concurrency need --server URL")
        return RunOptions(
            server=server,
            reading=ReadingOptions(limit=args.limit,
                                   group_by=getattr(args, "group_by", None) or None),
            context=ContextOptions(ctx_cap=args.ctx,
                                   long_reports=getattr(args, "long_reports", None)),
            # 0 threads, like 0 seconds, means the default (as in the settings dialog).
            hardware=HardwareOptions(n_threads=args.threads or None,
                                     n_threads_batch=args.threads_batch or None,
                                     parallel=args.parallel or None,
                                     n_gpu_layers=args.gpu_layers,
                                     mix_prompts=getattr(args, "mix_prompts", None),
                                     kv_unified=getattr(args, "kv_unified", None)),
            decoding=DecodingOptions(temperature=args.temperature, seed=args.seed,
                                     time_limit=args.time_limit or None,
                                     thinking_budget=getattr(args, "thinking_budget", None),
                                     thinking_retry=getattr(args, "thinking_retry", False),
                                     passes=getattr(args, "passes", 1)),
            privacy=PrivacyOptions(pseudonymise=getattr(args, "pseudonymise", None)))
    except ValidationError as exc:
        problems = [f"{FLAGS.get(str(e['loc'][-1]), e['loc'][-1])}: {e['msg']}"
                    for e in exc.errors()]
        raise PlukError("; ".join(problems)) from None
