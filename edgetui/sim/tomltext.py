"""Reads and writes the TOML that IoT Edge configuration files use.

Python 3.9 has no TOML reader in its standard library, so this module reads
the part of TOML the super-config and its generated files use: tables,
arrays of tables, dotted and quoted keys, strings (basic, literal,
multi-line), integers, floats, booleans, arrays and inline tables.
Dates are refused with a clear error.
"""

from __future__ import annotations

import re
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER = re.compile(r"[+-]?(?:0x[0-9A-Fa-f_]+|[0-9_]+(?:\.[0-9_]+)?(?:[eE][+-]?\d+)?)")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class TomlError(ValueError):
    """The text is not TOML this reader understands; says where."""


def loads(text: str) -> dict[str, Any]:
    """Parses TOML text.

    Args:
        text: the document.

    Returns:
        Nested dictionaries and lists.

    Raises:
        TomlError: the text is malformed (the message names the line).
    """
    return _Parser(text).document()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str) -> TomlError:
        line = self.text.count("\n", 0, self.pos) + 1
        return TomlError(f"line {line}: {message}")

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def skip_blank(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def end_of_line(self) -> None:
        self.skip_blank(newlines=False)
        if self.pos < len(self.text) and self.text[self.pos] not in "\r\n":
            raise self.error(f"unexpected {self.text[self.pos]!r} after a value")

    def document(self) -> dict[str, Any]:
        root: dict[str, Any] = {}
        table = root
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return root
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.array_table(root, self.key_path("]]"))
            elif self.peek() == "[":
                self.pos += 1
                table = self.table(root, self.key_path("]"))
            else:
                self.key_value(table)
            self.end_of_line()

    def key_path(self, closing: str) -> list[str]:
        keys = self.dotted_key()
        self.skip_blank(newlines=False)
        if self.peek(len(closing)) != closing:
            raise self.error(f"expected {closing!r} to close a table header")
        self.pos += len(closing)
        return keys

    def table(self, root: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        current = root
        for key in keys:
            value = current.setdefault(key, {})
            if isinstance(value, list):
                value = value[-1]
            if not isinstance(value, dict):
                raise self.error(f"{'.'.join(keys)} is not a table")
            current = value
        return current

    def array_table(self, root: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        parent = self.table(root, keys[:-1])
        items = parent.setdefault(keys[-1], [])
        if not isinstance(items, list):
            raise self.error(f"{'.'.join(keys)} is not an array of tables")
        entry: dict[str, Any] = {}
        items.append(entry)
        return entry

    def key_value(self, table: dict[str, Any]) -> None:
        keys = self.dotted_key()
        self.skip_blank(newlines=False)
        if self.peek() != "=":
            raise self.error("expected '=' after a key")
        self.pos += 1
        self.skip_blank(newlines=False)
        value = self.value()
        target = self.table(table, keys[:-1])
        if keys[-1] in target:
            raise self.error(f"key {keys[-1]!r} is defined twice")
        target[keys[-1]] = value

    def dotted_key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return keys
            self.pos += 1
            self.skip_blank(newlines=False)
            keys.append(self.simple_key())

    def simple_key(self) -> str:
        char = self.peek()
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a key")
        self.pos = match.end()
        return match.group()

    def value(self) -> Any:
        if self.peek(3) in ('"""', "'''"):
            return self.multiline_string(self.peek(3))
        reader = {
            '"': self.basic_string,
            "'": self.literal_string,
            "[": self.array,
            "{": self.inline_table,
        }.get(self.peek())
        if reader is not None:
            return reader()
        for word, result in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        return self.number()

    def number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if match is None or match.end() == self.pos:
            raise self.error("expected a value")
        after = self.text[match.end() : match.end() + 1]
        if after in ("-", ":"):
            raise self.error("dates and times are not supported")
        self.pos = match.end()
        digits = match.group().replace("_", "")
        if digits.lower().startswith(("0x", "+0x", "-0x")):
            return int(digits, 16)
        if any(mark in digits for mark in ".eE"):
            return float(digits)
        return int(digits)

    def basic_string(self) -> str:
        self.pos += 1
        parts: list[str] = []
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise self.error("unterminated string")
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(parts)
            parts.append(self.escape() if char == "\\" else char)

    def escape(self) -> str:
        code = self.text[self.pos : self.pos + 1]
        self.pos += 1
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = self.text[self.pos : self.pos + width]
            self.pos += width
            try:
                return chr(int(digits, 16))
            except ValueError:
                raise self.error(f"bad unicode escape \\{code}{digits}") from None
        raise self.error(f"bad escape \\{code}")

    def literal_string(self) -> str:
        end = self.text.find("'", self.pos + 1)
        newline = self.text.find("\n", self.pos + 1)
        if end < 0 or 0 <= newline < end:
            raise self.error("unterminated string")
        value = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return value

    def multiline_string(self, quote: str) -> str:
        start = self.pos + 3
        end = self.text.find(quote, start)
        if end < 0:
            raise self.error("unterminated multi-line string")
        raw = self.text[start:end]
        self.pos = end + 3
        if raw.startswith("\n"):
            raw = raw[1:]
        if quote == "'''":
            return raw
        raw = re.sub(r"\\\s*\n\s*", "", raw)
        return re.sub(r"\\(u[0-9A-Fa-f]{4}|.)", _unescape_match, raw)

    def array(self) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.value())
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.error("expected ',' or ']' in an array")

    def inline_table(self) -> dict[str, Any]:
        self.pos += 1
        table: dict[str, Any] = {}
        self.skip_blank(newlines=False)
        if self.peek() == "}":
            self.pos += 1
            return table
        while True:
            self.skip_blank(newlines=False)
            self.key_value(table)
            self.skip_blank(newlines=False)
            char = self.peek()
            self.pos += 1
            if char == "}":
                return table
            if char != ",":
                raise self.error("expected ',' or '}' in an inline table")


def _unescape_match(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, "\\" + code)


def dumps_value(value: Any) -> str:
    """Writes one value in TOML syntax (strings, numbers, lists, inline tables).

    Raises:
        TypeError: the value has no TOML form (None, dates).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps_value(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = ", ".join(f"{key_text(k)} = {dumps_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    raise TypeError(f"no TOML form for {value!r}")


def quote(text: str) -> str:
    """Writes a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{escaped}"'


def key_text(key: str) -> str:
    """Writes a key, quoted unless it is a bare key."""
    return key if _BARE_KEY.fullmatch(key) else quote(key)
