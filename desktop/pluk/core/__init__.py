"""Pluk's Qt-free core: tasks, readers, prompting, engine, pipeline, runs, export.

Nothing under this package may import PySide6; tests/core/test_qt_free.py enforces it.
"""
