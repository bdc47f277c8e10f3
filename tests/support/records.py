"""What a record from the random-weight test model may look like.

Random weights run away on digits ("222222"); the grammar bounds a number's digits but not its
value, so such a value is null with the reason "the model wrote 222222, above the maximum ...".
Structure tests accept that, and nothing else, beside an ok record.
"""

from __future__ import annotations

from pluk.core.runs.records import Record


def answered(record: Record | dict) -> bool:
    """The answer parsed; every field holds a valid value or was refused as written."""
    data = record if isinstance(record, dict) else record.model_dump()
    if data["status"] == "ok":
        return True
    errors = data.get("field_errors") or {}
    return (data["status"] == "invalid" and bool(errors)
            and all(reason.startswith("the model wrote") for reason in errors.values()))
