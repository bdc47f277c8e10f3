"""Takes the secrets Pluk sends (the API key, a URL's password) out of everything a server
sends back, so that a gateway echoing its request headers cannot put them into a record, an
export, a message or a log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
# A secret shorter than this is not looked for: a key of 1-3 characters would take ordinary
# words and numbers out of answers and messages (and is no real key).
_MIN_SECRET = 4


class Redactor:
    """Takes secrets out of text a server sent: each secret bare (so `Bearer <key>` too) and
    URL-encoded becomes "[redacted]"."""

    def __init__(self, secrets: Iterable[str | None]):
        forms = set()
        for secret in secrets:
            if secret and len(secret) >= _MIN_SECRET:
                forms.update((secret, quote(secret, safe=""), quote_plus(secret)))
        self._forms = sorted(forms, key=len, reverse=True)  # the longest first

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """A JSON value with every string in it (keys too) redacted."""
        if not self._forms:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        return value
