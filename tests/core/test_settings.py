"""The settings file: version 2 holds the one RunOptions model; a version-1 file's flat run
options are read into it; bounds are the options' own; a bad file gives the defaults."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from pluk.core.options import RunOptions
from pluk.core.settings import SCHEMA_VERSION, Settings, load_settings, save_settings, settings_path

V1_FILE = {"schema_version": 1, "n_threads": 3, "n_gpu_layers": -1, "ctx_cap": 4096,
           "temperature": 0.3, "output_dir": "/data/runs", "csv_delimiter": ";",
           "last_task": "prostate_mri_nl", "last_model": "/m/a.gguf",
           "recent_models": ["/m/a.gguf"]}


@pytest.fixture
def settings_file():
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = path.read_text() if path.exists() else None
    yield path
    if saved is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(saved)


def test_a_version_1_file_is_read_into_the_run_options(settings_file):
    settings_file.write_text(json.dumps(V1_FILE), encoding="utf-8")
    settings = load_settings()
    assert settings.schema_version == SCHEMA_VERSION == 2
    run = settings.run
    assert (run.hardware.n_threads, run.hardware.n_gpu_layers) == (3, -1)
    assert run.context.ctx_cap == 4096 and run.decoding.temperature == 0.3
    assert run.decoding.seed == 0 and run.reading.limit is None  # the rest: defaults
    assert (settings.output_dir, settings.csv_delimiter, settings.last_task) == (
        "/data/runs", ";", "prostate_mri_nl")
    assert settings.recent_models == ["/m/a.gguf"]
    # Saved again, it is a version-2 file with no flat copies left.
    save_settings(settings)
    data = json.loads(settings_file.read_text(encoding="utf-8"))
    assert data["schema_version"] == 2 and "ctx_cap" not in data
    assert data["run"]["context"]["ctx_cap"] == 4096
    assert load_settings() == settings


def test_a_version_1_file_with_defaults_only_migrates_too(settings_file):
    settings_file.write_text(json.dumps({"schema_version": 1}), encoding="utf-8")
    assert load_settings() == Settings()


def test_a_version_1_value_out_of_bounds_gives_the_defaults(settings_file):
    settings_file.write_text(json.dumps({**V1_FILE, "ctx_cap": 100}), encoding="utf-8")
    assert load_settings() == Settings()


def test_the_bounds_are_the_run_options_own():
    for bad in ({"context": {"ctx_cap": 100}}, {"hardware": {"n_threads": 0}},
                {"hardware": {"n_gpu_layers": -2}}, {"decoding": {"temperature": 2.5}},
                {"decoding": {"time_limit": 0}}, {"reading": {"limit": -1}}):
        with pytest.raises(ValidationError):
            Settings(run=RunOptions.model_validate(bad))
    with pytest.raises(ValidationError):  # a flat option in code is refused, not dropped
        Settings(ctx_cap=4096)


def test_a_manifest_of_either_shape_gives_its_run_options():
    nested = RunOptions.model_validate({"context": {"ctx_cap": 2048},
                                        "decoding": {"seed": 5, "probabilities": False}})
    saved = {**nested.model_dump(mode="json"), "context_plan": {"n_ctx": 512},
             "dragon": {"shots": 2}}
    assert RunOptions.from_saved(saved) == nested
    flat = {"ctx_cap": 2048, "n_threads": None, "n_gpu_layers": 0, "temperature": 0.0,
            "seed": 5, "limit": None, "reuse_prefix": True, "probabilities": False,
            "time_limit": 300.0, "context_plan": {"n_ctx": 512}}
    assert RunOptions.from_saved(flat) == nested


def test_a_removed_option_in_a_saved_file_is_dropped_not_refused():
    # decoding.reuse_prefix went with the decoder (it evaluates the prefix once per run).
    saved = Settings().model_dump(mode="json")
    saved["run"]["decoding"]["reuse_prefix"] = False
    loaded = Settings.model_validate(saved)
    assert loaded.run == RunOptions()
    assert RunOptions.from_saved({"decoding": {"reuse_prefix": True, "seed": 3}}).decoding.seed == 3
