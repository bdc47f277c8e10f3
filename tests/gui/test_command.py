"""`pluk gui [PATH ...]`: the command parses its paths and refuses ones that do not exist."""

from __future__ import annotations

import argparse

import pytest

from pluk.commands import gui
from pluk.core.errors import PlukError


def test_gui_command_takes_paths():
    parser = argparse.ArgumentParser()
    gui.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["gui", "a", "b"])
    assert args.paths == ["a", "b"] and args.func is gui.run
    assert parser.parse_args(["gui"]).paths == []


def test_a_missing_path_is_a_plain_error(tmp_path):
    with pytest.raises(PlukError, match="No such file or folder"):
        gui.open_window([str(tmp_path / "nowhere")])


def test_settings_survive_a_damaged_file(pluk_home):
    from pluk.core.options import ContextOptions, RunOptions
    from pluk.core.settings import Settings, load_settings, save_settings, settings_path

    saved = settings_path().read_text()
    try:
        settings_path().write_text("{ not json")
        assert load_settings() == Settings()
        save_settings(Settings(run=RunOptions(context=ContextOptions(ctx_cap=4096)),
                               csv_delimiter=";"))
        assert load_settings().run.context.ctx_cap == 4096
        assert load_settings().csv_delimiter == ";"
    finally:
        settings_path().write_text(saved)
