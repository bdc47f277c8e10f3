"""The layers of the house (pyproject.toml [tool.importlinter]) hold, and the check can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, package_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_dir)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_layer_contract_is_kept():
    result = _lint(ROOT, ROOT / "desktop")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_reader_importing_the_engine_breaks_the_layers(tmp_path):
    shutil.copytree(ROOT / "desktop" / "pluk", tmp_path / "desktop" / "pluk",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    reports = tmp_path / "desktop" / "pluk" / "core" / "readers" / "reports.py"
    reports.write_text(reports.read_text() + "\nfrom pluk.core.engine import decoder  # noqa\n")
    result = _lint(tmp_path, tmp_path / "desktop")
    assert result.returncode != 0
    assert "Core layers" in result.stdout and "BROKEN" in result.stdout
    assert "pluk.core.readers.reports -> pluk.core.engine.decoder" in result.stdout


def test_the_core_importing_qt_breaks_the_qt_free_contract(tmp_path):
    shutil.copytree(ROOT / "desktop" / "pluk", tmp_path / "desktop" / "pluk",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    progress = tmp_path / "desktop" / "pluk" / "core" / "progress.py"
    progress.write_text(progress.read_text() + "\nimport PySide6  # noqa\n")
    result = _lint(tmp_path, tmp_path / "desktop")
    assert result.returncode != 0
    assert "Qt-free" in result.stdout


MAX_MODULE_LINES = 450


def test_no_module_is_longer_than_the_house_allows():
    """Short modules with names that say their role (DESIGN.md): a module past the limit is a
    sign that it owns two things."""
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "desktop" / "pluk").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"
