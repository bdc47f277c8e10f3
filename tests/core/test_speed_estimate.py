"""The speed estimate (core/models/speed.py): more cores or a smaller model is faster, a model
whose layers are all on a GPU is not estimated, and memory bandwidth bounds what cores give;
`pluk hardware` and `pluk models list` say it."""

from __future__ import annotations

from pluk.cli import main
from pluk.core.models import speed
from pluk.core.models.hardware import HardwareInfo, ModelShape, advise, is_slow

GB = 1024 ** 3


def test_the_estimate_moves_the_right_way():
    small, big = speed.reports_per_minute(1 * GB, 2), speed.reports_per_minute(9 * GB, 2)
    assert small > big and speed.reports_per_minute(9 * GB, 16) > big
    assert speed.reports_per_minute(9 * GB, 2, gpu_layers=-1) is None
    assert speed.reports_per_minute(9 * GB, 2, gpu_layers=48, n_layer=48) is None
    half = speed.reports_per_minute(9 * GB, 2, gpu_layers=24, n_layer=48)
    assert half > big
    assert speed.reports_per_minute(9 * GB, None) is None
    # A thousand cores are no faster than the memory lets one answer token be.
    floor = speed.ANSWER_TOKENS * 9 * GB / speed.MEMORY_BYTES_PER_S
    assert speed.seconds_per_report(9 * GB, 1000) >= floor


def test_a_big_model_on_two_cores_is_flagged_slow():
    hardware = HardwareInfo(os="Linux", machine="x86_64", ram_total_bytes=64 * GB,
                            ram_available_bytes=60 * GB, cpu_physical=2)
    advice = advise(ModelShape(weights_bytes=9 * GB, n_layer=48), hardware)
    assert advice.verdict == "fits" and advice.reports_per_minute < speed.SLOW
    assert is_slow(advice)
    tiny = advise(ModelShape(weights_bytes=GB // 10, n_layer=30), hardware)
    assert tiny.reports_per_minute > 10 and not is_slow(tiny)


def test_the_commands_say_the_speed(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PLUK_HOME", str(tmp_path))
    assert main(["hardware"]) == 0
    out = capsys.readouterr().out
    assert "reports a minute on this CPU" in out
    assert main(["models", "list"]) == 0
    assert "/MIN" in capsys.readouterr().out
