"""An enum of thousands of options (issue 29, item 10): its probabilities are read in time
linear in the options' tokens (a trie, built once per decision, not every path against every
other at every branch), and the report's time limit and a stop request end that work.

The 3000-option task is built past the task loader's cap on allowed values: the engine must
scale whatever tasks let through. Nothing here times anything: a fake clock says when the limit
is passed, and counts of calls say how much work was done."""

from __future__ import annotations

import math
import random
import types
from collections import Counter

import pytest

from pluk.core.engine import decisions as decisions_module
from pluk.core.engine import decoder as decoder_module
from pluk.core.engine import slot as slot_module
from pluk.core.engine.decisions import DecisionWatch
from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.option_tree import OptionTree, branch_probabilities
from pluk.core.engine.protocol import DecisionSpec, GrammarSpec
from pluk.core.errors import CancelledError
from pluk.core.extraction.context import output_token_budget
from pluk.core.extraction.loop import record_from_result
from pluk.core.extraction.scoring import decision_specs
from pluk.core.tasks import TaskDefinition, json_schema
from tests.core.engine.conftest import build_requests, check_answer, make_decoder


def many_task(n: int) -> TaskDefinition:
    return TaskDefinition.model_validate({
        "id": "many_codes", "title": "Codes", "language": "en",
        "description": "The report's code.",
        "fields": [{"name": "code", "type": "enum",
                    "values": [f"code {i:05d}" for i in range(n)]},
                   {"name": "urgent", "type": "bool"}]})


def build_many(decoder, n: int, reports, *, time_limit: float | None = None):
    """Requests for the n-option task. The prompt is that of a 3-option one (on a random model
    it only costs decoding time); grammar, token budget and decisions are the n-option task's."""
    task = many_task(n)
    prompt, requests = build_requests(decoder, many_task(3), reports, time_limit=time_limit)
    schema = json_schema(task)
    for request in requests:
        request.grammar = GrammarSpec(schema_to_gbnf(schema))
        request.max_tokens = output_token_budget(schema)
        request.decisions = decision_specs(task)
    return task, prompt, requests


class Counted:
    """Counts OptionTree builds and side chains started (DecisionWatch.side_wants); `then`
    runs after each side chain is started."""

    def __init__(self, monkeypatch, then=None):
        self.trees = 0
        self.chains = 0
        counter = self

        class CountedTree(OptionTree):
            def __init__(self, sequences):
                counter.trees += 1
                super().__init__(sequences)

        wants = DecisionWatch.side_wants

        def side_wants(watch, chain):
            counter.chains += 1
            if then is not None:
                then()
            return wants(watch, chain)

        monkeypatch.setattr(decisions_module, "OptionTree", CountedTree)
        monkeypatch.setattr(DecisionWatch, "side_wants", side_wants)


@pytest.fixture(scope="module")
def tiny(tiny_model):
    with make_decoder(tiny_model) as decoder:
        yield decoder


@pytest.mark.parametrize("n", [1000, 3000])
def test_every_option_gets_its_probability_with_two_trees_per_decision(tiny, reports, n,
                                                                       monkeypatch):
    counted = Counted(monkeypatch)
    task, prompt, requests = build_many(tiny, n, reports[:1])
    (result,) = tiny.extract(prompt, requests)
    _, fields, _ = check_answer(task, result)
    codes = result.probabilities["code"]
    assert set(codes) == set(task.fields[0].values)
    assert sum(codes.values()) == pytest.approx(1.0)
    assert fields["code"] in codes
    assert sum(result.probabilities["urgent"].values()) == pytest.approx(1.0)
    # The side evaluations were many; the trees were built once per decision for the options'
    # forms and once for the settled paths, not again per side chain.
    assert counted.chains > 10
    assert counted.trees == 2 * 2
    # Each option's tokens are evaluated at most once on the side ('"code 00000"': 12 tokens).
    assert 0 < result.stats.side_tokens <= 12 * n


def _fake_clock(monkeypatch) -> list[float]:
    now = [0.0]
    clock = types.SimpleNamespace(perf_counter=lambda: now[0])
    monkeypatch.setattr(slot_module, "time", clock)
    monkeypatch.setattr(decoder_module, "time", clock)
    return now


@pytest.mark.parametrize("n", [1000, 3000])
def test_the_time_limit_ends_the_probability_work_and_the_record_says_so(tiny, reports, n,
                                                                        monkeypatch):
    now = _fake_clock(monkeypatch)

    def past_the_limit() -> None:
        now[0] = 6.0  # the first side chain takes the report past its 5 seconds

    counted = Counted(monkeypatch, then=past_the_limit)
    task, prompt, requests = build_many(tiny, n, reports[:1], time_limit=5)
    (result,) = tiny.extract(prompt, requests)
    assert result.finish_reason == "time"
    assert counted.chains == 1  # no side chain started after the limit
    assert result.probabilities == {}
    limits = dict(token_limit=result.token_limit, time_limit_s=5)
    record = record_from_result(task, reports[0], result, [], limits)
    assert record.status == "invalid" and record.time_limit_s == 5
    assert "5-second limit" in record.error


def test_a_stop_request_ends_the_probability_work(tiny, reports, monkeypatch):
    counted = Counted(monkeypatch)
    task, prompt, requests = build_many(tiny, 1000, reports[:1])
    with pytest.raises(CancelledError):
        list(tiny.extract(prompt, requests, should_stop=lambda: counted.chains > 0))
    assert counted.chains == 1
    # The decoder answers again after the stop.
    (result,) = tiny.extract(*build_many(tiny, 3, reports[:1])[1:])
    check_answer(many_task(3), result)


# -- the trie against the pairwise reading it replaces ------------------------------------------

def _pairwise_branching(paths):
    ends = set(paths)
    out = {}
    for path in paths:
        for i in range(len(path) + 1):
            prefix = path[:i]
            kids = {other[i] for other in paths if len(other) > i and other[:i] == prefix}
            if kids and (len(kids) > 1 or prefix in ends):
                out[prefix] = kids
    return list(out.items())


def _pairwise_probabilities(paths, after):
    copies = Counter(paths)
    result = []
    for path in paths:
        p = 1.0
        for i in range(len(path) + 1):
            prefix = path[:i]
            children = {other[i] for other in paths if len(other) > i and other[:i] == prefix}
            ends_here = prefix in copies
            if not children or (len(children) == 1 and not ends_here):
                continue
            weights = {t: math.exp(after[prefix][t]) for t in children}
            end = max(1.0 - sum(weights.values()), 1e-12) if ends_here else 0.0
            chosen = end if i == len(path) else weights[path[i]]
            p *= chosen / (sum(weights.values()) + end)
        result.append(p / copies[path])
    return result


class _ByteVocab:
    """One token a byte: an option's path is its bytes."""

    def tokenize_bytes(self, data: bytes) -> list[int]:
        return list(data)

    def continuation(self, before: bytes, text: bytes, head=None) -> list[int]:
        return list(text)


def _random_options(rng: random.Random, n: int) -> list[str]:
    options = {"".join(rng.choice("ab12") for _ in range(rng.randint(1, 5))) for _ in range(n)}
    return sorted(options)


def test_the_trie_gives_the_pairwise_numbers_and_side_chains():
    rng = random.Random(7)
    options = _random_options(rng, 150)
    watch = DecisionWatch(DecisionSpec(key="k", options={o: [o] for o in options}), _ByteVocab(),
                          index=0, before=b"", lead=b"", value_start=0)
    written = options[len(options) // 2].encode()
    watch.value_end = len(written)
    watch.settle(list(written), list(range(len(written))), written)
    paths = [path for _, path in watch.paths]
    assert watch._branching() == _pairwise_branching(paths)
    # Some branches observed while the answer was written, the rest on the side.
    for prefix, kids in _pairwise_branching(paths)[::3]:
        watch.record(prefix, {t: -1.0 for t in kids})
    unseen = [p for p, kids in _pairwise_branching(paths)
              if not kids <= watch.observed.get(p, {}).keys()]
    chains = watch.missing()
    assert sorted(chains) == sorted(p for p in unseen
                                    if not any(o != p and o[:len(p)] == p for o in unseen))
    for chain in chains:
        wants = watch.side_wants(chain)
        assert wants == {len(p) - 1: (p, sorted(k)) for p, k in _pairwise_branching(paths)
                         if p and chain[:len(p)] == p}
        for prefix, tokens in wants.values():
            watch.record(prefix, {t: -rng.random() * 4 for t in tokens})
    watch.record((), {t: -rng.random() * 4 for t in _pairwise_branching(paths)[0][1]})
    assert watch.missing() == []
    after = {p: watch.observed[p] for p, _ in _pairwise_branching(paths)}
    assert branch_probabilities(paths, after) == pytest.approx(_pairwise_probabilities(paths,
                                                                                       after))
    assert sum(watch.probabilities().values()) == pytest.approx(1.0)
