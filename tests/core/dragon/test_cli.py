"""`pluk dragon evaluate`, through a parser built with the module's own register()."""

import argparse
import json

import pytest

from pluk.commands import dragon
from pluk.core.dragon.errors import DragonError


def parse(argv):
    parser = argparse.ArgumentParser(prog="pluk")
    dragon.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_evaluate_prints_and_writes_the_metrics(synthetic, tmp_path, capsys):
    out = tmp_path / "metrics.json"
    args = parse([
        "dragon", "evaluate",
        "--predictions", str(synthetic / "example-predictions-baseline"),
        "--ground-truth", str(synthetic / "ground-truth"),
        "--tasks", "Task101", "Task108_Example_sl_ner",
        "--out", str(out),
    ])
    assert args.func(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text())
    assert list(printed["case"]) == ["Task101_Example_sl_bin_clf", "Task108_Example_sl_ner"]
    expected_file = synthetic / "expected-metrics-for-example-predictions.json"
    expected = json.loads(expected_file.read_text())
    assert printed["case"]["Task108_Example_sl_ner"] == pytest.approx(
        expected["case"]["Task108_Example_sl_ner"], abs=1e-9
    )


def test_evaluate_with_a_missing_folder_raises_a_user_error(tmp_path):
    args = parse([
        "dragon", "evaluate",
        "--predictions", str(tmp_path / "nope"),
        "--ground-truth", str(tmp_path),
    ])
    with pytest.raises(DragonError, match="predictions folder not found"):
        args.func(args)


def test_evaluate_requires_its_folders(capsys):
    with pytest.raises(SystemExit):
        parse(["dragon", "evaluate", "--predictions", "p"])
    assert "--ground-truth" in capsys.readouterr().err


def test_the_group_requires_a_sub_command():
    with pytest.raises(SystemExit):
        parse(["dragon"])


def test_folds_default_to_the_five_dragon_folds():
    args = parse(["dragon", "evaluate", "--predictions", "p", "--ground-truth", "g"])
    assert args.folds == [0, 1, 2, 3, 4] and args.tasks is None and args.out is None
