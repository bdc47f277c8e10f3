"""The one duration wording of the GUI and the CLI."""

from __future__ import annotations

import math

import pytest

from pluk.commands.progress_bar import progress_line
from pluk.core.progress import Progress, format_duration


@pytest.mark.parametrize("seconds, text", [
    (None, "--"), (math.inf, "--"), (math.nan, "--"), (-3, "0 s"), (0, "0 s"), (44.6, "45 s"),
    (65, "1 min 05 s"), (3599.4, "59 min 59 s"), (3600, "1 h 00 min"), (7384, "2 h 03 min"),
])
def test_durations_read_the_same_everywhere(seconds, text):
    assert format_duration(seconds) == text


def test_the_cli_progress_line_uses_it():
    progress = Progress(done=3, total=10, ok=3, reports_per_minute=2.0, eta_seconds=65)
    assert "ETA 1 min 05 s" in progress_line(progress)
