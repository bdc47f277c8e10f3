"""The counts the window shows during a run, taken from the records it has received (the lines
of records.jsonl) rather than from the run's own tally.

The run counts a report when it is decided, which can be well before its record is written:
an unreadable report is counted as it is met, while the reports before it are still with the
model. The bar then said 3 done while the table and the quit dialog had 1. And a resumed run
counts only what it has left ("1 of 5" with 4 done before). Here done, ok, invalid and error
are the records the window holds (the earlier ones of a resumed run included), and the total
is what is left plus what was done before, so the bar, the progress line, the table's footer
and the quit dialog all count the same records."""

from __future__ import annotations

from pluk.core.progress import Progress
from pluk.core.runs.records import Record


class RunCounts:
    def __init__(self) -> None:
        self.earlier = 0                     # records a resumed run started with
        self.statuses: dict[str, str] = {}   # record id -> status, as the table holds them
        self.last: Progress | None = None    # the run's latest progress, as it reported it

    def start(self, records: list[Record]) -> None:
        """A run starts, fresh (no records) or resumed (the records it already has)."""
        self.earlier = len(records)
        self.statuses = {r.id: r.status for r in records}
        self.last = None

    def record(self, record: Record) -> Progress | None:
        """A record arrived; the progress to show now, when the run has reported one."""
        self.statuses[record.id] = record.status
        return self.agreed(self.last) if self.last is not None else None

    def progress(self, progress: Progress) -> Progress:
        self.last = progress
        return self.agreed(progress)

    def agreed(self, progress: Progress) -> Progress:
        counts = {s: 0 for s in ("ok", "invalid", "error")}
        for status in self.statuses.values():
            counts[status] = counts.get(status, 0) + 1
        total = max(progress.total + self.earlier, len(self.statuses))
        return progress.model_copy(update={"done": len(self.statuses), "total": total,
                                           **counts})
