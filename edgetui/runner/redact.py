"""Masks secrets in anything edgetui records or shows.

Two kinds of secret are recognised: values that look secret by their shape
(`SharedAccessKey=...`, `password = "..."`, `Bearer ...`) and exact values
registered while edgetui runs (`add_secret`), such as a sudo password or a
key read from the device's config.
"""

from __future__ import annotations

import re
import threading

MASK = "<redacted>"

MIN_SECRET_LENGTH = 4
"""Shorter registered values would mask ordinary words; they are ignored."""

_QUOTED_OR_BARE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s,;\"'}]+)"

_SECRET_NAMES = (
    r"[\w.-]*(?:password|passwd|passphrase|secret|token)[\w-]*"  # noqa: S105
    r"|(?:symmetric|shared_access|primary|secondary|device|access|private|sas)_?key"
    r"|device_id_pk|identity_pk|\w+_pk"
)

# Each rule keeps the group named `keep` and masks the rest of the match.
_RULES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<keep>SharedAccessSignature\s+)[^\s\"',;]+",
        r"(?P<keep>\bSharedAccessKey\s*=\s*)[^;\s\"',]+",
        r"(?P<keep>[?&;\s]sig=|^sig=)[^&\s\"',;]+",
        r"(?P<keep>\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}",
        r"(?P<keep>--(?:password|passwd|token|secret|key)[\w-]*(?:=|\s+))\S+",
        r"(?P<keep>[\"']?\b(?:" + _SECRET_NAMES + r")[\"']?\s*[:=]\s*"
        r"(?:\{\s*value\s*=\s*)?)" + _QUOTED_OR_BARE,
        r"(?P<keep>\bvalue\s*=\s*)\"[A-Za-z0-9+/=_-]{16,}\"",
    )
)

# Cheap test that skips the rules for the vast majority of output lines.
_MAYBE_SECRET = re.compile(
    r"key|sig|pass|secret|token|bearer|basic|_pk|value", re.IGNORECASE
)

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
    if not _MAYBE_SECRET.search(text):
        return text
    for rule in _RULES:
        text = rule.sub(_mask_match, text)
    return text


def redact_lines(lines: list[str]) -> list[str]:
    """Redacts a batch of lines with one pass over their joined text."""
    if not lines:
        return lines
    return redact("\n".join(lines)).split("\n")


def _mask_match(match: re.Match[str]) -> str:
    keep = match.group("keep")
    if match.group(0)[len(keep) :] == MASK:
        return match.group(0)
    return keep + MASK


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
