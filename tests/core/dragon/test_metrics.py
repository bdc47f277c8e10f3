"""Hand-computed cases for each DRAGON metric, including the quirks of docs/dragon.md §4.

The degenerate cases follow dragon_eval 0.2.11, and each is also scored by dragon_eval itself
(tests/support/official_scorer.py), so a change in either shows up here.
"""

import math

import pytest

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.metrics import (
    bio_entities,
    cohen_kappa,
    multi_label_ner_f1_weighted,
    ner_f1_macro,
    roc_auc,
    rsmape,
)
from tests.support.official_scorer import OfficialScorerFailed, score_cases

SL_BIN = ("Task101_Example_sl_bin_clf", "single_label_binary_classification_target")
SL_MC_LINEAR = ("Task102_Example_sl_mc_clf", "single_label_multi_class_classification_target")
ML_MC = ("Task105_Example_ml_mc_clf", "multi_label_multi_class_classification_target")
SL_REG = ("Task106_Example_sl_reg", "single_label_regression_target")
SL_NER = ("Task108_Example_sl_ner", "named_entity_recognition_target")
ML_NER = ("Task109_Example_ml_ner", "multi_label_named_entity_recognition_target")

# --- AUC ---------------------------------------------------------------------------------------


def test_auc_counts_pairs_ranked_correctly():
    # Positives .35/.8 against negatives .1/.4: 3 of 4 pairs in order.
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_auc_counts_ties_as_one_half():
    # Pairs (pos, neg): (.5,.5) tie = 1/2, (.5,.2) = 1, (.9,.5) = 1, (.9,.2) = 1 -> 3.5 / 4.
    assert roc_auc([False, True, False, True], [0.5, 0.5, 0.2, 0.9]) == pytest.approx(0.875)


def test_auc_of_a_constant_score_is_one_half():
    assert roc_auc([True, False, True, False, False], [0.7] * 5) == pytest.approx(0.5)


def test_auc_of_hard_scores_is_the_mean_of_sensitivity_and_specificity():
    # Sensitivity 2/3, specificity 1/2.
    assert roc_auc([1, 1, 1, 0, 0], [1.0, 1.0, 0.0, 0.0, 1.0]) == pytest.approx(7 / 12)


@pytest.mark.parametrize("labels", [[True, True, True], [False, False, False]])
def test_auc_with_one_class_in_the_truth_is_zero_as_in_dragon_eval(tmp_path, labels):
    # Undefined (scikit-learn gives NaN); dragon_eval 0.2.11 scores it 0.0, not 0.5 or an error.
    scores = [0.2, 0.9, 0.5]
    assert roc_auc(labels, scores) == 0.0
    assert score_cases(tmp_path, *SL_BIN, labels, scores) == 0.0


# --- Cohen's kappa -----------------------------------------------------------------------------


def test_unweighted_kappa():
    # Observed agreement 3/4, chance agreement (2*1 + 2*3) / 16 = 1/2.
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(0.5)


def test_kappa_counts_a_predicted_label_absent_from_the_truth_as_its_own_class():
    # Labels a, b, c: chance agreement (2*1 + 2*2 + 0*1) / 16 = 3/8, so (3/4 - 3/8) / (5/8).
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "c", "b", "b"]) == pytest.approx(0.6)


def test_linear_kappa_uses_sorted_string_order_for_the_entailment_labels():
    # contradiction(0) < entailment(1) < neutral(2): contradiction<->neutral costs 2.
    truth = ["contradiction", "contradiction", "entailment", "neutral"]
    pred = ["neutral", "contradiction", "entailment", "entailment"]
    # Sum of weighted observed = 2 + 1 = 3; of weighted expected = 2 + 1/2 + 1 = 7/2.
    assert cohen_kappa(truth, pred, weights="linear") == pytest.approx(1 / 7)
    # Unweighted: disagreements 2 against an expected 4 - (1/2 + 1/2 + 1/4) = 11/4.
    assert cohen_kappa(truth, pred) == pytest.approx(3 / 11)


def test_linear_kappa_penalises_the_far_swap_twice():
    truth = ["contradiction", "entailment", "neutral"]
    pred = ["neutral", "entailment", "contradiction"]
    # Observed weighted 2 + 2 = 4; expected (1/3) * 8; in any other order this is not -0.5.
    assert cohen_kappa(truth, pred, weights="linear") == pytest.approx(-0.5)


def test_kappa_with_one_class_in_the_truth_is_zero_as_in_dragon_eval(tmp_path):
    truth, pred = ["2", "2", "2"], ["2", "1", "2"]
    assert cohen_kappa(truth, pred, weights="linear") == 0.0
    assert score_cases(tmp_path, *SL_MC_LINEAR, truth, pred) == 0.0


def test_kappa_with_one_shared_label_fails_clearly_where_dragon_eval_gives_nan(tmp_path):
    # dragon_eval 0.2.11 maps only a NaN AUC to 0; this kappa stays NaN there, an error here.
    with pytest.raises(DragonError, match=r"undefined.*dragon_eval 0\.2\.11 scores this NaN"):
        cohen_kappa(["a", "a"], ["a", "a"])
    assert math.isnan(score_cases(tmp_path, *ML_MC, [["a", "a"], ["a", "a"]],
                                  [["a", "a"], ["a", "a"]]))


def test_kappa_rejects_unknown_weights():
    with pytest.raises(ValueError):
        cohen_kappa(["a", "b"], ["a", "b"], weights="quadratic")


# --- RSMAPE ------------------------------------------------------------------------------------


def test_rsmape_example_from_the_evaluator_tests():
    score = rsmape([0, 0, 0], [0.2, 0.3, 0.4], epsilon=0.001)
    assert score == pytest.approx(1 - (0.2 / 0.201 + 0.3 / 0.301 + 0.4 / 0.401) / 3, abs=1e-15)
    assert round(score, 6) == 0.003597


def test_rsmape_by_hand():
    assert rsmape([10.0, 2.0], [30.0, 2.0], epsilon=4) == pytest.approx(1 - (20 / 44) / 2)


def test_rsmape_drops_pairs_whose_truth_is_null_or_nan():
    assert rsmape([10.0, None, math.nan], [10.0, 5.0, None], epsilon=4) == 1.0


def test_rsmape_imputes_a_null_prediction_as_zero_as_in_dragon_eval(tmp_path):
    # The null costs |3| / (|3| + 0 + 4): dragon_eval 0.2.11 imputes 0 (0.2.6 gave NaN).
    expected = 1 - (0 + 3 / 7) / 2
    assert rsmape([10.0, 3.0], [10.0, None], epsilon=4) == pytest.approx(expected, abs=1e-15)
    assert rsmape([10.0], [math.nan], epsilon=4) == pytest.approx(1 - 10 / 14, abs=1e-15)
    official = score_cases(tmp_path, *SL_REG, [10.0, 3.0], [10.0, None])
    assert official == pytest.approx(expected, abs=1e-15)


def test_rsmape_without_a_numeric_truth_fails_clearly_where_dragon_eval_gives_nan(tmp_path):
    with pytest.raises(DragonError, match=r"truth is a number.*scores this NaN"):
        rsmape([None, None], [1.0, 2.0], epsilon=4)
    assert math.isnan(score_cases(tmp_path, *SL_REG, [None, None], [1.0, 2.0]))


# --- single-label NER --------------------------------------------------------------------------


def test_chunking_is_lenient_like_seqeval():
    tags = ["I-X", "I-X", "O", "B-Y", "I-Y", "I-X", "B-X", "I-1-lesion"]
    assert bio_entities(tags) == [
        ("X", 0, 1),  # a stray I- starts an entity
        ("Y", 3, 4),
        ("X", 5, 5),  # a change of type ends one entity and starts another
        ("X", 6, 6),
        ("1-lesion", 7, 7),  # the type is everything after the first "-"
    ]


def test_chunking_rejects_malformed_tags():
    with pytest.raises(DragonError, match="BIO"):
        bio_entities(["B-X", "PERSON"])


def test_a_stray_inside_tag_counts_as_an_entity_start():
    truth = [["B-X", "I-X", "O"]]
    assert ner_f1_macro(truth, [["I-X", "I-X", "O"]]) == 1.0  # same span (0, 1)
    assert ner_f1_macro(truth, [["O", "I-X", "O"]]) == 0.0  # span (1, 1) is wrong


def test_documents_are_separated_by_an_o():
    truth = [["B-X"], ["I-X"]]  # two entities, not one running across the boundary
    assert ner_f1_macro(truth, [["B-X"], ["B-X"]]) == 1.0
    assert ner_f1_macro(truth, [["B-X"], ["O"]]) == pytest.approx(2 / 3)  # P 1, R 1/2


def test_macro_f1_by_hand():
    truth = [["B-X", "O", "B-X", "B-Y", "O"]]
    pred = [["B-X", "O", "O", "B-Y", "B-Y"]]
    # X: P 1, R 1/2 -> 2/3. Y: P 1/2, R 1 -> 2/3.
    assert ner_f1_macro(truth, pred) == pytest.approx(2 / 3)


def test_an_invented_type_adds_a_zero_to_the_macro():
    assert ner_f1_macro([["B-X", "O"]], [["B-X", "B-<PHONENUMBER>"]]) == pytest.approx(0.5)


def test_ner_without_any_entity_fails_clearly_where_dragon_eval_gives_nan(tmp_path):
    docs = [["O", "O"], ["O"]]
    with pytest.raises(DragonError, match=r"undefined.*scores this NaN"):
        ner_f1_macro(docs, docs)
    assert math.isnan(score_cases(tmp_path, *SL_NER, docs, docs))


def test_ner_lengths_must_match():
    with pytest.raises(DragonError, match="token count"):
        ner_f1_macro([["B-X", "O"]], [["B-X"]])


# --- multi-label NER ---------------------------------------------------------------------------


def test_multi_label_ner_unit_test_of_the_evaluator():
    truth = [[["B-FOO"], ["I-FOO", "B-BAR"], ["I-FOO"]]]
    pred = [[["B-FOO"], ["I-FOO"], ["I-FOO"]]]
    assert multi_label_ner_f1_weighted(truth, pred) == pytest.approx(0.5)


def test_multi_label_ner_ignores_predicted_only_types():
    truth = [[["B-FOO"], ["O"]]]
    pred = [[["B-FOO"], ["B-BAZ"]]]
    assert multi_label_ner_f1_weighted(truth, pred) == 1.0
    # The single-label macro would count BAZ.
    assert ner_f1_macro([["B-FOO", "O"]], [["B-FOO", "B-BAZ"]]) == pytest.approx(0.5)


def test_multi_label_ner_weights_types_by_truth_support():
    truth = [[["B-FOO"], ["O"], ["B-FOO"], ["B-BAR"]]]
    pred = [[["B-FOO"], ["O"], ["B-FOO"], ["O"]]]
    assert multi_label_ner_f1_weighted(truth, pred) == pytest.approx(2 / 3)  # (2*1 + 1*0) / 3


def test_multi_label_ner_selects_tags_by_substring():
    # Type "1-BCC" also selects "B-11-BCC", so its sequences hold 2 truth entities (F1 1 and 0);
    # type "11-BCC" scores 0 on 1 entity: (1 + 0 + 0) / 3, where exact matching would give 1/2.
    truth = [[["B-1-BCC"], ["O"], ["B-11-BCC"]]]
    pred = [[["B-1-BCC"], ["O"], ["O"]]]
    assert multi_label_ner_f1_weighted(truth, pred) == pytest.approx(1 / 3)


def test_multi_label_ner_takes_the_first_matching_tag_of_a_token():
    # For FOO, token 1 keeps "I-FOO" (its first FOO tag), continuing the entity from token 0.
    truth = [[["B-FOO"], ["I-FOO", "B-FOO"]]]
    pred = [[["B-FOO"], ["B-FOO", "I-FOO"]]]
    # FOO truth: one entity (0, 1); pred: (0, 0) and (1, 1) -> P 0, R 0.
    assert multi_label_ner_f1_weighted(truth, pred) == 0.0


def test_multi_label_ner_without_truth_entities_fails_as_dragon_eval_does(tmp_path):
    truth, pred = [[["O"], ["O"]]], [[["B-FOO"], ["O"]]]
    with pytest.raises(DragonError, match="truth holds no entity"):
        multi_label_ner_f1_weighted(truth, pred)
    with pytest.raises(OfficialScorerFailed, match="Weights sum to zero"):
        score_cases(tmp_path, *ML_NER, truth, pred)
