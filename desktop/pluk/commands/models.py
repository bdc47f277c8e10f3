"""`pluk models ...` (list, download, import, export-pack, import-pack, verify, remove) and
`pluk hardware`: the command line over pluk.core.models. Progress goes to stderr; the first
Ctrl-C cancels cleanly (a download keeps its partial file and resumes next time), a second one
aborts at once."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pluk.core.errors import CancelledError, ModelError
from pluk.core.models.offline import enforce_offline_env
from pluk.core.models.transfer import Progress
from pluk.core.progress import format_duration

DEFAULT_CTX = 8192


def register(subparsers: argparse._SubParsersAction) -> None:
    models = subparsers.add_parser(
        "models", help="list, download, import and check local models",
        description="Manage the GGUF models Pluk can use. Only `download` uses the network.",
    )
    models.set_defaults(func=lambda args: (models.print_help(), 0)[1])
    sub = models.add_subparsers(dest="models_command", metavar="ACTION")

    p = sub.add_parser("list", help="catalogue and installed models, with hardware fit")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--ctx", type=int, default=DEFAULT_CTX, help="context size for the fit check")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "download", help="download a catalogue model, or a GGUF file from a Hub repo",
        description="Download once from the Hugging Face Hub (or the mirror in HF_ENDPOINT). "
        "Proxies come from HTTPS_PROXY/NO_PROXY, a corporate CA bundle from SSL_CERT_FILE or "
        "REQUESTS_CA_BUNDLE, a token for gated repos from HF_TOKEN. An interrupted download "
        "resumes when the same command runs again.",
    )
    p.add_argument("id", nargs="?", help="catalogue model id (see `pluk models list`)")
    p.add_argument("--repo", help="Hub repository, e.g. bartowski/Qwen2.5-7B-Instruct-GGUF")
    p.add_argument("--file", help="the .gguf file in that repository")
    p.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    p.add_argument("--sha256", help="refuse the file unless it has this sha256")
    p.add_argument("--id", dest="model_id", help="id to install it under (default: file name)")
    p.set_defaults(func=cmd_download)

    p = sub.add_parser("import", help="install a local .gguf file")
    p.add_argument("file", type=Path)
    p.add_argument("--in-place", action="store_true",
                   help="register the file where it is instead of copying it")
    p.add_argument("--id", dest="model_id", help="id to install it under (default: file name)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export-pack", help="write an installed model as an offline pack")
    p.add_argument("id")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_export_pack)

    p = sub.add_parser("import-pack", help="verify and install an offline model pack")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_import_pack)

    p = sub.add_parser("verify", help="recompute sha256 of installed models")
    p.add_argument("id", nargs="?", help="one model (default: all)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("remove", help="uninstall a model (a file registered in place is kept)")
    p.add_argument("id")
    p.set_defaults(func=cmd_remove)

    p = subparsers.add_parser("hardware", help="what this machine has, and what fits on it")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--ctx", type=int, default=DEFAULT_CTX, help="context size for the fit check")
    p.set_defaults(func=cmd_hardware)


# --- progress and cancel -----------------------------------------------------------------------


def _size(n: float | None) -> str:
    from pluk.core.models.download import format_bytes

    return format_bytes(n)


class ProgressPrinter:
    """One updating line on a terminal; a line per 10% when stderr is a file or pipe."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_step: tuple[str, int] | None = None
        self._open = False

    def __call__(self, p: Progress) -> None:
        percent = f"{100 * p.fraction:5.1f}%" if p.fraction is not None else "     "
        text = f"{p.phase:<11} {_size(p.done):>9} / {_size(p.total):<9} {percent}"
        if p.phase == "downloading":
            speed = f"{_size(p.bytes_per_second)}/s" if p.bytes_per_second else "-"
            text += f"  {speed:>10}  ETA {format_duration(p.eta_seconds)}"
        if self.tty:
            self.stream.write("\r" + text.ljust(78))
            self._open = True
        else:
            step = (p.phase, int(10 * (p.fraction or 0)))
            if step == self._last_step:
                return
            self._last_step = step
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


@contextmanager
def stop_on_interrupt(printer: ProgressPrinter | None = None):
    """Yield a should_stop callable that turns true on the first Ctrl-C."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop.is_set
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if printer:
            printer.done()
        print("pluk: stopping... (Ctrl-C again to abort at once)", file=sys.stderr)

    signal.signal(signal.SIGINT, handler)
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_with_progress(fn, *args: Any, **kwargs: Any):
    printer = ProgressPrinter()
    with stop_on_interrupt(printer) as should_stop:
        try:
            return fn(*args, on_progress=printer, should_stop=should_stop, **kwargs)
        finally:
            printer.done()


def _run_command(fn, *args: Any, done: Callable[[Any], None], **kwargs: Any) -> int:
    """Run one long model job with progress and Ctrl-C: `done(result)` reports it (exit 0), a
    cancel prints why (exit 130)."""
    try:
        result = _run_with_progress(fn, *args, **kwargs)
    except CancelledError as exc:
        print(f"pluk: {exc}", file=sys.stderr)
        return 130
    done(result)
    return 0


# --- commands ----------------------------------------------------------------------------------


def _hardware_line(hw) -> str:
    mem = (f"{_size(hw.ram_total_bytes)} memory"
           + (f" ({_size(hw.ram_available_bytes)} free)" if hw.ram_available_bytes else "")
           if hw.ram_total_bytes else "memory unknown")
    cores = hw.cpu_usable or hw.cpu_logical
    simd = ("AVX-512" if "avx512f" in (hw.cpu_features or []) else
            "AVX2" if "avx2" in (hw.cpu_features or []) else
            "no AVX2" if hw.cpu_features is not None and hw.machine.lower() in {"x86_64", "amd64"}
            else None)
    gpu = (", ".join(f"{g.name} {_size(g.memory_total_bytes)}" for g in hw.gpus)
           if hw.gpus else "no NVIDIA GPU")
    return ", ".join(filter(None, [mem, f"{cores} cores", simd, gpu]))


def cmd_list(args: argparse.Namespace) -> int:
    from pluk.core.models import store
    from pluk.core.models.catalogue import load_catalogue
    from pluk.core.models.download import partial_downloads
    from pluk.core.models.hardware import ModelShape, advise, detect_hardware

    enforce_offline_env()
    catalogue, installed = load_catalogue(), store.list_installed()
    hw = detect_hardware()
    by_catalogue = {m.catalogue_id or m.id: m for m in installed}
    rows_cat = []
    for entry in catalogue.models:
        have = by_catalogue.get(entry.id)
        shape = (ModelShape.from_installed(have) if have and have.gguf.n_layer
                 else ModelShape.from_catalogue(entry))
        rows_cat.append((entry, have, advise(shape, hw, args.ctx)))
    catalogue_ids = {e.id for e in catalogue.models}
    rows_own = [(m, advise(ModelShape.from_installed(m), hw, args.ctx)) for m in installed
                if (m.catalogue_id or m.id) not in catalogue_ids]
    partials = partial_downloads()

    if args.json:
        print(json.dumps({
            "hardware": hw.model_dump(),
            "n_ctx": args.ctx,
            "catalogue": [{**e.model_dump(), "installed_id": h.id if h else None,
                           "advice": a.model_dump()} for e, h, a in rows_cat],
            "installed": [{**m.model_dump(), "advice": a.model_dump()} for m, a in
                          [(m, a) for m, a in rows_own] + [(h, a) for _, h, a in rows_cat if h]],
            "partial_downloads": partials,
        }, indent=2))
        return 0

    print(f"This machine: {_hardware_line(hw)}")
    print(f"Fit at a context of {args.ctx} tokens.\n")
    print(f"  {'ID':<36} {'SIZE':>8} {'NEEDS':>8}  {'FIT':<12} {'/MIN':>5}  TITLE (LICENCE)")
    for entry, have, advice in rows_cat:
        mark = "*" if have else " "
        title = f"{entry.title} ({entry.licence})" + ("  [default]" if entry.default else "")
        print(f"{mark} {entry.id:<36} {_size(entry.size_bytes):>8} "
              f"{_size(advice.memory_needed_bytes):>8}  {_fit(advice):<12} "
              f"{_per_minute(advice.reports_per_minute):>5}  {title}")
    if rows_own:
        print("\nInstalled from elsewhere:")
        for m, advice in rows_own:
            print(f"* {m.id:<36} {_size(m.size_bytes):>8} "
                  f"{_size(advice.memory_needed_bytes):>8}  {_fit(advice):<12} "
                  f"{m.source}{' (in place)' if m.in_place else ''}: {m.path}")
    if partials:
        print("\nPartial downloads (run the same download command to resume):")
        for info in partials:
            print(f"  {info.get('repo')}/{info.get('filename')}: "
                  f"{_size(info['downloaded'])} of {_size(info.get('size'))}")
    print("\n* installed.  Download one with `pluk models download ID`.")
    return 0


def _per_minute(value: float | None) -> str:
    """Reports a minute, roughly: '0.4', '12'; 'GPU' where not estimated."""
    if value is None:
        return "GPU"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _fit(advice) -> str:
    return {"fits": "fits", "tight": "tight", "does_not_fit": "does not fit",
            "unknown": "unknown"}[advice.verdict]


def cmd_download(args: argparse.Namespace) -> int:
    from pluk.core import paths
    from pluk.core.models import download
    from pluk.core.models.catalogue import load_catalogue

    enforce_offline_env()  # download() lifts it for its own requests only
    if args.id and (args.repo or args.file):
        raise ModelError("Give a catalogue id, or --repo and --file, not both")
    if args.id:
        entry = load_catalogue().get(args.id)
        if entry is None:
            raise ModelError(f"'{args.id}' is not in the catalogue (see `pluk models list`); "
                             "for any other Hub file use --repo and --file")
        print(f"Downloading {entry.title}, about {_size(entry.size_bytes)}, from "
              f"{download.hub_endpoint()}/{entry.repo} into {paths.models_dir()}\n"
              f"Licence: {entry.licence}"
              + (f" ({entry.licence_url})" if entry.licence_url else ""), file=sys.stderr)
        call, call_args, call_kwargs = download.download_catalogue_model, (args.id,), {}
    elif args.repo and args.file:
        print(f"Downloading {args.file} from {download.hub_endpoint()}/{args.repo} "
              f"({args.revision}) into {paths.models_dir()}", file=sys.stderr)
        call, call_args = download.download_model, (args.repo, args.file)
        call_kwargs = {"revision": args.revision, "expected_sha256": args.sha256,
                       "model_id": args.model_id}
    else:
        raise ModelError(
            "Give a catalogue id, or --repo and --file (see `pluk models download -h`)"
        )

    def done(entry) -> None:
        print(f"Installed {entry.id}: {entry.path}\nsha256 {entry.sha256}")
        warning = download.unverified_warning(entry)
        if warning:
            print(f"pluk: {warning}", file=sys.stderr)

    return _run_command(call, *call_args, done=done, **call_kwargs)


def cmd_import(args: argparse.Namespace) -> int:
    from pluk.core.models.importer import import_model

    enforce_offline_env()

    def done(entry) -> None:
        where = "registered in place" if entry.in_place else "copied"
        print(f"Installed {entry.id} ({where}): {entry.path}\nsha256 {entry.sha256}")

    return _run_command(import_model, args.file, copy=not args.in_place,
                        model_id=args.model_id, done=done)


def cmd_export_pack(args: argparse.Namespace) -> int:
    from pluk.core.models.pack import export_pack

    enforce_offline_env()
    return _run_command(export_pack, args.id, args.dir, done=lambda manifest: print(
        f"Wrote model pack {manifest.parent} (install it with `pluk models import-pack DIR`)"))


def cmd_import_pack(args: argparse.Namespace) -> int:
    from pluk.core.models.pack import import_pack

    enforce_offline_env()
    return _run_command(import_pack, args.dir, done=lambda entry: print(
        f"Installed {entry.id}: {entry.path}\nsha256 {entry.sha256} (matches the pack)"))


def cmd_verify(args: argparse.Namespace) -> int:
    from pluk.core.models import store

    enforce_offline_env()
    ids = [args.id] if args.id else [m.id for m in store.list_installed()]
    if not ids:
        print("No models installed.")
        return 0
    failed = 0
    printer = ProgressPrinter()
    for model_id in ids:
        result = store.verify(
            model_id,
            on_progress=lambda done, total: printer(Progress("verifying", done, total)),
        )
        printer.done()
        print(f"{'ok    ' if result.ok else 'FAILED'} {model_id}: {result.message}")
        failed += not result.ok
    return 1 if failed else 0


def cmd_remove(args: argparse.Namespace) -> int:
    from pluk.core.models import store

    enforce_offline_env()
    entry = store.remove(args.id)
    if entry.in_place:
        print(f"Removed {entry.id} from the list; its file stays at {entry.path}")
    else:
        print(f"Removed {entry.id} and deleted {entry.path}")
    return 0


def cmd_hardware(args: argparse.Namespace) -> int:
    from pluk.core.models import store
    from pluk.core.models.catalogue import load_catalogue
    from pluk.core.models.hardware import ModelShape, advise, detect_hardware, is_slow

    enforce_offline_env()
    hw = detect_hardware()
    advice = {m.id: advise(ModelShape.from_installed(m), hw, args.ctx)
              for m in store.list_installed()}
    if not advice:  # nothing installed yet: judge the model we would recommend
        default = load_catalogue().default
        advice[f"{default.id} (default, not installed)"] = advise(
            ModelShape.from_catalogue(default), hw, args.ctx)
    engine, verdicts = _engine_facts(store.list_installed())
    if args.json:
        print(json.dumps({"hardware": hw.model_dump(), "n_ctx": args.ctx,
                          "engine": engine if isinstance(engine, str) else engine.model_dump(),
                          "installed": {k: v.model_dump() for k, v in advice.items()},
                          "fallbacks": verdicts}, indent=2))
        return 0
    print(f"System:   {hw.os} ({hw.machine})")
    print(f"CPU:      {hw.cpu_model or 'unknown'}; {hw.cpu_logical or '?'} logical cores"
          + (f", {hw.cpu_physical} physical" if hw.cpu_physical else "")
          + (f", {hw.cpu_usable} usable" if hw.cpu_usable else ""))
    print("Features: " + (", ".join(hw.cpu_features) if hw.cpu_features is not None
                          else "unknown"))
    print("Engine:   " + (engine if isinstance(engine, str) else engine.summary()))
    if not isinstance(engine, str) and engine.skipped:
        print(f"          passed over: {', '.join(engine.skipped)}")
    print("Memory:   " + (f"{_size(hw.ram_total_bytes)} total" if hw.ram_total_bytes
                          else "unknown")
          + (f", {_size(hw.ram_available_bytes)} available" if hw.ram_available_bytes else ""))
    print("GPU:      " + ("; ".join(f"{g.name}, {_size(g.memory_total_bytes)}" for g in hw.gpus)
                          or "none found (NVIDIA, via nvidia-smi)"))
    for model_id, a in advice.items():
        layers = {0: "CPU only", -1: "all layers on the GPU"}.get(a.gpu_layers,
                                                                  f"{a.gpu_layers} GPU layers")
        print(f"\n{model_id}: {_fit(a)} at {args.ctx} tokens (needs {_size(a.memory_needed_bytes)},"
              f" {layers}; largest fitting context: {a.suggested_n_ctx or 'none'})")
        print("  speed: " + (f"about {_per_minute(a.reports_per_minute)} reports a minute on "
                             "this CPU (a rough estimate from the model's size and the cores)"
                             + ("; slow: a smaller model, or a GPU, is faster" if is_slow(a)
                                else "")
                             if a.reports_per_minute is not None else
                             "not estimated (the model runs on the GPU)"))
        if a.warning:
            print(f"  {a.warning}")
        if model_id in verdicts:
            print(f"  runs {verdicts[model_id]}")
    return 0


def _engine_facts(installed) -> tuple[object, dict[str, str]]:
    """The engine's CPU code (or why it cannot be loaded), and the installed models the load probe saw crash the default
    way on this machine, with the way they run instead (from its cache: nothing is probed)."""
    try:
        from pluk.core.models.backends import describe
        from pluk.core.models.load_probe import known_verdict

        engine = describe()
    except (ImportError, OSError) as exc:
        return f"llama.cpp's engine cannot be loaded: {exc}", {}
    verdicts = {}
    for model in installed:
        verdict = known_verdict(model.sha256) if model.sha256 else None
        if verdict is not None and (verdict.fallback or verdict.crashes):
            verdicts[model.id] = (verdict.fallback_text() if verdict.fallback else
                                  f"nowhere: it crashes the engine ({verdict.reason})")
    return engine, verdicts
