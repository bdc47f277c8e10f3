"""The frozen executable's entry point: `pluk` with no arguments opens the GUI, `pluk COMMAND`
runs the CLI (pluk.cli.main decides). Used only by packaging/pluk.spec."""

import multiprocessing
import sys


def _hide_own_console_on_windows() -> None:
    """pluk.exe is a console program so the CLI can print; started from Explorer or the Start
    menu (it then owns its console alone) the GUI hides that console window."""
    if sys.platform != "win32" or len(sys.argv) > 1:
        return
    import ctypes

    kernel32 = ctypes.windll.kernel32
    processes = (ctypes.c_uint * 2)()
    if kernel32.GetConsoleProcessList(processes, 2) == 1:
        ctypes.windll.user32.ShowWindow(kernel32.GetConsoleWindow(), 0)


def _qt_smoke() -> int:
    """PLUK_QT_SMOKE=1: show a plain QWidget titled "Pluk Qt smoke" until closed or killed.
    A packaging check of the bundle's Qt (plugins, xcb libraries) that needs no GUI code;
    linux/ci_smoke.sh uses it when the tree has no `pluk gui` yet."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    widget = QWidget()
    widget.setWindowTitle("Pluk Qt smoke")
    widget.resize(320, 200)
    widget.show()
    QTimer.singleShot(500, lambda: print(
        f"Qt smoke: platform {app.platformName()}, widget visible {widget.isVisible()}",
        flush=True))
    return app.exec()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    import os

    if os.environ.get("PLUK_QT_SMOKE") == "1":
        sys.exit(_qt_smoke())
    _hide_own_console_on_windows()
    from pluk import cli

    sys.exit(cli.main())
