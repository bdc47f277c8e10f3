"""Screenshots of the whole window for a person to look at: every tab, at 1280x720 and
1920x1080, in English and in Dutch, with reports loaded, a run open, a review under way and a
validation shown (layout_probe.stage). Each shot's name says its size, language and tab; a
layout.txt beside them lists, per shot, the rows each list shows (at least 5 is the bar), the
headers that do not fit and whether the window is inside the screen.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=desktop python -m tests.gui.screenshots OUT_FOLDER

Runs offscreen with a screen of each size (Qt's offscreen platform, configured per size), in a
private PLUK_HOME; each size and language is its own process, as a screen's size is fixed when
Qt starts. Takes about half a minute per size and language.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = tuple(tuple(int(n) for n in s.split("x")) for s in os.environ.get(
    "PLUK_SHOT_SIZES", "1280x720 1920x1080").split())
LANGUAGES = ("en", "nl")


def _one(out: Path, width: int, height: int, language: str) -> None:
    """In this process: the screen is already width x height (see main)."""
    from PySide6.QtWidgets import QApplication

    from pluk.core.models.random_model import build_random_gguf
    from pluk.core.settings import load_settings
    from pluk.gui.app import make_app
    from pluk.gui.main_window import MainWindow
    from tests.gui import layout_probe

    app = make_app(language)
    root = Path(tempfile.mkdtemp(prefix="pluk-shots-"))
    window = MainWindow(load_settings())
    window.model_picker.set_path(build_random_gguf(root / "tiny.gguf"))
    window.show()
    layout_probe.wait_until(lambda: not window.session.model_checking)
    layout_probe.stage(window, root / "stage")
    lines = [f"{width}x{height} {language}: window {window.width()}x{window.height()} at "
             f"{window.x()},{window.y()}"]

    def shot(index: int, tab: str) -> None:
        name = f"{width}x{height}_{language}_{index}_{_slug(tab)}.png"
        QApplication.processEvents()
        window.grab().save(str(out / name))
        rows = {k: round(layout_probe.list_rows(v), 1)
                for k, v in layout_probe.lists(window).items() if v.isVisible()}
        cut = {k: layout_probe.header_cut(v) for k, v in layout_probe.lists(window).items()
               if v.isVisible() and layout_probe.header_cut(v)}
        lines.append(f"  {name}: rows {rows}; headers cut {cut or 'none'}; inside screen "
                     f"{layout_probe.inside_screen(window)} ({window.width()}x"
                     f"{window.height()})")

    layout_probe.visit_every_tab(window, shot)
    with (out / "layout.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    window.session.shutdown()
    window.close()
    app.processEvents()


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[0] == "--one":
        _one(Path(argv[1]), int(argv[2]), int(argv[3]), argv[4])
        return 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "layout.txt").write_text("", encoding="utf-8")
    for width, height in SIZES:
        config = out / f".screen-{width}x{height}.json"
        config.write_text(json.dumps({"screens": [
            {"name": "screen", "x": 0, "y": 0, "width": width, "height": height,
             "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
        for language in LANGUAGES:
            env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
                       PLUK_HOME=tempfile.mkdtemp(prefix="pluk-shots-home-"))
            subprocess.run([sys.executable, "-m", "tests.gui.screenshots", "--one", str(out),
                            str(width), str(height), language], env=env, check=True)
        config.unlink()
    print((out / "layout.txt").read_text(encoding="utf-8"))
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
