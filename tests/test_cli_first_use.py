"""The command line as a new user meets it: the export format follows the file name (a clash is
refused), a Dutch CSV is asked for, not guessed; an empty input folder is an error, not "0
records"; a misspelled task gets the closest ids; `tasks list` stays aligned; every run flag
has help text; the install declares its licence as an SPDX expression."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pluk.cli import main
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import task_sha256
from pluk.core.tasks.loader import parse_task

ROOT = Path(__file__).resolve().parents[1]
TASK = parse_task({"id": "cli_task", "title": "CLI task", "description": "d", "fields": [
    {"name": "psa", "type": "float"}, {"name": "abnormal", "type": "bool"}]}, "test")


@pytest.fixture
def run_dir(tmp_path) -> Path:
    """A finished run folder of two records, made without a model."""
    manifest = RunManifest(model=ModelFacts(path="m.gguf", sha256="0" * 64, size_bytes=1),
                           task=TASK.model_dump(mode="json"), task_sha256=task_sha256(TASK))
    folder = RunFolder.start(tmp_path / "run", manifest, resume=False)
    for n, (psa, abnormal) in enumerate(((9.7, True), (27.0, False))):
        folder.append(Record(id=f"r{n}", source=f"r{n}.txt", sha256=str(n), status="ok",
                             fields={"psa": psa, "abnormal": abnormal}))
    folder.finish("finished")
    return folder.path


def test_export_takes_the_format_from_the_file_name(run_dir, tmp_path, capsys):
    out = tmp_path / "mri.xlsx"
    assert main(["export", str(run_dir), "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"  # a workbook (a zip), not CSV text
    assert "(xlsx)" in capsys.readouterr().err
    assert main(["export", str(run_dir), "--out", str(tmp_path / "r.json")]) == 0
    assert (tmp_path / "r.json").read_text(encoding="utf-8").lstrip().startswith("{")


def test_export_refuses_a_format_that_contradicts_the_file_name(run_dir, tmp_path, capsys):
    out = tmp_path / "mri.xlsx"
    assert main(["export", str(run_dir), "--format", "csv", "--out", str(out)]) == 2
    assert "does not match" in capsys.readouterr().err and not out.exists()
    assert main(["export", str(run_dir), "--out", str(tmp_path / "mri.txt")]) == 2
    assert "--format" in capsys.readouterr().err


def test_a_semicolon_keeps_decimal_points_unless_a_comma_is_asked_for(run_dir, tmp_path):
    def rows(path):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh, delimiter=";"))

    plain = tmp_path / "plain.csv"
    assert main(["export", str(run_dir), "--out", str(plain), "--delimiter", ";"]) == 0
    assert [(r["psa"], r["abnormal"]) for r in rows(plain)] == [("9.7", "yes"), ("27", "no")]
    dutch = tmp_path / "dutch.csv"
    assert main(["export", str(run_dir), "--out", str(dutch), "--delimiter", ";",
                 "--decimal", ","]) == 0
    assert [r["psa"] for r in rows(dutch)] == ["9,7", "27"]


def test_an_empty_input_folder_is_an_error_not_a_run(tmp_path, tiny_model, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["extract", "--task", "prostate_mri_nl", "--input", str(empty), "--model",
                 str(tiny_model), "--out", str(tmp_path / "run")])
    assert code == 2
    err = capsys.readouterr().err
    assert "No reports found" in err and "nothing was run" in err
    assert not (tmp_path / "run" / "manifest.json").exists()


def test_a_misspelled_task_suggests_the_closest_ids(tmp_path, capsys):
    assert main(["tasks", "show", "prostate_mri"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean prostate_mri_nl" in err
    assert err.count("dragon_") == 0 and len(err.splitlines()) == 1


def test_tasks_list_columns_line_up(capsys):
    assert main(["tasks", "list"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    # The title starts at the same column on every line, also past 32-character ids.
    starts = {re.match(r"^\S+\s+\S+\s+", line).end() for line in lines}
    assert len(starts) == 1 and max(len(line.split()[0]) for line in lines) > 32


@pytest.mark.parametrize("command", ["extract", "dragon run"])
def test_every_run_flag_has_help_text(command, capsys):
    with pytest.raises(SystemExit):
        main([*command.split(), "--help"])
    text = capsys.readouterr().out
    for flag in ("--temperature", "--seed", "--threads", "--ctx", "--time-limit"):
        entry = re.search(rf"{flag}\s+\S*\s*(.*)", text)
        assert entry and entry.group(1).strip(), f"{command} {flag} has no help text"


def test_the_licence_is_an_spdx_expression():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib needs 3.11
    assert re.search(r'^license = "Apache-2.0"$', text, re.M)
    setuptools = re.search(r'requires = \[.*"setuptools>=(\d+)', text)
    assert setuptools and int(setuptools.group(1)) >= 77


def test_the_readme_puts_pluk_on_the_path_before_using_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    assert "activate" in first and first.strip().endswith("pluk")
