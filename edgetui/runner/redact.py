"""Masks secrets in anything edgetui records or shows.

Two kinds of secret are recognised: values that look secret by their shape
(`SharedAccessKey=...`, `password = "..."`, `Bearer ...`) and exact values
registered while edgetui runs (`add_secret`), such as a sudo password or a
key read from the device's config.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

MASK = "<redacted>"

MIN_SECRET_LENGTH = 4
"""Shorter registered values would mask ordinary words; they are ignored."""

_VALUE = r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s,;\"'{}]+)"
_BLANK = r"[ \t]"  # never a newline: a batch of lines is redacted at once
_ASSIGNED = (
    rf"[\"']?{_BLANK}*[:=]{_BLANK}*(?:\{{{_BLANK}*value{_BLANK}*={_BLANK}*)?" + _VALUE
)


@dataclass(frozen=True)
class _Rule:
    """A secret's shape: group 1 of `pattern` is the secret to mask.

    Patterns are matched against the text with A-Z lowered (same length, so
    positions hold in the original) and start with a literal, which keeps the
    search fast on a flood of output. What must (or must not) come just
    before the match is checked apart, for the same reason.
    """

    pattern: re.Pattern[str]
    needs_before: re.Pattern[str] | None = None
    refuses_before: re.Pattern[str] | None = None

    def spans(self, lowered: str) -> list[tuple[int, int]]:
        found = []
        for match in self.pattern.finditer(lowered):
            before = lowered[max(match.start() - 32, 0) : match.start()]
            if self.needs_before and not self.needs_before.search(before):
                continue
            if self.refuses_before and self.refuses_before.search(before):
                continue
            found.append(match.span(1))
        return found


def _rule(pattern: str, needs: str | None = None, refuses: str | None = None) -> _Rule:
    return _Rule(
        re.compile(pattern),
        re.compile(needs) if needs else None,
        re.compile(refuses) if refuses else None,
    )


_KEY_OWNERS = r"(?:symmetric|shared_access|primary|secondary|device|access|private|sas)"

_RULES = (
    _rule(rf"sharedaccesssignature{_BLANK}+([^\s\"',;]+)"),
    _rule(rf"sharedaccesskey{_BLANK}*={_BLANK}*([^;\s\"',]+)"),
    _rule(r"sig=([^&\s\"',;]+)", refuses=r"[\w-]$"),
    _rule(rf"bearer{_BLANK}+([a-z0-9._~+/=-]{{8,}})"),
    _rule(rf"basic{_BLANK}+([a-z0-9+/=]{{8,}})"),
    _rule(rf"--(?:password|passwd|token|secret|key)[\w-]*(?:=|{_BLANK}+)(\S+)"),
    _rule(r"pass(?:word|wd|phrase)[\w-]*" + _ASSIGNED),
    _rule(r"secret[\w-]*" + _ASSIGNED),
    _rule(r"token[\w-]*" + _ASSIGNED),
    _rule(r"key" + _ASSIGNED, needs=_KEY_OWNERS + "_?$"),
    _rule(r"_pk" + _ASSIGNED, needs=r"\w$"),
    _rule(rf"value{_BLANK}*={_BLANK}*(\"[a-z0-9+/=_-]{{16,}}\")", refuses=r"\w$"),
)

_LOWER_ASCII = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def add_secret(value: str) -> None:
    """Registers an exact value to mask from now on, in this process.

    Args:
        value: the secret (a password, a key). Values shorter than
            `MIN_SECRET_LENGTH` characters are ignored.
    """
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        _secrets.add(value)


def redact(text: str) -> str:
    """Returns `text` with every recognised secret replaced by `<redacted>`.

    Args:
        text: any output, log message or record; newlines are kept, so a
            batch of lines can be redacted in one call.
    """
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _mask_spans(text, _secret_spans(text.translate(_LOWER_ASCII)))


def redact_lines(lines: list[str]) -> list[str]:
    """Redacts a batch of lines with one pass over their joined text."""
    if not lines:
        return lines
    return redact("\n".join(lines)).split("\n")


def _secret_spans(lowered: str) -> list[tuple[int, int]]:
    spans = [span for rule in _RULES for span in rule.spans(lowered)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    pieces = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(MASK)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


_SECRET_FLAG = re.compile(r"--(?:password|passwd|token|secret|key)[\w-]*$", re.I)


def redact_argv(argv: tuple[str, ...] | list[str]) -> list[str]:
    """Redacts a command line, including a secret given as the next argument.

    `["--password", "x"]` becomes `["--password", "<redacted>"]`.
    """
    redacted: list[str] = []
    for index, arg in enumerate(argv):
        if index > 0 and _SECRET_FLAG.match(argv[index - 1]):
            redacted.append(MASK)
        else:
            redacted.append(redact(arg))
    return redacted


class RedactingFilter(logging.Filter):
    """Redacts every log record passing through a handler.

    Attach it to the handler that writes edgetui's log file:
    `handler.addFilter(RedactingFilter())`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replaces the record's message by its redacted text; keeps it."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        return True
