"""Issue 26, item 8: with prostate MRI reports loaded and another task chosen, the window says
which task the reports look like and switches on one click; reports that fit the chosen task
get no such word (core/tasks/suggest.py; the real window, offscreen)."""

from __future__ import annotations

from pluk.core.tasks import list_tasks
from pluk.core.tasks.suggest import suggest
from tests.gui.conftest import load_folder
from tests.support.english_mri import reports as english_mri

PATHOLOGY = [
    "PA-verslag. Aard materiaal: colon, resectie. Microscopie: adenocarcinoom, matig "
    "gedifferentieerd. Conclusie: maligne, pT3N0.",
    "Histologie huidbiopt: basaalcelcarcinoom, nodulair type. Conclusie: maligne.",
    "Aard materiaal: long, biopt. Conclusie: plaveiselcelcarcinoom.",
]


def test_prostate_reports_under_another_task_suggest_the_prostate_task(qtbot, window,
                                                                     tmp_path):
    panel = window.task_panel
    assert panel.select("pathology_tissue_nl")
    folder = tmp_path / "mri"
    folder.mkdir()
    for report in english_mri()[:6]:
        (folder / f"{report.id}.txt").write_text(report.text, encoding="utf-8")
    load_folder(qtbot, window, folder, 6)
    qtbot.waitUntil(lambda: panel.suggestion.isVisible(), timeout=5_000)
    assert "Prostate MRI" in panel.suggestion.text()
    panel.use_suggestion.click()
    assert panel.current_task().id == "prostate_mri_nl"
    assert not panel.suggestion.isVisible()  # the chosen task fits: nothing more to say


def test_reports_that_fit_the_chosen_task_get_no_suggestion():
    tasks = [t for path, t in list_tasks()[0] if "dragon" not in path.parts]
    assert suggest(tasks, "pathology_tissue_nl", PATHOLOGY) is None
    assert suggest(tasks, "prostate_mri_nl", PATHOLOGY).id == "pathology_tissue_nl"
    mri = [r.text for r in english_mri()]
    assert suggest(tasks, "prostate_mri_nl", mri) is None
    assert suggest(tasks, None, []) is None
