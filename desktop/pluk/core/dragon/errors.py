"""The one error type of the DRAGON package, and the helper that lists items in its messages."""

from collections.abc import Sequence

from pluk.core.errors import PlukError


class DragonError(PlukError):
    """Predictions or ground truth cannot be scored; the message names task, fold and uids."""


def shorten(items: Sequence[object], limit: int = 10, sep: str = ", ") -> str:
    """Items as "a, b, c" for an error message, cut after `limit` with a count of the rest."""
    shown = sep.join(str(item) for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
