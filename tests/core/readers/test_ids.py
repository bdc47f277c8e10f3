"""The id uniqueness rule, on Reports built directly, and ids that stay the same from one
process to the next."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pluk.core.readers.ids import make_unique
from pluk.core.readers.reports import Report


def rep(id_):
    return Report.from_text(id=id_, source="s", format="txt", text=id_)


def test_rules_in_order():
    out = make_unique([
        ("a", [rep("x"), rep("x"), rep("y")]),  # same input: numbered
        ("b", [rep("x"), rep("b/x")]),          # other input: prefixed, past the real "b/x"
        ("b2", [rep("x")]),
        ("b", [rep("x")]),                      # prefixed id taken too: numbered
    ])
    # A real id is never given to another report: "b/x" keeps its own id.
    assert [r.id for r in out] == ["x", "x#2", "y", "b/x#2", "b/x", "b2/x", "b/x#3"]
    assert out[0].warnings == [] and out[1].warnings and out[4].warnings == []
    assert [r.text for r in out] == ["x", "x", "y", "x", "b/x", "x", "x"]


# Reads the inputs given as arguments and prints their ids, as `pluk extract` would get them.
_PRINT_IDS = """
import json, sys
from pluk.core.readers import read_inputs
print(json.dumps([r.id for r in read_inputs(sys.argv[1:])]))
"""


def _ids_in_a_fresh_process(inputs: list[Path], hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", _PRINT_IDS, *map(str, inputs)], env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_ids_are_the_same_in_every_process(tmp_path):
    # A resumed run, an export and `pluk evaluate` meet the ids of another process: string
    # hashing differs per process (PYTHONHASHSEED), so no id may depend on set or hash order.
    first, second = tmp_path / "scans", tmp_path / "more" / "scans"
    for folder in (first, second, first / "sub"):
        folder.mkdir(parents=True)
        for name in ("b.txt", "a.txt", "c.md", "z.txt", "y.txt"):
            (folder / name).write_text(f"{folder.name} {name}", encoding="utf-8")
    table = tmp_path / "table.csv"
    table.write_text("id,text\na.txt,een\nq,twee\nq,drie\n,vier\n", encoding="utf-8")
    single = tmp_path / "losse" / "a.txt"
    single.parent.mkdir()
    single.write_text("los", encoding="utf-8")
    inputs = [first, second, table, single]
    runs = [_ids_in_a_fresh_process(inputs, seed) for seed in ("1", "2", "987654")]
    assert runs[0] == runs[1] == runs[2]
    ids = runs[0]
    assert len(ids) == len(set(ids)) == 5 + 5 + 5 + 4 + 1
    # Every rule of make_unique took part, so the check covers renamed ids too.
    assert {"sub/a.txt", "scans/a.txt", "table.csv/a.txt", "q#2", "losse/a.txt"} <= set(ids)
