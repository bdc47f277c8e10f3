"""Calibration in a validation: the ECE on hand-made (confidence, correct) lists, the reliability
diagram as a real PNG decoded back pixel by pixel, and a validation whose records carry option
probabilities, written as validation.md with the picture beside it."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from pluk.core.validation.calibration import calibration
from pluk.core.validation.evaluate import validate_run, write_report
from pluk.core.validation.reliability_png import (
    BAR, DIAGONAL, TICK, WHITE, plot_box, reliability_png,
)
from pluk.core.validation.result import ValidationReport
from tests.core.test_validation import make_run, ok


# -- the ECE by hand -----------------------------------------------------------------------------


def test_perfectly_calibrated_confidences_have_ece_zero():
    # 0.25 right one time in four, 0.75 three times in four: every bin's accuracy is its
    # confidence.
    pairs = [(0.25, True)] + [(0.25, False)] * 3 + [(0.75, True)] * 3 + [(0.75, False)]
    found = calibration(pairs)
    assert found["ece"]["value"] == pytest.approx(0.0)
    assert found["n"] == 8
    assert [b["count"] for b in found["bins"]] == [0, 0, 4, 0, 0, 0, 0, 4, 0, 0]
    assert found["bins"][2]["accuracy"] == 0.25 and found["bins"][7]["accuracy"] == 0.75


def test_certain_and_half_right_has_ece_one_half():
    found = calibration([(1.0, True), (1.0, False)] * 5)
    assert found["ece"]["value"] == pytest.approx(0.5)
    last = found["bins"][-1]  # 1.0 falls in the last bin, [0.9, 1.0]
    assert (last["count"], last["mean_confidence"], last["accuracy"]) == (10, 1.0, 0.5)
    assert all(b["count"] == 0 and b["accuracy"] is None for b in found["bins"][:-1])


def test_ece_weights_each_bin_by_its_answers():
    # Bin 0.9-1.0: 3 answers at 0.95, 2 right -> |2/3 - 0.95| * 3/5; bin 0.5-0.6: 2 answers at
    # 0.55, none right -> 0.55 * 2/5.
    pairs = [(0.95, True), (0.95, True), (0.95, False), (0.55, False), (0.55, False)]
    expected = abs(2 / 3 - 0.95) * 3 / 5 + 0.55 * 2 / 5
    assert calibration(pairs)["ece"]["value"] == pytest.approx(expected)
    five = calibration(pairs, bins=2)  # two bins: all five in [0.5, 1.0]
    assert [b["count"] for b in five["bins"]] == [0, 5]
    assert five["ece"]["value"] == pytest.approx(abs(2 / 5 - (3 * 0.95 + 2 * 0.55) / 5))


def test_any_confidence_can_be_calibrated_like_an_agreement_of_passes():
    # k of 5 passes agreeing, as k/5: the same function, the same arithmetic.
    pairs = [(5 / 5, True)] * 4 + [(3 / 5, True), (3 / 5, False)]
    found = calibration(pairs)
    assert found["ece"]["value"] == pytest.approx(0 * 4 / 6 + abs(0.5 - 0.6) * 2 / 6)


def test_no_pairs_has_no_ece_and_the_bootstrap_brackets_the_estimate():
    assert calibration([])["ece"]["value"] is None and calibration([])["n"] == 0
    pairs = [(0.9, i % 3 != 0) for i in range(30)] + [(0.3, i % 2 == 0) for i in range(20)]
    found = calibration(pairs, resamples=300, seed=7)
    ece = found["ece"]
    assert ece["ci_low"] <= ece["value"] <= ece["ci_high"]
    assert calibration(pairs, resamples=300, seed=7)["ece"] == ece  # seeded


# -- the PNG -------------------------------------------------------------------------------------


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG, checking signature and chunk CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = chunks.get(kind, b"") + body
        at += 12 + length
    assert list(chunks)[-1] == b"IEND"
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    assert len(raw) == stride * height
    rows = [raw[y * stride:(y + 1) * stride] for y in range(height)]
    assert all(row[0] == 0 for row in rows)  # filter 0: the rows are the pixels as they are
    return width, height, [row[1:] for row in rows]


def pixel(rows, x, y) -> tuple[int, int, int]:
    return tuple(rows[y][3 * x:3 * x + 3])


def test_reliability_diagram_is_a_png_of_the_stated_size_with_its_bars():
    found = calibration([(0.95, True)] * 9 + [(0.95, False)] + [(0.35, False)] * 2)
    width, height, rows = decode_png(reliability_png(found["bins"], 300, 240))
    assert (width, height) == (300, 240)
    left, top, right, bottom = plot_box(width, height)

    def at(x: float, y: float):
        return pixel(rows, left + round(x * (right - left)), bottom - round(y * (bottom - top)))

    assert at(0.93, 0.5) == BAR     # bin 0.9-1.0, accuracy 0.9: filled up to 0.9
    assert at(0.93, 0.98) == WHITE  # above its bar (and above its tick at 0.95)
    assert at(0.93, 0.95) == TICK   # the mean confidence of that bin
    assert at(0.35, 0.01) == WHITE  # bin 0.3-0.4 has accuracy 0: no filled bar
    assert at(0.32, 0.35) == TICK   # …but its mean confidence is marked
    assert at(0.15, 0.85) == WHITE  # an empty bin has nothing
    assert at(0.655, 0.655) == DIAGONAL


def test_reliability_diagram_refuses_a_size_it_cannot_draw():
    with pytest.raises(ValueError, match="pixels"):
        reliability_png([], 20, 200)


# -- in a validation -----------------------------------------------------------------------------


def test_validation_calibrates_option_probabilities_and_writes_the_picture(tmp_path):
    def probs(rid, tissue, p_tissue, malignant, p_true, **more):
        record = ok(rid, tissue=tissue, malignant=malignant, **more)
        other = (1 - p_tissue) / 2
        record["probabilities"] = {
            "tissue": {"Biopsy": other, "Resection": other, "Excision": other, tissue: p_tissue},
            "malignant": {"true": p_true, "false": 1 - p_true}}
        return record

    folder = make_run(tmp_path, [
        probs("r1", "Biopsy", 0.9, True, 0.8),
        probs("r2", "Biopsy", 0.9, False, 0.4),
        probs("r3", "Resection", 0.6, False, 0.1),
        ok("r4", tissue="Excision"),  # no probabilities: not calibrated, still scored
        {"id": "r5", "status": "error", "error": "report too long"},
    ])
    truth = tmp_path / "truth.csv"
    truth.write_text("id,tissue,malignant,psa\nr1,Biopsy,true,1\nr2,Resection,true,1\n"
                     "r3,Resection,false,1\nr4,Excision,false,1\nr5,Biopsy,false,1\n",
                     encoding="utf-8")
    report = validate_run(folder.path, truth, "id", resamples=100)
    fields = {f.field: f for f in report.fields}
    tissue = fields["tissue"].calibration[0]
    # r1 0.9 right, r2 0.9 wrong (bin 0.9-1.0: accuracy 1/2); r3 0.6 right (bin 0.6-0.7).
    assert (tissue.source, tissue.n, tissue.bin_count) == ("probability", 3, 10)
    assert tissue.ece.value == pytest.approx(abs(0.5 - 0.9) * 2 / 3 + abs(1 - 0.6) / 3)
    assert fields["tissue"].metrics.ece == tissue.ece
    assert [b.count for b in tissue.bins] == [0, 0, 0, 0, 0, 0, 1, 0, 0, 2]
    # malignant: the answer's own probability, p(true) 0.8 for "true", 1 - 0.4 and 1 - 0.1 for
    # "false": (0.8 right), (0.6 wrong), (0.9 right).
    malignant = fields["malignant"].calibration[0]
    assert malignant.ece.value == pytest.approx((0.2 + 0.6 + 0.1) / 3)
    assert fields["psa"].calibration is None and fields["psa"].metrics.ece is None

    md, js = write_report(report, tmp_path / "out")
    text = md.read_text(encoding="utf-8")
    assert "expected calibration error (ECE)" in text and "| ECE |" in text
    assert "Calibration of the option probabilities: ECE" in text
    assert "over 3 answers, 10 equal-width bins" in text
    picture = tmp_path / "out" / tissue.picture
    assert f"![Reliability diagram of tissue]({tissue.picture})" in text
    width, height, _ = decode_png(picture.read_bytes())
    assert (width, height) == (320, 320)
    assert (tmp_path / "out" / malignant.picture).is_file()
    assert ValidationReport.model_validate(json.loads(js.read_text(encoding="utf-8"))) == report


def test_cli_prints_the_ece_and_writes_the_picture(tmp_path, capsys):
    import argparse

    from pluk.commands import evaluate as evaluate_command

    record = {**ok("r1", tissue="Biopsy"), "probabilities": {
        "tissue": {"Biopsy": 0.75, "Resection": 0.25, "Excision": 0.0}}}
    folder = make_run(tmp_path, [record])
    truth = tmp_path / "truth.csv"
    truth.write_text("id,tissue\nr1,Biopsy\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    evaluate_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["evaluate", str(folder.path), "--truth", str(truth),
                              "--id-column", "id", "--resamples", "10"])
    assert args.func(args) == 0
    assert "ECE 0.250" in capsys.readouterr().out  # one answer, 0.75 sure and right
    out = folder.path / "validation"
    assert decode_png((out / "reliability-tissue-probability.png").read_bytes())[:2] == (320, 320)
