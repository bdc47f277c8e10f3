"""The CPU variants of the installers' engine: finish a freshly built wheel, check a bundle.

The installers' llama-cpp-python is built with `GGML_BACKEND_DL` + `GGML_CPU_ALL_VARIANTS`
(packaging/build_engine.sh): one CPU backend library per x86 level (libggml-cpu-x64.so,
-sse42, -sandybridge, -haswell, -skylakex, -icelake, -zen4, -alderlake, ...; Windows
ggml-cpu-*.dll), of which Pluk loads the one that fits the user's CPU best
(pluk.core.models.backends).

    python packaging/engine_wheel.py finish WHEEL    # build_engine.sh, build.ps1: once per build
    python packaging/engine_wheel.py check LIBDIR    # linux/build.sh: the bundle's llama_cpp/lib
    python packaging/engine_wheel.py cuda BUNDLE     # a CUDA bundle carries its runtime, not the driver

`finish` drops the AMX variant (`sapphirerapids`) from the wheel and rewrites its RECORD: on
current Intel Xeons llama.cpp's AMX path dies of a general protection fault on any batch of
more than one token (llama.cpp issue #20824). It fails when a CPU variant landed outside
llama_cpp/lib (ggml installs the variant modules to CMAKE_INSTALL_BINDIR, which build_engine.sh
points there) and when any library of the wheel contains an AMX instruction (`ldtilecfg`,
found with objdump where there is one; MSVC does not build the AMX variant at all).
`check` fails unless LIBDIR holds the variants, the x64 baseline (any x86-64 CPU: checked to
use no ymm/zmm register) and the haswell one (AVX2), no AMX variant, no library with
`ldtilecfg`, and libggml.so as a link to libggml.so.0 (one ggml instance, see linux/build.sh).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# llama.cpp's CPU variants that run the AMX path (ggml/src/CMakeLists.txt, GGML_CPU_ALL_VARIANTS;
# the same list as pluk.core.models.backends.AMX_VARIANTS and hooks/hook-llama_cpp.py).
AMX_VARIANTS = ("sapphirerapids",)
# What every x86 build must carry: the fallback any x86-64 CPU runs, and the AVX2 level the
# installers shipped alone before (Intel Haswell 2013+, AMD Zen).
X86_REQUIRED = ("x64", "haswell")
AMX_INSTRUCTION = "ldtilecfg"
_VARIANT = re.compile(r"^(?:lib)?ggml-cpu-([A-Za-z0-9_.]+?)\.(?:so|dll|dylib)$")
_LIBRARY = re.compile(r"\.(so(\.\d+)*|dll|dylib)$")


def cpu_variant(name: str) -> str | None:
    """'libggml-cpu-haswell.so' / 'ggml-cpu-zen4.dll' -> 'haswell' / 'zen4'; else None."""
    match = _VARIANT.match(name)
    return match.group(1) if match else None


def _count_lines(path: Path, pattern: re.Pattern) -> int | None:
    """How many lines of `objdump -d` of PATH match PATTERN; None without objdump."""
    objdump = shutil.which("objdump")
    if objdump is None:
        return None
    proc = subprocess.Popen([objdump, "-d", "--no-show-raw-insn", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            errors="replace")
    assert proc.stdout is not None
    count = sum(bool(pattern.search(line)) for line in proc.stdout)
    if proc.wait() != 0:
        raise RuntimeError(f"objdump failed on {path}")
    return count


def amx_instructions(path: Path) -> int | None:
    """Instructions of llama.cpp's AMX path (ldtilecfg) in PATH; None without objdump."""
    return _count_lines(path, re.compile(rf"\b{AMX_INSTRUCTION}\b"))


def avx_instructions(path: Path) -> int | None:
    """Instructions on AVX/AVX-512 registers (%ymm, %zmm) in PATH; None without objdump."""
    return _count_lines(path, re.compile(r"%[yz]mm\d"))


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def finish(wheel: Path) -> list[str]:
    """Drops the AMX variants from WHEEL (in place), checks the rest; returns what it did."""
    with zipfile.ZipFile(wheel) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        variants = {n: cpu_variant(n.rsplit("/", 1)[-1]) for n in names}
        variants = {n: v for n, v in variants.items() if v}
        stray = sorted(n for n in variants if not n.startswith("llama_cpp/lib/"))
        if stray:
            raise SystemExit(f"engine_wheel: CPU variants outside llama_cpp/lib in {wheel.name}: "
                             f"{stray} (CMAKE_INSTALL_BINDIR=llama_cpp/lib missing?)")
        drop = {n for n, v in variants.items() if v in AMX_VARIANTS}
        report = [f"{len(variants)} CPU variants built: "
                  f"{', '.join(sorted(variants.values())) or 'none'}"]
        if drop:
            report.append(f"dropped {', '.join(sorted(drop))} (AMX, llama.cpp #20824)")
            records = [n for n in names if n.endswith(".dist-info/RECORD")]
            if len(records) != 1:
                raise SystemExit(f"engine_wheel: {wheel.name} has {len(records)} RECORD files")
            tmp = wheel.with_name(wheel.name + ".tmp")
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for info in infos:
                    if info.filename in drop:
                        continue
                    data = zf.read(info)
                    if info.filename == records[0]:
                        data = "".join(line for line in data.decode().splitlines(keepends=True)
                                       if line.split(",", 1)[0] not in drop).encode()
                    out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    if drop:
        tmp.replace(wheel)
    # The AMX instruction must be in none of the libraries that remain.
    with zipfile.ZipFile(wheel) as zf, tempfile.TemporaryDirectory() as tmpdir:
        seen, libs = set(), []
        for info in zf.infolist():  # each versioned library is there three times: once each
            key = (info.CRC, info.file_size)
            if _LIBRARY.search(info.filename) and key not in seen:
                seen.add(key)
                libs.append(info.filename)
        counted = 0
        for name in libs:
            path = Path(zf.extract(name, tmpdir))
            count = amx_instructions(path)
            if count is None:
                report.append("no objdump: the ldtilecfg check was skipped")
                break
            counted += 1
            if count:
                raise SystemExit(f"engine_wheel: {name} contains {count} {AMX_INSTRUCTION} "
                                 "(llama.cpp's AMX path, issue #20824): not shipped")
        else:
            report.append(f"{AMX_INSTRUCTION} in none of {counted} libraries")
    # Verify the RECORD still matches (pip refuses a wheel whose RECORD lists missing files).
    with zipfile.ZipFile(wheel) as zf:
        record = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
        listed = {line.split(",", 1)[0] for line in zf.read(record).decode().splitlines()
                  if line}
        if listed != set(zf.namelist()):
            raise SystemExit(f"engine_wheel: RECORD of {wheel.name} does not match its files: "
                             f"{sorted(listed ^ set(zf.namelist()))[:5]}")
    return report


def check(libdir: Path, x86: bool = True, objdump_optional: bool = False) -> list[str]:
    """Checks a bundle's llama_cpp/lib; raises SystemExit with what is wrong.

    Without objdump the ldtilecfg scan is a failure unless OBJDUMP_OPTIONAL (Windows: MSVC
    builds no AMX variant, and only that variant is compiled with the AMX instructions)."""
    files = sorted(p for p in libdir.iterdir()
                   if p.is_file() and not p.is_symlink() and _LIBRARY.search(p.name))
    variants = {cpu_variant(p.name): p for p in files if cpu_variant(p.name)}
    problems = []
    if not variants:
        problems.append("no CPU variant libraries (libggml-cpu-*.so): not a GGML_BACKEND_DL + "
                        "GGML_CPU_ALL_VARIANTS engine")
    if x86:
        problems += [f"the {v} variant is missing" for v in X86_REQUIRED if v not in variants]
    problems += [f"the AMX variant {v} is shipped" for v in variants if v in AMX_VARIANTS]
    # llama_cpp opens libggml.so (.dylib) by that name, libllama links libggml.so.0 (.0.dylib):
    # they must be one file, or the process holds two ggml instances with two backend registries.
    for opened, linked in (("libggml.so", "libggml.so.0"), ("libggml.dylib", "libggml.0.dylib")):
        if (libdir / linked).exists() and (libdir / opened).exists() and not (
                (libdir / opened).samefile(libdir / linked)):
            problems.append(f"{opened} is a copy of {linked}, not a link to it")
        elif (libdir / linked).exists() and not (libdir / opened).exists():
            problems.append(f"{opened} (which llama_cpp opens) is missing")
    if x86 and "x64" in variants:
        # The fallback must run on any x86-64 CPU: no AVX (ymm) or AVX-512 (zmm) code at all.
        avx = avx_instructions(variants["x64"])
        if avx:
            problems.append(f"the x64 baseline has {avx} AVX/AVX-512 instructions")
    counted, scanned = 0, True
    for path in files:
        count = amx_instructions(path)
        if count is None:
            scanned = False
            if not objdump_optional:
                problems.append("objdump is missing: cannot check for AMX instructions")
            break
        counted += 1
        if count:
            problems.append(f"{path.name} contains {count} {AMX_INSTRUCTION}")
    if problems:
        raise SystemExit(f"engine_wheel: {libdir}: " + "; ".join(problems))
    return [f"{len(variants)} CPU variants: {', '.join(sorted(variants))}",
            f"{AMX_INSTRUCTION} in none of {counted} libraries" if scanned
            else "no objdump: the ldtilecfg check was skipped"]


# What a CUDA engine links that the user's NVIDIA driver does not bring: the toolkit's runtime
# and cuBLAS, which the bundle must carry, all of the toolkit's major version (12 or 13; the file
# names carry it). The driver's own library (libcuda.so.1, nvcuda.dll) must not ship: it belongs
# to the installed driver, and without one the engine falls back to the CPU
# (pluk.core.models.backends).
CUDA_RUNTIME = ("cudart", "cublas", "cublasLt")
CUDA_MODULE = {"linux": "libggml-cuda.so", "windows": "ggml-cuda.dll"}
_CUDA_DRIVER = re.compile(r"^(libcuda\.so(\.[0-9]+)*|nvcuda\.dll)$", re.IGNORECASE)


def cuda_runtime_name(system: str, library: str, major: int | str = "N") -> str:
    """('linux', 'cublas', 13) -> 'libcublas.so.13';
    ('windows', 'cudart', 12) -> 'cudart64_12.dll'."""
    return f"lib{library}.so.{major}" if system == "linux" else f"{library}64_{major}.dll"


def _cuda_majors(names: set[str], system: str, library: str) -> set[str]:
    pattern = re.compile("^" + re.escape(cuda_runtime_name(system, library, "@"))
                         .replace("@", r"(\d+)") + "$", re.IGNORECASE)
    return {m.group(1) for m in map(pattern.match, names) if m}


def needed_libraries(path: Path) -> list[str] | None:
    """The NEEDED entries of an ELF library (objdump -p); None without objdump or an ELF file."""
    objdump = shutil.which("objdump")
    if objdump is None:
        return None
    done = subprocess.run([objdump, "-p", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    out = done.stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.MULTILINE)


def check_cuda(bundle: Path, system: str) -> list[str]:
    """Checks a CUDA bundle (its whole folder); raises SystemExit with what is wrong."""
    files = [p for p in bundle.rglob("*") if p.is_file() or p.is_symlink()]
    names = {p.name for p in files}
    problems = [] if CUDA_MODULE[system] in names else [f"{CUDA_MODULE[system]} is missing"]
    majors = {lib: _cuda_majors(names, system, lib) for lib in CUDA_RUNTIME}
    problems += [f"{cuda_runtime_name(system, lib)} is missing"
                 for lib, found in majors.items() if not found]
    common = set.intersection(*majors.values())
    if all(majors.values()) and not common:
        problems.append("the CUDA runtime libraries are of different versions: "
                        + ", ".join(f"{lib} {'/'.join(sorted(v))}" for lib, v in majors.items()))
    # What the engine itself was linked against must be there, not merely some version of it.
    module = next((p for p in files if p.name == CUDA_MODULE[system]), None)
    needed = needed_libraries(module) if module is not None and system == "linux" else None
    for name in needed or []:
        if re.match(r"^lib(cudart|cublas|cublasLt)\.so", name) and name not in names:
            problems.append(f"{name} is missing ({CUDA_MODULE[system]} needs it)")
    problems += [f"{name} (the NVIDIA driver's own library) must not ship"
                 for name in sorted(names) if _CUDA_DRIVER.match(name)]
    if problems:
        raise SystemExit(f"engine_wheel: {bundle}: " + "; ".join(problems))
    major = max(common, key=int)
    return [f"CUDA runtime inside: "
            f"{', '.join(cuda_runtime_name(system, lib, major) for lib in CUDA_RUNTIME)}; "
            f"no driver library" + ("" if needed is None or system != "linux"
                                    else f"; {CUDA_MODULE[system]}'s CUDA libraries all inside")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("finish", help="drop the AMX variant from a wheel and check it")
    p.add_argument("wheel", type=Path)
    p = sub.add_parser("check", help="check a bundle's llama_cpp/lib")
    p.add_argument("libdir", type=Path)
    p.add_argument("--not-x86", action="store_true", help="skip the x86 baseline checks")
    p.add_argument("--objdump-optional", action="store_true",
                   help="skip the ldtilecfg scan where there is no objdump (MSVC builds)")
    p = sub.add_parser("cuda", help="check that a CUDA bundle carries the CUDA runtime")
    p.add_argument("bundle", type=Path)
    p.add_argument("--system", choices=sorted(CUDA_MODULE),
                   default="windows" if sys.platform == "win32" else "linux")
    args = parser.parse_args(argv)
    if args.command == "finish":
        lines = finish(args.wheel)
    elif args.command == "cuda":
        lines = check_cuda(args.bundle, args.system)
    else:
        lines = check(args.libdir, x86=not args.not_x86, objdump_optional=args.objdump_optional)
    for line in lines:
        print(f"engine_wheel: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
