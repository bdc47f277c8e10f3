"""The PyInstaller spec declares the Qt modules the GUI uses, and the scripts are well-formed."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "pluk.spec"


def _spec_list(name: str) -> list[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {SPEC}")


def _qt_modules_used() -> set[str]:
    used = set()
    pattern = re.compile(r"^\s*(?:from\s+PySide6\.(Qt\w+)\s+import|import\s+PySide6\.(Qt\w+)"
                         r"|from\s+PySide6\s+import\s+([\w, ()]+))", re.M)
    for path in (ROOT / "desktop" / "pluk").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) or match.group(2):
                used.add(match.group(1) or match.group(2))
            else:
                used |= {n.strip() for n in match.group(3).strip("()").split(",") if n.strip()}
    return {f"PySide6.{m}" for m in used}


def test_every_qt_module_the_app_imports_is_kept_and_not_excluded():
    keep, exclude = set(_spec_list("QT_KEEP")), set(_spec_list("QT_EXCLUDE"))
    used = _qt_modules_used()
    assert not keep & exclude
    assert used <= keep, f"add to QT_KEEP in packaging/pluk.spec: {sorted(used - keep)}"


@pytest.mark.parametrize("script", ["packaging/build_engine.sh", "packaging/linux/build.sh",
                                    "packaging/linux/ci_smoke.sh", "packaging/linux/gui_check.sh",
                                    "packaging/macos/build.sh"])
def test_shell_scripts_parse(script):
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    subprocess.run(["bash", "-n", str(ROOT / script)], check=True)


def test_spec_is_valid_python():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
