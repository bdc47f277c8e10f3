"""The id uniqueness rule, on Reports built directly."""

from __future__ import annotations

from pluk.core.readers.ids import make_unique
from pluk.core.readers.reports import Report


def rep(id_):
    return Report.from_text(id=id_, source="s", format="txt", text=id_)


def test_rules_in_order():
    out = make_unique([
        ("a", [rep("x"), rep("x"), rep("y")]),  # same input: numbered
        ("b", [rep("x"), rep("b/x")]),          # other input: prefixed; then the natural id clashes
        ("b2", [rep("x")]),
        ("b", [rep("x")]),                      # prefixed id taken too: numbered
    ])
    assert [r.id for r in out] == ["x", "x#2", "y", "b/x", "b/x#2", "b2/x", "b/x#3"]
    assert out[0].warnings == [] and out[1].warnings
    assert [r.text for r in out] == ["x", "x", "y", "x", "b/x", "x", "x"]


def test_deterministic():
    groups = [("a", [rep("1"), rep("1")]), ("b", [rep("1")])]
    assert [r.id for r in make_unique(groups)] == [r.id for r in make_unique(groups)]
