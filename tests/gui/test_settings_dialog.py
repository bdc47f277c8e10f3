"""The settings dialog: it shows the current settings, returns what the user set (0 threads and
an empty folder mean the defaults), and OK saves them and adds the chosen runs folder to the
Previous runs tab; Cancel changes nothing."""

from __future__ import annotations

from pluk.core.models.hardware import default_threads
from pluk.core.options import ContextOptions, DecodingOptions, HardwareOptions, RunOptions
from pluk.core.settings import Settings, load_settings, save_settings
from pluk.gui.settings_dialog import SettingsDialog


def test_the_dialog_shows_and_returns_the_settings(qtbot):
    run = RunOptions(hardware=HardwareOptions(n_threads=3, n_gpu_layers=-1, parallel=2),
                     context=ContextOptions(ctx_cap=4096),
                     decoding=DecodingOptions(temperature=0.3, seed=7))
    original = Settings(run=run, csv_delimiter=";", last_task="x")
    dialog = SettingsDialog(original)
    qtbot.addWidget(dialog)
    assert dialog.threads.value() == 3 and dialog.gpu_layers.text() == "all layers"
    assert dialog.parallel.value() == 2
    assert dialog.ctx_cap.value() == 4096 and dialog.delimiter.currentData() == ";"
    assert dialog.settings() == original

    dialog.threads.setValue(0)
    dialog.parallel.setValue(0)
    assert dialog.threads.text() == f"automatic ({default_threads()})"
    assert dialog.parallel.text() == "automatic (4)"  # all layers on the GPU
    dialog.delimiter.setCurrentIndex(dialog.delimiter.findData("\t"))
    dialog.output_dir.setText("   ")
    changed = dialog.settings()
    assert changed.run.hardware.n_threads is None and changed.csv_delimiter == "\t"
    assert changed.run.hardware.parallel is None
    assert changed.output_dir is None and changed.last_task == "x"  # untouched fields kept
    assert changed.run.decoding.seed == 7  # and the options the dialog does not show
    assert original.run.hardware.n_threads == 3  # the dialog edits a copy


def test_the_dialog_allows_what_the_options_allow(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert (dialog.ctx_cap.minimum(), dialog.ctx_cap.maximum()) == (512, 262144)
    assert (dialog.temperature.minimum(), dialog.temperature.maximum()) == (0.0, 2.0)
    assert (dialog.threads.minimum(), dialog.threads.maximum()) == (0, 512)
    assert (dialog.parallel.minimum(), dialog.parallel.maximum()) == (0, 64)
    assert dialog.gpu_layers.minimum() == -1


def test_ok_saves_and_cancel_does_not(qtbot, window, tmp_path, monkeypatch):
    before = load_settings()
    runs = tmp_path / "my runs"
    try:
        def accept(dialog):
            dialog.ctx_cap.setValue(6144)
            dialog.output_dir.setText(str(runs))
            return True

        monkeypatch.setattr(SettingsDialog, "exec", accept)
        window.settings_action.trigger()
        saved = load_settings()
        assert saved.run.context.ctx_cap == 6144 and saved.output_dir == str(runs)
        assert saved.run.hardware == before.run.hardware
        assert window.session.settings == saved
        assert runs in window.history._roots

        def cancel(dialog):
            dialog.ctx_cap.setValue(1024)
            return False

        monkeypatch.setattr(SettingsDialog, "exec", cancel)
        window.settings_action.trigger()
        assert load_settings().run.context.ctx_cap == 6144
        assert window.session.settings.run.context.ctx_cap == 6144
    finally:
        save_settings(before)


def test_the_thinking_budget_is_automatic_off_or_a_number(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.thinking.text() == "automatic"
    assert dialog.settings().run.decoding.thinking_budget is None
    dialog.thinking.setValue(0)
    assert dialog.settings().run.decoding.thinking_budget == 0
    dialog.thinking.setValue(512)
    assert dialog.settings().run.decoding.thinking_budget == 512


def test_the_pseudonymise_box_keeps_the_default_unless_changed(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.pseudonymise.isChecked()  # a local model: off by default
    assert dialog.settings().run.privacy.pseudonymise is None
    dialog.pseudonymise.setChecked(True)
    changed = dialog.settings().run
    assert changed.privacy.pseudonymise is True and changed.pseudonymises()


def test_every_number_setting_says_what_it_does(qtbot, pluk_home):
    """Issue 26, item 8: threads, reports at once, GPU layers, context limit and temperature
    had no word of explanation."""
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    for box in (dialog.threads, dialog.parallel, dialog.gpu_layers, dialog.ctx_cap,
                dialog.temperature):
        assert len(box.toolTip()) > 30, box


def test_passes_are_a_number_of_answers_per_report(qtbot):
    """Issue 23, item 4: self-consistency is a setting in the window as well as `--passes`."""
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.passes.value() == 1 and (dialog.passes.minimum(), dialog.passes.maximum()) == (
        1, 20)
    assert len(dialog.passes.toolTip()) > 30
    dialog.passes.setValue(5)
    assert dialog.settings().run.decoding.passes == 5
    assert SettingsDialog(dialog.settings()).passes.value() == 5
