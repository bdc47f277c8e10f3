"""Renders chat messages with a model's own Jinja chat template: safely, within a time limit.

This module owns the sandboxed Jinja environment (the semantics of llama-cpp-python's
Jinja2ChatFormatter, which rendered Pluk's prompts before), the fold of the instructions into
the first user message for templates that refuse a system role, the render deadline, and the
facts a run manifest records about the template (TemplateFacts). What goes into the messages
is prompting.py's business.

A chat template is code that came inside a downloaded file. Whatever it does wrong (a syntax
error, a forbidden attribute, an endless loop) becomes one ChatTemplateError line naming the
model, never a traceback or a hang.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
import time
from datetime import datetime
from typing import Any, Literal

import jinja2
import jinja2.ext
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pluk.core.runs.folder import TemplateFacts
from pluk.core.errors import ChatTemplateError

# A model without a chat template still gets a usable, plainly delimited prompt.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}### {{ message['role'] | capitalize }}\n"
    "{{ message['content'] }}\n\n{% endfor %}"
    "{% if add_generation_prompt %}### Assistant\n{% endif %}"
)

# Seconds one render may take. A real template renders in well under a millisecond (ChatML and
# Gemma 3: about 0.2 ms with the deadline tracer, 0.05 ms without, on a loaded 2-core machine),
# so 5 s leaves a margin of thousands for a slow laptop under load, while a template that
# loops still fails within seconds, before the model is loaded.
RENDER_TIME_LIMIT_S = 5.0

# `*` and `**` run in C, where the deadline cannot reach: bound what they may build.
_MAX_REPEAT = 1_000_000  # characters or items of one `'x' * n`
_MAX_POWER_BITS = 100_000  # bits of one `a ** b`


class _Refused(Exception):
    """The template called raise_exception(...): it rejects these messages."""


class _Timeout(BaseException):
    """The render ran past its deadline. A BaseException, so that no `except Exception`
    inside Jinja or a filter can swallow it (the tracer fires it only once)."""


class _GenerationTag(jinja2.ext.Extension):
    """Pass-through for Hugging Face's `{% generation %}` tag, as llama-cpp-python does."""

    tags = {"generation"}

    def parse(self, parser: Any) -> Any:
        parser.stream.skip(1)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


class _Sandbox(ImmutableSandboxedEnvironment):
    # Intercepting these also stops Jinja from folding them at compile time, where no
    # deadline runs at all.
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > _MAX_REPEAT:
                    raise SecurityError(f"repeating a sequence {n} times is too large")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and abs(left) > 1 and abs(left).bit_length() * right > _MAX_POWER_BITS:
            raise SecurityError(f"the power {left} ** {right} is too large")
        return super().call_binop(context, operator, left, right)


def _tojson(x: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    # Transformers' (and llama-cpp-python's) tojson: no HTML escaping, unicode kept.
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def _raise_exception(message: str) -> None:
    raise _Refused(message)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


@functools.lru_cache(maxsize=16)
def _compile(source: str) -> jinja2.Template:
    """The compiled template; cached, since few-shot runs render once per report."""
    env = _Sandbox(loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True,
                   extensions=[_GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = _tojson
    return env.from_string(source)


def _render_before(template: jinja2.Template, deadline: float, **context: Any) -> str:
    """template.render(**context) in this thread, stopped once time.monotonic() > deadline.

    Jinja cannot be interrupted from outside, so a trace function checks the clock on every
    Python call during the render, and on every line of the template's own compiled code
    (filename "<template>"), so that a loop without calls is caught too. Only template code
    gets line events, which keeps the overhead to a fraction of a millisecond per render.
    """

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _Timeout
        return tracer if frame.f_code.co_filename == "<template>" else None

    previous = sys.gettrace()  # a debugger's or coverage's tracer, put back afterwards
    sys.settrace(tracer)
    try:
        return template.render(**context)
    finally:
        sys.settrace(previous)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _folded(messages: list[dict[str, str]]) -> list[dict[str, str]] | None:
    """The messages with the leading system message(s) joined to the first user message,
    separated by a blank line; None when there is nothing to fold."""
    n = 0
    while n < len(messages) and messages[n]["role"] == "system":
        n += 1
    if n == 0 or n == len(messages) or messages[n]["role"] != "user":
        return None
    system = "\n\n".join(m["content"] for m in messages[:n])
    first = {**messages[n], "content": f"{system}\n\n{messages[n]['content']}"}
    return [first, *messages[n + 1:]]


def _system_text(messages: list[dict[str, str]]) -> str:
    return "\n\n".join(m["content"].strip() for m in messages if m["role"] == "system")


class PromptRenderer:
    """Renders messages with a chat template, the way the model was trained to read them."""

    def __init__(self, chat_template: str | None, bos_token: str = "", eos_token: str = "",
                 *, model_name: str | None = None,
                 time_limit: float = RENDER_TIME_LIMIT_S,
                 template_kwargs: dict[str, Any] | None = None):
        # The template's own switches (Qwen3's enable_thinking): thinking_plan.py's.
        self.template_kwargs = dict(template_kwargs or {})
        self.template_source: Literal["model", "fallback"] = (
            "model" if chat_template else "fallback")
        self.template_text = chat_template or FALLBACK_TEMPLATE
        self.bos_token, self.eos_token = bos_token, eos_token
        self.model_name = model_name
        self.time_limit = time_limit
        self.system_folded = False
        try:
            self._template = _compile(self.template_text)
        except TemplateSyntaxError as exc:
            raise self._error(f"syntax error on line {exc.lineno}: {exc.message}") from None
        except SecurityError as exc:
            raise self._error(f"the sandbox refused it ({exc})") from None

    @property
    def facts(self) -> TemplateFacts:
        """The template facts; system_folded is known once render() has run."""
        return TemplateFacts(
            source=self.template_source, system_folded=self.system_folded,
            sha256=hashlib.sha256(self.template_text.encode("utf-8")).hexdigest())

    def _error(self, reason: str) -> ChatTemplateError:
        name = self.model_name or "this model"
        return ChatTemplateError(
            f"The chat template of {name} cannot be used: {_one_line(reason)}")

    def _try(self, messages: list[dict[str, str]], deadline: float) -> str:
        # The context of llama-cpp-python's Jinja2ChatFormatter, so templates see the same.
        return _render_before(
            self._template, deadline, messages=messages, bos_token=self.bos_token,
            eos_token=self.eos_token, raise_exception=_raise_exception,
            add_generation_prompt=True, functions=None, function_call=None, tools=None,
            tool_choice=None, strftime_now=_strftime_now, **self.template_kwargs)

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text. A template that refuses the system message (it raises, or leaves
        the instructions out) is given them inside the first user message instead; any other
        failure, or running past the time limit, is one ChatTemplateError line."""
        deadline = time.monotonic() + self.time_limit
        system = _system_text(messages)
        try:
            failure, rendered = None, self._try(messages, deadline)
            if system in rendered:
                self.system_folded = False
                return rendered
        except _Timeout:
            raise self._error(
                f"rendering took longer than {self.time_limit:g} seconds") from None
        except SecurityError as exc:
            raise self._error(f"the sandbox refused it ({exc})") from None
        except _Refused as exc:
            failure = f"it refused the messages ({exc})"
        except Exception as exc:  # the template's own bug, whatever its type
            failure = f"{type(exc).__name__}: {exc}"
        folded = _folded(messages)
        if folded is None:
            raise self._error(failure or "it leaves the instructions out of the prompt")
        try:
            rendered = self._try(folded, deadline)
        except _Timeout:
            raise self._error(
                f"rendering took longer than {self.time_limit:g} seconds") from None
        except Exception as exc:
            raise self._error(failure or f"{type(exc).__name__}: {exc}") from None
        if system not in rendered:
            raise self._error(failure or "it leaves the instructions out of the prompt, "
                              "even inside the user message")
        self.system_folded = True
        return rendered
