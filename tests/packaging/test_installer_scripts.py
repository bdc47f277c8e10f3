"""The Windows installer's scripts (packaging/windows/pluk.iss, build.ps1), read as text since no
Windows machine runs here: the files and paths they must contain and the version of
pyproject.toml; and engine_wheel.py's check that a CUDA bundle carries the CUDA runtime."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pluk

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
ISS = (WINDOWS / "pluk.iss").read_text(encoding="utf-8")
PS1 = (WINDOWS / "build.ps1").read_text(encoding="utf-8")
VERSION = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def _engine_wheel():
    spec = importlib.util.spec_from_file_location("pluk_engine_wheel_cuda",
                                                  ROOT / "packaging" / "engine_wheel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_version_everywhere():
    assert pluk.__version__ == VERSION
    assert re.search(r'#define AppVersion "([^"]+)"', ISS).group(1) == VERSION
    # build.ps1 passes the built package's own version to Inno Setup.
    assert '$Version = (& $VPy -c "import pluk; print(pluk.__version__)").Trim()' in PS1
    assert '"/DAppVersion=$Version"' in PS1


def test_the_installer_is_per_user_and_installs_the_bundle():
    for line in ("PrivilegesRequired=lowest", "DefaultDirName={autopf}\\Pluk",
                 "OutputBaseFilename=Pluk-{#AppVersion}-setup{#Suffix}",
                 'Source: "{#SourceDir}\\*"', 'Source: "{#SourceDir}\\models\\*"',
                 'Filename: "{app}\\pluk.exe"', "UninstallDisplayIcon={app}\\pluk.exe",
                 'Type: filesandordirs; Name: "{app}\\_internal"',
                 'MessagesFile: "compiler:Languages\\Dutch.isl"', "ArchitecturesAllowed=x64compatible"):
        assert line in ISS, line
    # The defines build.ps1 passes are the ones the script reads.
    for define in ("AppVersion", "SourceDir", "OutputDir", "IconFile", "Suffix", "WithModels",
                   "Span"):
        assert f"/D{define}=" in PS1 and f"{{#{define}}}" in ISS or f"#ifdef {define}" in ISS
    assert '"packaging\\windows\\pluk.iss"' in PS1


def test_build_ps1_bundles_what_the_readme_says():
    for text in (
        '"packaging\\engine_wheel.py", "finish"',  # the engine wheel, AMX variant dropped
        '"packaging\\engine_wheel.py", "check"',
        '"packaging\\pluk.spec"',
        'Join-Path $Tesseract "tesseract.exe"',  # -Tesseract: program, DLLs, nld + eng data
        'foreach ($lang in @("nld", "eng"))',
        '"--list-langs"',
        'Run "$Bundle\\pluk.exe" @("self-test")',  # the frozen self-test before packaging
        '"packaging\\engine_wheel.py", "cuda", $Bundle, "--system", "windows"',
        'Sign "$Bundle\\pluk.exe"',
        '[ValidateSet("cpu-noomp", "cpu", "cuda", "vulkan")]',
    ):
        assert text in PS1, text
    assert PS1.index('@("self-test")') < PS1.index("Run $Iscc")
    # The CUDA runtime copied is the one engine_wheel.py checks for.
    ew = _engine_wheel()
    for library in ew.CUDA_RUNTIME:
        stem = ew.cuda_runtime_name("windows", library, "*")
        assert f'"{stem}"' in PS1, stem


def test_the_signing_password_never_reaches_the_log():
    sign = PS1.split("function Sign", 1)[1].split("\n}\n", 1)[0]
    assert "$env:PLUK_SIGN_PASSWORD" in sign
    # Run() prints its arguments when a call fails: signtool with the password is called bare.
    assert not re.search(r"Run .*PLUK_SIGN_PASSWORD", sign)
    assert "Write-Host" not in sign and "Step \"$" not in sign.split("sign /fd")[1].split("\n")[0]


@pytest.mark.parametrize("system", ["linux", "windows"])
@pytest.mark.parametrize("major", [12, 13])
def test_a_cuda_bundle_carries_the_runtime_and_not_the_driver(tmp_path, system, major):
    ew = _engine_wheel()
    lib = tmp_path / "_internal" / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    (lib / ew.CUDA_MODULE[system]).write_bytes(b"\0")
    runtime = {name: ew.cuda_runtime_name(system, name, major) for name in ew.CUDA_RUNTIME}
    for name in runtime.values():
        (lib / name).write_bytes(b"\0")
    assert f"CUDA runtime inside: {runtime['cudart']}" in ew.check_cuda(tmp_path, system)[0]
    driver = "libcuda.so.1" if system == "linux" else "nvcuda.dll"
    (tmp_path / "_internal" / driver).write_bytes(b"\0")
    with pytest.raises(SystemExit, match="driver's own library"):
        ew.check_cuda(tmp_path, system)
    (tmp_path / "_internal" / driver).unlink()
    (lib / runtime["cublas"]).unlink()
    missing = ew.cuda_runtime_name(system, "cublas")
    with pytest.raises(SystemExit, match=re.escape(missing) + " is missing"):
        ew.check_cuda(tmp_path, system)
    # cuBLAS of another toolkit than cudart's is no runtime either.
    (lib / ew.cuda_runtime_name(system, "cublas", major + 1)).write_bytes(b"\0")
    with pytest.raises(SystemExit, match="of different versions"):
        ew.check_cuda(tmp_path, system)


def test_a_cuda_module_must_find_the_very_runtime_it_was_linked_against(tmp_path):
    """A real ELF module that NEEDs libcudart.so.13: a bundle with CUDA 12's runtime fails."""
    ew = _engine_wheel()
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or shutil.which("objdump") is None or sys.platform != "linux":
        pytest.skip("needs a C compiler and objdump (Linux)")
    lib = tmp_path / "_internal" / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    (tmp_path / "rt.c").write_text("int cudaGetDeviceCount(int *n) { *n = 0; return 0; }\n")
    subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcudart.so.13", "-o",
                    str(tmp_path / "libcudart.so"), str(tmp_path / "rt.c")], check=True)
    (tmp_path / "m.c").write_text("int cudaGetDeviceCount(int *); "
                                  "int f(void) { int n; return cudaGetDeviceCount(&n); }\n")
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib / "libggml-cuda.so"),
                    str(tmp_path / "m.c"), f"-L{tmp_path}", "-lcudart"], check=True)
    for name in ew.CUDA_RUNTIME:
        (lib / ew.cuda_runtime_name("linux", name, 12)).write_bytes(b"\0")
    with pytest.raises(SystemExit, match=r"libcudart\.so\.13 is missing \(libggml-cuda\.so needs"):
        ew.check_cuda(tmp_path, "linux")
    for name in ew.CUDA_RUNTIME:
        (lib / ew.cuda_runtime_name("linux", name, 12)).rename(
            lib / ew.cuda_runtime_name("linux", name, 13))
    assert "all inside" in ew.check_cuda(tmp_path, "linux")[0]


def test_the_linux_cuda_build_is_checked_and_named():
    build = (ROOT / "packaging" / "linux" / "build.sh").read_text(encoding="utf-8")
    assert 'engine_wheel.py" cuda "$BUNDLE" --system linux' in build
    assert 'SUFFIX=$([ "$ENGINE" = cpu ] && echo "" || echo "-$ENGINE")' in build
