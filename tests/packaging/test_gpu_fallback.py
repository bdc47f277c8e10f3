"""A GPU engine without its GPU: the real installers' engine (the GGML_BACKEND_DL wheel that
packaging/build_engine.sh made and cached, with every CPU variant) plus a CUDA backend module
whose NVIDIA driver library is hidden, or present but finding no GPU. Pluk must run on the CPU,
say so in `pluk hardware` and the self-test, and never end with a signal.

No CUDA toolkit is here, so the CUDA module is a stand-in compiled with gcc (a few lines of C):
like the real libggml-cuda.so it links the driver's libcuda.so.1 and exports ggml's backend
entry point, registering one device per GPU the driver reports (none here). Everything else is
real: ggml's own loader opens it, the dynamic loader refuses it when libcuda.so.1 is hidden.
Skips when no cached engine wheel exists (the first `.ci/run` on a machine compiles it only
after the tests, in linux/ci_smoke.sh) or there is no C compiler."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pluk.core.models.backends import EngineVariant

ROOT = Path(__file__).resolve().parents[2]
# ggml's backend registration (ggml-backend-impl.h, GGML_BACKEND_API_VERSION 2 in llama.cpp of
# llama-cpp-python 0.3.36): what ggml_backend_init hands ggml_backend_load.
FAKE_CUDA = r"""
#include <stddef.h>
struct reg_i { const char *(*get_name)(void *); size_t (*get_device_count)(void *);
               void *(*get_device)(void *, size_t); void *(*get_proc_address)(void *, const char *); };
struct reg { int api_version; struct reg_i iface; void *context; };
extern int cuInit(unsigned int);
static const char *name(void *r) { return "CUDA"; }
static size_t count(void *r) { return cuInit(0) == 0 ? 1 : 0; }
static void *dev(void *r, size_t i) { return NULL; }
static void *proc(void *r, const char *n) { return NULL; }
static struct reg R = { 2, { name, count, dev, proc }, NULL };
void *ggml_backend_init(void) { return &R; }
"""
# The driver: no GPU (CUDA_ERROR_NO_DEVICE), and the CUDA version it supports.
FAKE_DRIVER = ("int cuInit(unsigned int flags) { return 100; }\n"
               "int cuDriverGetVersion(int *v) { *v = %d; return 0; }\n")
# The toolkit's runtime the real module links (and a bundle carries): only its version here.
FAKE_RUNTIME = "int cudaRuntimeGetVersion(int *v) { *v = 13000; return 0; }\n"


def cached_wheel(variant: str = "cpu") -> Path | None:
    """The engine wheel packaging/build_engine.sh VARIANT cached, if any."""
    caches = [os.environ.get("PLUK_ENGINE_CACHE")]
    try:
        pip_cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"],
                                   capture_output=True, text=True, timeout=60).stdout.strip()
        caches.append(os.path.join(pip_cache, "pluk-engine-wheels") if pip_cache else None)
    except (OSError, subprocess.SubprocessError):
        pass
    caches.append(str(Path.home() / ".cache" / "pip" / "pluk-engine-wheels"))
    for cache in filter(None, caches):
        wheels = sorted(Path(cache).glob(f"{variant}-*/llama_cpp_python-0.3.36-*linux_x86_64.whl"))
        if wheels:
            return wheels[-1]
    return None


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """A site folder with the variants engine and a CUDA module, and the driver's folder."""
    if sys.platform != "linux":
        pytest.skip("the variants engine wheel here is Linux's")
    wheel = cached_wheel()
    if wheel is None:
        pytest.skip("no cached variants engine wheel (packaging/build_engine.sh cpu makes it; "
                    "linux/ci_smoke.sh runs it after the tests)")
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler for the stand-in CUDA module")
    root = tmp_path_factory.mktemp("gpu-fallback")
    site, driver = root / "site", root / "driver"
    driver.mkdir()
    lib = engine_site(wheel, site)
    old_driver = root / "old-driver"
    old_driver.mkdir()
    for folder, version in ((driver, 13000), (old_driver, 12040)):  # CUDA 13.0, 12.4
        (root / "driver.c").write_text(FAKE_DRIVER % version)
        subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o",
                        str(folder / "libcuda.so.1"), str(root / "driver.c")], check=True)
        (folder / "libcuda.so").symlink_to("libcuda.so.1")
    (root / "cudart.c").write_text(FAKE_RUNTIME)
    subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcudart.so.13", "-o",
                    str(lib / "libcudart.so.13"), str(root / "cudart.c")], check=True)
    (root / "libcudart.so").symlink_to(lib / "libcudart.so.13")
    (root / "cuda.c").write_text(FAKE_CUDA)
    # Like the real module: needs the driver and the runtime; finds the runtime beside itself.
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib / "libggml-cuda.so"),
                    str(root / "cuda.c"), "-Wl,--no-as-needed", f"-L{driver}", "-lcuda",
                    f"-L{root}", "-lcudart", "-Wl,-rpath,$ORIGIN"], check=True)
    return site, driver


def engine_site(wheel: Path, site: Path) -> Path:
    """The wheel's llama_cpp package in SITE, its libraries as a bundle has them; the lib folder."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site, [n for n in zf.namelist() if n.startswith("llama_cpp/")])
    lib = site / "llama_cpp" / "lib"
    (lib / "libggml.so").unlink()  # one ggml under both names, as linux/build.sh makes it
    (lib / "libggml.so").symlink_to("libggml.so.0")
    return lib


def pluk(site: Path, driver: Path | None, *args: str, tmp_path: Path):
    """The CLI on the engine in SITE; DRIVER: the folder of the driver library (None: hidden)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "PLUK_CPU_VARIANT")}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT / "desktop")]),
               PLUK_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    if driver is not None:
        env["LD_LIBRARY_PATH"] = str(driver)
    return subprocess.run([sys.executable, "-c", "import sys; from pluk.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", *args],
                          capture_output=True, text=True, env=env, timeout=600)


def test_without_the_driver_the_engine_runs_on_the_cpu_and_says_so(engine, tmp_path):
    site, _driver = engine  # the driver's library is not on the loader's path: hidden
    done = pluk(site, None, "hardware", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr  # a negative code would be a signal
    line = next(l for l in done.stdout.splitlines() if l.startswith("Engine:"))
    assert "no usable GPU (cuda: no NVIDIA driver found (libcuda.so.1: cannot open" in line
    assert "running on the CPU" in line and "best of" in line and "CPU variants" in line


def test_with_a_driver_that_finds_no_gpu(engine, tmp_path):
    site, driver = engine
    done = pluk(site, driver, "hardware", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    import json

    facts = json.loads(done.stdout)["engine"]
    assert facts["gpu_backends"] == []
    assert facts["gpu_unusable"] == ["cuda: the NVIDIA driver found no GPU"]
    assert facts["cpu_variant"]


def test_a_driver_older_than_the_engines_cuda_is_named(engine, tmp_path):
    site, driver = engine
    done = pluk(site, driver.parent / "old-driver", "hardware", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    import json

    assert json.loads(done.stdout)["engine"]["gpu_unusable"] == [
        "cuda: the NVIDIA driver supports CUDA 12.4, this engine needs CUDA 13.0: "
        "update the driver"]


def test_a_bundle_missing_its_cuda_runtime_says_reinstall_not_no_driver(engine, tmp_path):
    site, driver = engine
    # The module needs a cuBLAS that the bundle lost; a major version no machine has, so that
    # no system-wide CUDA installation stands in for it.
    damaged = tmp_path / "site"
    shutil.copytree(site, damaged, symlinks=True)
    lib = damaged / "llama_cpp" / "lib"
    cc = shutil.which("gcc") or shutil.which("cc")
    (tmp_path / "cublas.c").write_text("int cublasCreate_v2(void **h) { return 0; }\n")
    subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcublas.so.99", "-o",
                    str(lib / "libcublas.so"), str(tmp_path / "cublas.c")], check=True)
    (tmp_path / "cuda.c").write_text(FAKE_CUDA)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib / "libggml-cuda.so"),
                    str(tmp_path / "cuda.c"), "-Wl,--no-as-needed", f"-L{driver}", "-lcuda",
                    f"-L{lib}", "-lcublas", "-Wl,-rpath,$ORIGIN"], check=True)
    (lib / "libcublas.so").unlink()
    done = pluk(damaged, driver, "hardware", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith("Engine:"))
    assert ("cuda: the engine's CUDA libraries did not load (libcublas.so.99: cannot open"
            in line), line
    assert "reinstall Pluk" in line and "running on the CPU" in line


def test_the_self_test_extracts_on_the_cpu_after_the_fallback(engine, tmp_path):
    site, _driver = engine
    done = pluk(site, None, "self-test", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "OK"
    assert "no usable GPU (cuda:" in done.stdout


def test_the_summary_says_gpu_or_fallback():
    base = dict(build="variants", cpu_variant="haswell", variants_available=["haswell", "x64"])
    assert "; GPU: cuda;" in EngineVariant(**base, gpu_backends=["cuda"]).summary()
    text = EngineVariant(**base, gpu_unusable=["cuda: the NVIDIA driver found no GPU"]).summary()
    assert "no usable GPU (cuda: the NVIDIA driver found no GPU): running on the CPU" in text
    assert "GPU" not in EngineVariant(**base).summary()


def test_a_frozen_apps_fallback_gives_the_loaders_reason_not_pyinstallers_guess():
    """PyInstaller's ctypes raises its own OSError ('Most likely this dynlib/dll was not found
    when the application was frozen') from the loader's: the sentence must be the loader's."""
    import ctypes

    from pluk.core.models.backends import loader_message

    try:
        try:
            ctypes.CDLL("libpluk-no-such-driver.so.1")
        except OSError as base:
            raise OSError("Failed to load dynlib/dll 'libpluk-no-such-driver.so.1'. Most "
                          "likely this dynlib/dll was not found when the application was "
                          "frozen.") from base
    except OSError as exc:
        assert loader_message(exc).startswith("libpluk-no-such-driver.so.1: cannot open")
    assert loader_message(OSError("libx.so: cannot open")) == "libx.so: cannot open"
