"""Turns raw output bytes into clean lines: decoded, escapes stripped, `\\r` applied."""

from __future__ import annotations

import codecs
import re

# OSC, CSI, string controls, two-byte escapes, then the remaining C0 controls
# (tab, newline and carriage return are kept for the line logic).
_ESCAPE = re.compile(
    r"\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)

MAX_LINE = 64 * 1024
"""Characters after which an unterminated line is cut, so memory stays bounded."""


def strip_escapes(text: str) -> str:
    """Removes terminal escape sequences and control characters.

    Args:
        text: output as the program wrote it.

    Returns:
        The text a person would read, keeping tabs, newlines and carriage
        returns.
    """
    if "\x1b" not in text and text.isprintable():
        return text
    return _ESCAPE.sub("", text)


def overwrite_returns(line: str) -> str:
    """Applies carriage returns the way a terminal shows them.

    A progress display rewrites its line after `\\r`; the last non-empty
    rewrite is what stays on screen.
    """
    if "\r" not in line:
        return line
    for part in reversed(line.split("\r")):
        if part:
            return part
    return ""


class LineAssembler:
    """Cuts a byte stream into complete, clean lines.

    Bytes may arrive split anywhere, even inside a UTF-8 character or an
    escape sequence; only complete lines come out, and the unfinished last
    line stays readable as `pending` (where prompts appear).
    """

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""
        self._max_line = max_line

    def feed(self, data: bytes) -> list[str]:
        """Adds output and returns the lines it completed."""
        text = self._partial + self._decoder.decode(data)
        cut = text.rfind("\n")
        if cut < 0:
            self._partial = text
            return self._cut_overlong()
        self._partial = text[cut + 1 :]
        lines = self._clean(text[:cut])
        lines.extend(self._cut_overlong())
        return lines

    def finish(self) -> list[str]:
        """Returns the unterminated last line, if any, at end of output."""
        text = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        if not text.strip("\r"):
            return []
        return self._clean(text)

    @property
    def pending(self) -> str:
        """The unfinished last line, escapes stripped (a prompt waits here)."""
        return overwrite_returns(strip_escapes(self._partial))

    def _cut_overlong(self) -> list[str]:
        if len(self._partial) <= self._max_line:
            return []
        text, self._partial = self._partial, ""
        return self._clean(text)

    @staticmethod
    def _clean(text: str) -> list[str]:
        lines = strip_escapes(text).split("\n")
        if "\r" in text:
            lines = [overwrite_returns(line.rstrip("\r")) for line in lines]
        return lines
