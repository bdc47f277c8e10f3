"""Issue 26, item 4: built-in tasks carry Dutch titles and descriptions; the Dutch window shows
them, the English one their own, and a search finds a task by its title in either language.
The model's prompt never changes with them (a real TaskPanel, offscreen)."""

from __future__ import annotations

import pytest

from pluk.core.tasks import list_tasks, load_task, task_sha256
from pluk.core.tasks.loader import parse_task


def test_every_builtin_task_has_a_dutch_title_and_description():
    tasks, problems = list_tasks()
    assert not problems
    from pluk.core.paths import builtin_tasks_dir

    root = builtin_tasks_dir().resolve()
    builtin = [t for path, t in tasks if path.resolve().is_relative_to(root)]
    assert len(builtin) >= 40
    for task in builtin:
        nl = task.translations["nl"]
        assert nl.title and nl.description != task.description, task.id


def test_translations_never_reach_the_prompt_or_the_hash():
    task = load_task("prostate_mri_nl")
    bare = task.model_copy(update={"translations": {}})
    assert task_sha256(task) == task_sha256(bare)
    assert "translations" not in bare.model_dump()  # a task without them dumps as before
    from pluk.core.extraction.prompt import messages_for

    report = "PSA 4,1 ng/ml."
    assert messages_for(task, report) == messages_for(bare, report)


def test_a_translation_must_name_a_language_code():
    data = load_task("prostate_mri_nl").model_dump(mode="json")
    data["translations"] = {"Dutch": {"title": "x"}}
    with pytest.raises(Exception, match="translations"):
        parse_task(data, "t")


def _prostate_panel(qtbot):
    """A task panel in the window's language now, the prostate task chosen."""
    from pluk.gui.task_panel import TaskPanel

    panel = TaskPanel()
    qtbot.addWidget(panel)
    panel.reload()
    assert panel.select("prostate_mri_nl")
    return panel


def test_the_window_shows_the_task_in_its_language_and_searches_both(qtbot, qapp, pluk_home):
    from pluk.gui import i18n

    try:
        i18n.install_translators("nl", qapp)
        panel = _prostate_panel(qtbot)
        assert panel.combo.currentText() == "Prostaat-MRI: PSA, volume, PI-RADS, laesies"
        assert panel.description.text().startswith("Haal de belangrijkste waarden")
        panel.search.setText("pathologie: soort")  # only in the Dutch title
        panel._searched(panel.search.text())
        assert panel.current_task().id == "pathology_tissue_nl"
        panel._searched("prostate mri")  # the English title still finds it
        assert panel.current_task().id == "prostate_mri_nl"
        # A copy to edit is the user's own task, titled in the window's language.
        with qtbot.waitSignal(panel.edit_requested) as blocker:
            panel._request_edit()
        data, path = blocker.args
        assert path is None and "translations" not in data
        assert data["title"] == "Prostaat-MRI: PSA, volume, PI-RADS, laesies (kopie)"
    finally:
        i18n.install_translators("en", qapp)
    english = _prostate_panel(qtbot)
    assert english.combo.currentText() == "Prostate MRI: PSA, volume, PI-RADS, lesions"
