"""The installers' engine: llama.cpp's CPU variants (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS)
without the AMX one, collected into the bundle (packaging/build_engine.sh, engine_wheel.py,
hooks/hook-llama_cpp.py, linux/build.sh, windows/build.ps1). Nothing is compiled here: the
build scripts are read or asked for their arguments, the wheel and library folders are fakes."""

from __future__ import annotations

import ast
import importlib.util
import os
import platform
import re
import runpy
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
HOOK = PACKAGING / "hooks" / "hook-llama_cpp.py"
DL_FLAGS = {"-DGGML_NATIVE=OFF", "-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON",
            "-DCMAKE_INSTALL_BINDIR=llama_cpp/lib"}


def _engine_wheel():
    # Not importable as packaging.engine_wheel: `packaging` is also the PyPI library.
    spec = importlib.util.spec_from_file_location("pluk_engine_wheel",
                                                  PACKAGING / "engine_wheel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ew = _engine_wheel()
REAL_AVX = ew.avx_instructions  # the fixture below fakes it for the fake libraries


def _cmake_args(variant: str) -> list[str]:
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    out = subprocess.run(["bash", str(PACKAGING / "build_engine.sh"), variant, "--print-args"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    return out.split()


# -- what is built ------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["cpu", "cpu-noomp", "cuda", "vulkan"])
def test_x86_engines_build_every_cpu_variant_as_a_module(variant):
    args = _cmake_args(variant)
    assert DL_FLAGS <= set(args), args
    # The variants set the instruction sets themselves; a fixed level must not be forced.
    assert not [a for a in args if re.match(r"-DGGML_(AVX|AVX2|AVX512|FMA|F16C|SSE42|BMI2)=", a)]
    assert any(a.startswith("-DCMAKE_INSTALL_RPATH=") for a in args)
    assert ("-DGGML_OPENMP=OFF" in args) == (variant == "cpu-noomp")


def test_the_metal_engine_stays_as_it_was():
    args = _cmake_args("metal")
    assert "-DGGML_METAL=ON" in args and "-DGGML_BACKEND_DL=ON" not in args


def test_build_engine_finishes_the_wheel_before_caching_it():
    text = (PACKAGING / "build_engine.sh").read_text(encoding="utf-8")
    finish = text.index("engine_wheel.py\" finish")
    assert finish < text.index('mv "$TMP"/llama_cpp_python-*.whl "$CACHE"/')
    assert "RECIPE=" in text and '"$RECIPE"' in text  # a new recipe is a new cache key


def test_windows_builds_the_same_cpu_engine():
    text = (PACKAGING / "windows" / "build.ps1").read_text(encoding="utf-8")
    cpu_base = re.search(r'^\$CpuBase = "([^"]*)"', text, re.M).group(1).split()
    assert DL_FLAGS <= set(cpu_base), cpu_base
    assert "engine_wheel.py" in text and "finish" in text


def test_macos_intel_uses_the_variant_engine_and_arm_metal():
    text = (PACKAGING / "macos" / "build.sh").read_text(encoding="utf-8")
    assert 'ENGINE=$([ "$ARCH" = arm64 ] && echo metal || echo cpu)' in text
    assert '"$HERE/../build_engine.sh" "$ENGINE"' in text


def test_linux_build_checks_the_shipped_engine():
    text = (PACKAGING / "linux" / "build.sh").read_text(encoding="utf-8")
    assert re.search(r'engine_wheel\.py" check "\$BUNDLE/_internal/llama_cpp/lib"', text)
    assert "grep -c zmm" not in text  # the AVX2-only engine's check is gone
    # One libggml under the name llama_cpp opens and the SONAME libllama links, before the check.
    link = text.index('ln -sfn libggml.so.0 "$BUNDLE/_internal/llama_cpp/lib/libggml.so"')
    assert link < text.index('engine_wheel.py" check')


def test_every_list_of_amx_variants_agrees():
    hook_tree = ast.parse(HOOK.read_text(encoding="utf-8"))
    hook_list = next(ast.literal_eval(n.value) for n in hook_tree.body
                     if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") ==
                     "AMX_VARIANTS")
    assert set(hook_list) == set(ew.AMX_VARIANTS) == {"sapphirerapids"}
    backends = ROOT / "desktop" / "pluk" / "core" / "models" / "backends.py"
    if backends.exists() and "AMX_VARIANTS" in backends.read_text(encoding="utf-8"):
        from pluk.core.models import backends as engine_backends
        assert set(engine_backends.AMX_VARIANTS) == set(ew.AMX_VARIANTS)


def test_variant_names():
    assert ew.cpu_variant("libggml-cpu-haswell.so") == "haswell"
    assert ew.cpu_variant("ggml-cpu-zen4.dll") == "zen4"
    assert ew.cpu_variant("libggml-cpu-armv8.2_1.so") == "armv8.2_1"
    assert ew.cpu_variant("libggml-cpu.so.0") is None
    assert ew.cpu_variant("libggml-cuda.so") is None


# -- the wheel ----------------------------------------------------------------------------------

def _fake_amx(path: Path) -> int:
    return path.read_bytes().count(b"ldtilecfg")


@pytest.fixture(autouse=True)
def fake_avx(monkeypatch):
    monkeypatch.setattr(ew, "avx_instructions", lambda path: path.read_bytes().count(b"%ymm0"))


def _make_wheel(tmp_path: Path, files: dict[str, bytes]) -> Path:
    wheel = tmp_path / "llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl"
    record = "llama_cpp_python-0.3.36.dist-info/RECORD"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr(record, "".join(f"{n},sha256=x,{len(d)}\n" for n, d in files.items())
                    + f"{record},,\n")
    return wheel


VARIANT_FILES = {f"llama_cpp/lib/libggml-cpu-{v}.so": v.encode()
                 for v in ("x64", "sse42", "haswell", "zen4", "sapphirerapids")}
BASE_FILES = {"llama_cpp/__init__.py": b"", "llama_cpp/lib/libllama.so": b"llama",
              "llama_cpp/lib/libggml-base.so.0": b"base"}


def test_finish_drops_the_amx_variant_and_keeps_the_record_true(tmp_path, monkeypatch):
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    wheel = _make_wheel(tmp_path, {**BASE_FILES, **VARIANT_FILES})
    report = ew.finish(wheel)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        record = zf.read("llama_cpp_python-0.3.36.dist-info/RECORD").decode()
        assert zf.read("llama_cpp/lib/libggml-cpu-zen4.so") == b"zen4"
    assert "llama_cpp/lib/libggml-cpu-sapphirerapids.so" not in names
    assert "llama_cpp/lib/libggml-cpu-x64.so" in names and "llama_cpp/__init__.py" in names
    assert "sapphirerapids" not in record and "libggml-cpu-haswell.so" in record
    assert any("dropped" in line for line in report)
    ew.finish(wheel)  # a finished wheel finishes again unchanged


def test_finish_refuses_variants_outside_llama_cpp_lib(tmp_path, monkeypatch):
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    wheel = _make_wheel(tmp_path, {**BASE_FILES, "bin/libggml-cpu-haswell.so": b"h"})
    with pytest.raises(SystemExit, match="outside llama_cpp/lib"):
        ew.finish(wheel)


def test_finish_refuses_a_library_with_an_amx_instruction(tmp_path, monkeypatch):
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    files = {**BASE_FILES, **VARIANT_FILES, "llama_cpp/lib/libggml-cpu-icelake.so": b"ldtilecfg"}
    with pytest.raises(SystemExit, match="ldtilecfg"):
        ew.finish(_make_wheel(tmp_path, files))


# -- the bundle's llama_cpp/lib -----------------------------------------------------------------

def _libdir(tmp_path: Path, names: list[str], data: dict[str, bytes] | None = None,
            ggml_link: bool = True) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir(parents=True)
    for name in names:
        (lib / name).write_bytes((data or {}).get(name, name.encode()))
    if ggml_link:  # as linux/build.sh makes it
        (lib / "libggml.so").symlink_to("libggml.so.0")
    return lib


SHIPPED = ["libllama.so", "libggml.so.0", "libggml-base.so.0", "libggml-cpu-x64.so",
           "libggml-cpu-haswell.so", "libggml-cpu-zen4.so"]


def test_check_passes_the_variants_with_the_baseline(tmp_path, monkeypatch):
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    report = ew.check(_libdir(tmp_path, SHIPPED))
    assert report[0] == "3 CPU variants: haswell, x64, zen4"


@pytest.mark.parametrize("names, data, problem", [
    (SHIPPED[:3] + ["libggml-cpu.so.0"], None, "no CPU variant"),
    ([n for n in SHIPPED if "x64" not in n], None, "x64 variant is missing"),
    (SHIPPED + ["libggml-cpu-sapphirerapids.so"], None, "AMX variant sapphirerapids"),
    (SHIPPED, {"libggml-cpu-zen4.so": b"ldtilecfg"}, "libggml-cpu-zen4.so contains 1"),
    (SHIPPED, {"libggml-cpu-x64.so": b"vmovups %ymm0"}, "x64 baseline has 1 AVX"),
])
def test_check_fails(tmp_path, monkeypatch, names, data, problem):
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    with pytest.raises(SystemExit, match=problem):
        ew.check(_libdir(tmp_path, names, data))


def test_check_wants_one_libggml_under_both_names(tmp_path, monkeypatch):
    # llama_cpp opens libggml.so, libllama links libggml.so.0: two copies are two ggml
    # instances, and the CPU variant Pluk loads through one is unknown to the other.
    monkeypatch.setattr(ew, "amx_instructions", _fake_amx)
    with pytest.raises(SystemExit, match="libggml.so .which llama_cpp opens. is missing"):
        ew.check(_libdir(tmp_path / "a", SHIPPED, ggml_link=False))
    with pytest.raises(SystemExit, match="libggml.so is a copy of libggml.so.0"):
        ew.check(_libdir(tmp_path / "b", SHIPPED + ["libggml.so"], ggml_link=False))


def test_objdump_finds_the_amx_instruction(tmp_path):
    if platform.machine() not in ("x86_64", "AMD64") or not (shutil.which("as")
                                                             and shutil.which("objdump")):
        pytest.skip("needs x86-64 binutils (as, objdump)")
    for name, body, amx, avx in (("amx", "ldtilecfg (%rdi)\nret\n", 1, 0),
                                 ("avx", "vxorps %ymm0, %ymm0, %ymm0\nret\n", 0, 1),
                                 ("plain", "ret\n", 0, 0)):
        src, obj = tmp_path / f"{name}.s", tmp_path / f"{name}.o"
        src.write_text(f".text\n.globl f\nf:\n{body}", encoding="utf-8")
        if subprocess.run(["as", "-o", str(obj), str(src)], capture_output=True).returncode:
            pytest.skip("this assembler does not know AMX")
        assert (ew.amx_instructions(obj), REAL_AVX(obj)) == (amx, avx), name


# -- the PyInstaller hook -----------------------------------------------------------------------

def _run_hook(tmp_path: Path, monkeypatch, plat: str, names: list[str]) -> list[str]:
    pkg = tmp_path / "site" / "llama_cpp"
    (pkg / "lib").mkdir(parents=True)
    for name in names:
        (pkg / "lib" / name).write_bytes(b"\x7fELF")
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.get_package_paths = lambda package: (str(pkg.parent), str(pkg))
    for mod in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, mod, types.ModuleType(mod))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", plat)
    found = runpy.run_path(str(HOOK))["binaries"]
    assert {dest for _, dest in found} == {"llama_cpp/lib"}
    return sorted(Path(src).name for src, _ in found)


def _versioned(stem: str) -> list[str]:  # the wheel's three copies of a versioned library
    return [f"{stem}.so", f"{stem}.so.0", f"{stem}.so.0.9.7"]


def test_hook_linux_collects_every_variant_and_gpu_module_but_amx(tmp_path, monkeypatch):
    names = (["libllama.so", "libmtmd.so"] + _versioned("libggml") + _versioned("libggml-base")
             + [f"libggml-cpu-{v}.so" for v in ("x64", "haswell", "zen4", "sapphirerapids")]
             + ["libggml-vulkan.so"])
    assert _run_hook(tmp_path, monkeypatch, "linux", names) == [
        "libggml-base.so.0", "libggml-cpu-haswell.so", "libggml-cpu-x64.so",
        "libggml-cpu-zen4.so", "libggml-vulkan.so", "libggml.so.0", "libggml.so.0.9.7",
        "libllama.so"]


def test_hook_linux_source_build_takes_the_one_cpu_library_by_soname(tmp_path, monkeypatch):
    names = (["libllama.so"] + _versioned("libggml") + _versioned("libggml-base")
             + _versioned("libggml-cpu"))
    assert _run_hook(tmp_path, monkeypatch, "linux", names) == [
        "libggml-base.so.0", "libggml-cpu.so.0", "libggml.so.0", "libggml.so.0.9.7",
        "libllama.so"]


def test_hook_refuses_an_engine_without_a_cpu_backend(tmp_path, monkeypatch):
    names = (["libllama.so"] + _versioned("libggml") + _versioned("libggml-base")
             + ["libggml-cpu-sapphirerapids.so"])
    with pytest.raises(SystemExit, match="CPU backend"):
        _run_hook(tmp_path, monkeypatch, "linux", names)


def test_hook_windows_collects_the_variant_dlls(tmp_path, monkeypatch):
    names = ["llama.dll", "ggml.dll", "ggml-base.dll", "ggml-cpu-x64.dll",
             "ggml-cpu-haswell.dll", "ggml-cuda.dll", "mtmd.dll"]
    assert _run_hook(tmp_path, monkeypatch, "win32", names) == sorted(
        n for n in names if n != "mtmd.dll")


def test_hook_macos_collects_dylibs_and_modules(tmp_path, monkeypatch):
    names = ["libllama.dylib", "libggml.dylib", "libggml-base.dylib", "libmtmd.dylib",
             "libggml-cpu-haswell.so", "libggml-cpu-x64.so", "libggml-metal.so"]
    assert _run_hook(tmp_path, monkeypatch, "darwin", names) == sorted(
        n for n in names if "mtmd" not in n)


@pytest.mark.parametrize("release, architectures", [
    ("12.4", "61;70;75;80;86;89;90"),  # Pascal to Hopper
    ("12.8", "61;70;75;80;86;89;90;100;120"),  # and Blackwell
    ("13.0", "75;80;86;89;90;100;120"),  # CUDA 13 compiles neither Pascal nor Volta
])
def test_the_cuda_engine_is_built_for_the_gpus_its_toolkit_can_compile(tmp_path, release,
                                                                      architectures):
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    nvcc = tmp_path / "nvcc"
    nvcc.write_text("#!/bin/sh\necho 'nvcc: NVIDIA (R) Cuda compiler driver'\n"
                    f"echo 'Cuda compilation tools, release {release}, V{release}.1'\n")
    nvcc.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PLUK_CUDA_ARCHITECTURES"}

    def args(**extra):
        out = subprocess.run(["bash", str(PACKAGING / "build_engine.sh"), "cuda", "--print-args"],
                             capture_output=True, text=True, check=True, timeout=30,
                             env={**env, "CUDACXX": str(nvcc), **extra}).stdout
        return out.split()

    assert f"-DCMAKE_CUDA_ARCHITECTURES={architectures}" in args()
    assert "-DCMAKE_CUDA_ARCHITECTURES=90-real" in args(PLUK_CUDA_ARCHITECTURES="90-real")
