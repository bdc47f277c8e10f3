"""Issue 26, item 4: the window writes the HTML export and validation.md in its own language
(the real export and validation calls of the window, Dutch translators installed)."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_validation import _golden_cases


def test_the_dutch_window_writes_dutch_documents(qapp, qtbot, tmp_path):
    from pluk.gui import i18n
    from pluk.gui.export_dialog import export_run
    from pluk.gui.validation_panel import ValidationPanel

    report = _golden_cases(tmp_path)["rich"]
    try:
        i18n.install_translators("nl", qapp)
        path, _ = export_run(Path(report.run.path), tmp_path / "run.html", "html")
        assert '<html lang="nl">' in path.read_text(encoding="utf-8")
        panel = ValidationPanel()
        qtbot.addWidget(panel)
        panel.run_dir = Path(report.run.path)
        panel.show_report(report)
        md, _ = panel.save_report(tmp_path / "v")
        assert md.read_text(encoding="utf-8").startswith("# Validatie van Pluk-run")
    finally:
        i18n.install_translators("en", qapp)
    path, _ = export_run(Path(report.run.path), tmp_path / "en.html", "html")
    assert '<html lang="en">' in path.read_text(encoding="utf-8")
