"""The PyInstaller spec declares the Qt modules the GUI uses and names only files that exist;
the packaging scripts parse and stop on unset variables."""

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


SCRIPTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "packaging").rglob("*.sh"))


def _bash_syntax_errors(path: Path) -> str | None:
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    if result.returncode == 0:
        return None
    return result.stderr.strip() or f"exit {result.returncode}"


def test_every_packaging_script_is_checked():
    # Found by globbing, so a new script cannot be left out of the syntax check below.
    assert {"packaging/build_engine.sh", "packaging/linux/build.sh",
            "packaging/linux/ci_smoke.sh", "packaging/linux/gui_check.sh",
            "packaging/macos/build.sh", "packaging/screenshots.sh"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_shell_scripts_parse_and_stop_on_unset_variables(script):
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    path = ROOT / script
    assert _bash_syntax_errors(path) is None, _bash_syntax_errors(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/usr/bin/env bash", f"{script}: no bash shebang"
    settings = [line for line in lines if line.startswith("set -")]
    assert settings and "u" in settings[0].split()[1] and "pipefail" in settings[0], \
        f"{script}: the first 'set' line must have -u and -o pipefail: {settings[:1]}"


def test_the_syntax_check_catches_a_broken_script(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    broken = tmp_path / "broken.sh"
    broken.write_text("#!/usr/bin/env bash\nif true; then\n  echo unclosed\n",
                      encoding="utf-8")
    assert _bash_syntax_errors(broken)


def _root_paths(tree: ast.AST) -> set[str]:
    """Every `ROOT / "a" / "b"` the spec names, as "a/b"."""
    paths = set()
    for node in ast.walk(tree):
        parts = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) \
                and isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
            parts.append(node.right.value)
            node = node.left
        if parts and isinstance(node, ast.Name) and node.id == "ROOT":
            paths.add("/".join(reversed(parts)))
    return paths


def test_every_file_the_spec_names_is_in_the_checkout():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), str(SPEC))
    named = _root_paths(tree)
    data = {call.args[0].value for call in ast.walk(tree)
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "tree"
            and call.args and isinstance(call.args[0], ast.Constant)}
    assert {"packaging/pluk_entry.py", "packaging/hooks"} <= named and data == {"tasks",
                                                                                "resources"}
    # build/ holds what the build script makes first (the self-test model).
    missing = sorted(p for p in named | data if not p.startswith("build")
                     and not (ROOT / p).exists())
    assert not missing, f"packaging/pluk.spec names files that are not there: {missing}"
    assert (ROOT / "packaging" / "hooks" / "hook-llama_cpp.py").is_file()
    selection = ast.parse((ROOT / "packaging" / "qt_selection.py").read_text(encoding="utf-8"))
    assert any(isinstance(node, ast.FunctionDef) and node.name == "keep"
               for node in selection.body), "the spec imports keep from qt_selection"
