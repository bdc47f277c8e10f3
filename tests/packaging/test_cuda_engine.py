"""The real CUDA engine without a GPU: the wheel `packaging/build_engine.sh cuda` built and
cached (llama.cpp's libggml-cuda.so, compiled by nvcc, beside every CPU variant), with the CUDA
runtime a bundle carries (cudart and cuBLAS, linked beside the module as linux/build.sh puts
them in the bundle) and the NVIDIA driver's library hidden, or replaced by one that finds no
GPU, or by one older than the engine's CUDA. Pluk must run on the CPU, say why, and never end
with a signal.

Runs only where that wheel was built (a machine with the CUDA toolkit, which CI has not: there
test_gpu_fallback.py proves the same with a stand-in module) and its CUDA runtime is found
(CUDA_PATH, /usr/local/cuda/lib64 or the loader's cache); skips otherwise and says why."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.test_gpu_fallback import cached_wheel, engine_site, pluk

# The driver stand-in: every driver function the module links returns "no device" (100), and
# the driver says which CUDA it supports.
DRIVER = ("int cuInit(unsigned int flags) { return 100; }\n"
          "int cuDriverGetVersion(int *v) { *v = %d; return 0; }\n")


def _runtime_library(name: str) -> Path | None:
    folders = [Path(os.environ["CUDA_PATH"]) / "lib64"] if os.environ.get("CUDA_PATH") else []
    folders.append(Path("/usr/local/cuda/lib64"))
    for folder in folders:
        if (folder / name).exists():
            return (folder / name).resolve()
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    found = re.search(rf"^\s*{re.escape(name)} .*=> (\S+)$", cache, re.MULTILINE)
    return Path(found.group(1)).resolve() if found else None


def _needed(path: Path) -> list[str]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.MULTILINE)


@pytest.fixture(scope="module")
def cuda_engine(tmp_path_factory):
    """(site, {driver name: folder}): the CUDA engine with its runtime, and three drivers."""
    if sys.platform != "linux":
        pytest.skip("the CUDA engine wheel here is Linux's")
    wheel = cached_wheel("cuda")
    if wheel is None:
        pytest.skip("no cached CUDA engine wheel (packaging/build_engine.sh cuda, on a machine "
                    "with the CUDA toolkit)")
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or shutil.which("objdump") is None:
        pytest.skip("needs a C compiler and objdump")
    root = tmp_path_factory.mktemp("cuda-engine")
    site = root / "site"
    lib = engine_site(wheel, site)
    module = lib / "libggml-cuda.so"
    needed = _needed(module)
    assert "libcuda.so.1" in needed  # the driver: the user's, never shipped
    for name in needed:
        if re.match(r"lib(cudart|cublas|cublasLt)\.so\.\d+$", name):
            found = _runtime_library(name)
            if found is None:
                pytest.skip(f"{name} (the CUDA runtime the engine was built with) is not here")
            (lib / name).symlink_to(found)  # what the bundle carries
            if name.startswith("libcublas."):  # cuBLAS loads cuBLASLt
                lt = name.replace("libcublas.", "libcublasLt.")
                (lib / lt).symlink_to(_runtime_library(lt) or found.with_name(lt))
    # The driver stand-ins export what the module links from the driver.
    symbols = sorted(set(re.findall(r"^\s+U (cu[A-Z]\w*)$", subprocess.run(
        ["nm", "-D", "--undefined-only", str(module)], capture_output=True, text=True,
        check=True).stdout, re.MULTILINE)) - {"cuInit", "cuDriverGetVersion"})
    source = "".join(f"int {name}(void) {{ return 100; }}\n" for name in symbols)
    drivers = {}
    for name, version in (("current", 13080), ("old", 12040)):
        folder = root / name
        folder.mkdir()
        (root / f"{name}.c").write_text(source + DRIVER % version)
        subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o",
                        str(folder / "libcuda.so.1"), str(root / f"{name}.c")], check=True)
        drivers[name] = folder
    return site, drivers


def _engine_facts(site, driver, tmp_path):
    done = pluk(site, driver, "hardware", "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr  # a negative code would be a signal
    return json.loads(done.stdout)["engine"]


def test_the_real_cuda_engine_without_a_driver_runs_on_the_cpu(cuda_engine, tmp_path):
    site, _ = cuda_engine
    facts = _engine_facts(site, None, tmp_path)
    assert facts["gpu_backends"] == [] and facts["cpu_variant"]
    [why] = facts["gpu_unusable"]
    assert why.startswith("cuda: no NVIDIA driver found (libcuda.so.1: cannot open"), why


def test_the_real_cuda_engine_with_a_driver_that_finds_no_gpu(cuda_engine, tmp_path):
    site, drivers = cuda_engine
    facts = _engine_facts(site, drivers["current"], tmp_path)
    assert facts["gpu_unusable"] == ["cuda: the NVIDIA driver found no GPU"]


def test_the_real_cuda_engine_names_a_driver_too_old_for_it(cuda_engine, tmp_path):
    site, drivers = cuda_engine
    [why] = _engine_facts(site, drivers["old"], tmp_path)["gpu_unusable"]
    assert re.fullmatch(r"cuda: the NVIDIA driver supports CUDA 12\.4, this engine needs CUDA "
                        r"1[2-9]\.\d: update the driver", why), why


def test_the_self_test_extracts_on_the_cpu_beside_the_real_cuda_engine(cuda_engine, tmp_path):
    site, drivers = cuda_engine
    done = pluk(site, drivers["current"], "self-test", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "OK"
    assert "no usable GPU (cuda: the NVIDIA driver found no GPU)" in done.stdout
