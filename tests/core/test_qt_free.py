"""The core must import and run without Qt: a subprocess blocks PySide6 and imports it all."""

from __future__ import annotations

import subprocess
import sys

BLOCK_AND_IMPORT = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith(("PySide6.", "shiboken6")):
            raise ImportError("Qt is blocked in this test")
        return None

sys.meta_path.insert(0, BlockQt())
import pluk.core
for module in pkgutil.walk_packages(pluk.core.__path__, "pluk.core."):
    importlib.import_module(module.name)
import pluk.cli
pluk.cli.build_parser()
print("core imported without Qt")
"""


def test_core_imports_with_pyside6_blocked():
    result = subprocess.run([sys.executable, "-c", BLOCK_AND_IMPORT], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "core imported without Qt" in result.stdout
