"""The decoder on real models (SmolLM2-135M-Instruct, Gemma 3 270M) and real prompts: valid
answers, the answered option the most probable one, the same answers one at a time and three
at once, and most steps taken without a grammar mask."""

from __future__ import annotations

import pytest

from tests.core.engine.conftest import (answered_option, check_answer, make_decoder,
                                        prostate_task, run_all)
from tests.support.english_mri import labels

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def smollm2_runs(smollm2_model, reports):
    task, chosen = prostate_task(), reports[:3]
    runs = {}
    for parallel in (1, 3):
        with make_decoder(smollm2_model, parallel=parallel) as decoder:
            runs[parallel] = (run_all(decoder, task, chosen), decoder.stats)
    return runs


def assert_probabilities_agree(task, fields, result) -> None:
    by_name = {spec.name: spec for spec in task.fields}
    assert set(result.probabilities) == {"highest_pirads", "extraprostatic_extension"}
    for name, options in result.probabilities.items():
        assert sum(options.values()) == pytest.approx(1.0)
        answered = answered_option(by_name[name], fields[name])
        assert max(options, key=options.get) == answered, (name, options, result.text)


def test_smollm2_answers_validate_and_agree_with_their_probabilities(smollm2_runs):
    task, truth = prostate_task(), labels()
    results, _ = smollm2_runs[1]
    for result in results.values():
        _, fields, _ = check_answer(task, result)
        assert_probabilities_agree(task, fields, result)
        # SmolLM2 copies the PSA and the volume (as with llama-cpp-python's own generate).
        assert fields["psa"] == truth[result.id]["psa"], result.text
        assert fields["prostate_volume"] == truth[result.id]["prostate_volume"]
        assert result.tokens_cached > 0


def test_smollm2_answers_the_same_one_at_a_time_and_three_at_once(smollm2_runs):
    (one, one_stats), (three, three_stats) = smollm2_runs[1], smollm2_runs[3]
    assert {k: r.text for k, r in three.items()} == {k: r.text for k, r in one.items()}
    assert three_stats.decode_calls < one_stats.decode_calls


def test_smollm2_takes_most_steps_without_a_mask_and_forces_many_tokens(smollm2_runs):
    results, stats = smollm2_runs[1]
    assert stats.masks_computed < stats.sampled_tokens / 4
    assert stats.forced_tokens > 0.3 * (stats.sampled_tokens + stats.forced_tokens)
    for result in results.values():
        assert result.stats.decode_calls <= 2 + result.stats.sampled_tokens + \
            result.stats.side_tokens


def test_gemma3_answers_validate_and_agree_with_their_probabilities(gemma3_model, reports):
    task = prostate_task()
    with make_decoder(gemma3_model) as decoder:
        results = run_all(decoder, task, reports[:2])
    for result in results.values():
        _, fields, _ = check_answer(task, result)
        assert_probabilities_agree(task, fields, result)
