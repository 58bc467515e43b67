"""Reads the YAML that IoT Edge 1.0/1.1 `config.yaml` files use.

The standard library has no YAML reader. This one reads block mappings and
sequences, plain, single- and double-quoted scalars, flow collections
(`{}`, `[]`, `{ "a": [1, 2] }`, also spanning lines), literal and folded
block scalars, and comments. Anchors, tags and multiple documents are
refused with a clear error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/"}


class YamlError(ValueError):
    """The text is not YAML this reader understands; says where."""


@dataclass
class _Line:
    number: int
    indent: int
    text: str


def loads(text: str) -> Any:
    """Parses a YAML document.

    Args:
        text: the document.

    Returns:
        Nested dictionaries, lists and scalars (str, int, float, bool, None).

    Raises:
        YamlError: the text is malformed (the message names the line).
    """
    lines = _significant_lines(text)
    if not lines:
        return None
    value, index = _block(lines, 0, lines[0].indent)
    if index < len(lines):
        raise YamlError(f"line {lines[index].number}: unexpected indentation")
    return value


def _significant_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _strip_comment(raw).rstrip()
        if not content.strip():
            continue
        stripped = content.lstrip(" ")
        if stripped.startswith("\t"):
            raise YamlError(f"line {number}: tabs are not allowed for indentation")
        if stripped in ("---", "..."):
            if lines:
                raise YamlError(f"line {number}: only one document is supported")
            continue
        if stripped[0] in "&*!%":
            raise YamlError(
                f"line {number}: anchors, tags and directives are not supported"
            )
        lines.append(_Line(number, len(content) - len(stripped), stripped))
    return lines


def _strip_comment(line: str) -> str:
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _block(lines: list[_Line], index: int, indent: int) -> tuple[Any, int]:
    line = lines[index]
    if line.text == "-" or line.text.startswith("- "):
        return _sequence(lines, index, indent)
    if _split_key(line) is None:
        value, index = _scalar_lines(lines, index, line.text)
        return value, index
    return _mapping(lines, index, indent)


def _mapping(lines: list[_Line], index: int, indent: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while index < len(lines) and lines[index].indent == indent:
        line = lines[index]
        split = _split_key(line)
        if split is None:
            raise YamlError(f"line {line.number}: expected 'key: value'")
        key, rest = split
        if key in result:
            raise YamlError(f"line {line.number}: key {key!r} appears twice")
        result[key], index = _value_after_key(lines, index, indent, rest)
    if index < len(lines) and lines[index].indent > indent:
        raise YamlError(f"line {lines[index].number}: unexpected indentation")
    return result, index


def _value_after_key(
    lines: list[_Line], index: int, indent: int, rest: str
) -> tuple[Any, int]:
    if rest in ("|", ">", "|-", ">-", "|+", ">+"):
        return _block_scalar(lines, index, indent, rest)
    if rest:
        return _scalar_lines(lines, index, rest)
    index += 1
    if index < len(lines):
        child = lines[index]
        nested_sequence = child.indent == indent and child.text.startswith("-")
        if child.indent > indent or nested_sequence:
            return _block(lines, index, child.indent)
    return None, index


def _sequence(lines: list[_Line], index: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while index < len(lines) and lines[index].indent == indent:
        line = lines[index]
        if not (line.text == "-" or line.text.startswith("- ")):
            break
        rest = line.text[1:].lstrip(" ")
        if not rest:
            index += 1
            if index < len(lines) and lines[index].indent > indent:
                value, index = _block(lines, index, lines[index].indent)
            else:
                value = None
            items.append(value)
            continue
        child_indent = indent + (len(line.text) - len(rest))
        lines[index] = _Line(line.number, child_indent, rest)
        value, index = _block(lines, index, child_indent)
        items.append(value)
    return items, index


def _split_key(line: _Line) -> tuple[str, str] | None:
    text = line.text
    if text[0] in "\"'":
        end = _closing_quote(text, 0)
        if end is None or not text[end + 1 :].startswith(":"):
            return None
        key = _quoted(text[: end + 1], line.number)
        return key, text[end + 2 :].strip()
    if text[0] in "[{":
        return None
    match = re.match(r"([^:]+?):(?:\s+(.*))?$", text)
    if match is None:
        return None
    return match.group(1).strip(), (match.group(2) or "").strip()


def _closing_quote(text: str, start: int) -> int | None:
    quote = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and text[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


def _scalar_lines(lines: list[_Line], index: int, text: str) -> tuple[Any, int]:
    """Reads a scalar or flow collection, joining lines until brackets close."""
    number = lines[index].number
    index += 1
    if text[0] in "[{":
        while _unbalanced(text) and index < len(lines):
            text += " " + lines[index].text
            index += 1
    return _scalar(text, number), index


def _unbalanced(text: str) -> bool:
    depth = 0
    quote: str | None = None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth > 0


def _block_scalar(
    lines: list[_Line], index: int, indent: int, style: str
) -> tuple[str, int]:
    index += 1
    parts: list[str] = []
    while index < len(lines) and lines[index].indent > indent:
        parts.append(lines[index].text)
        index += 1
    joiner = "\n" if style.startswith("|") else " "
    text = joiner.join(parts)
    return (text if style.endswith("-") else text + "\n"), index


def _scalar(text: str, number: int) -> Any:
    text = text.strip()
    if text[0] in "&*!":
        raise YamlError(f"line {number}: anchors, aliases and tags are not supported")
    if text[0] in "[{":
        value, end = _Flow(text, number).value(0)
        if text[end:].strip():
            raise YamlError(f"line {number}: unexpected text after a flow collection")
        return value
    if text[0] in "\"'":
        return _quoted(text, number)
    return _plain(text)


def _quoted(text: str, number: int) -> str:
    end = _closing_quote(text, 0)
    if end is None:
        raise YamlError(f"line {number}: unterminated quoted string")
    if text[end + 1 :].strip():
        raise YamlError(f"line {number}: unexpected text after a quoted string")
    body = text[1:end]
    if text[0] == "'":
        return body.replace("''", "'")
    return re.sub(
        r"\\(u[0-9A-Fa-f]{4}|.)", lambda match: _unescape(match.group(1)), body
    )


def _unescape(code: str) -> str:
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    return _DOUBLE_ESCAPES.get(code, "\\" + code)


def _plain(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("null", "~"):
        return None
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class _Flow:
    """Reads a flow collection such as `{ "a": [1, "b"] }`."""

    def __init__(self, text: str, number: int) -> None:
        self.text = text
        self.number = number

    def error(self, message: str) -> YamlError:
        return YamlError(f"line {self.number}: {message}")

    def skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] == " ":
            pos += 1
        return pos

    def value(self, pos: int) -> tuple[Any, int]:
        pos = self.skip(pos)
        if pos >= len(self.text):
            raise self.error("unterminated flow collection")
        char = self.text[pos]
        if char == "{":
            return self.mapping(pos + 1)
        if char == "[":
            return self.sequence(pos + 1)
        if char in "\"'":
            end = _closing_quote(self.text, pos)
            if end is None:
                raise self.error("unterminated quoted string")
            return _quoted(self.text[pos : end + 1], self.number), end + 1
        end = pos
        while end < len(self.text) and self.text[end] not in ",]}":
            if self.text[end] == ":" and self.text[end + 1 : end + 2] in (" ", ""):
                break
            end += 1
        return _plain(self.text[pos:end].strip()), end

    def mapping(self, pos: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos = self.skip(pos)
        while True:
            if self.text[pos : pos + 1] == "}":
                return result, pos + 1
            key, pos = self.value(pos)
            pos = self.skip(pos)
            if self.text[pos : pos + 1] != ":":
                raise self.error("expected ':' in a flow mapping")
            value, pos = self.value(pos + 1)
            result[str(key)] = value
            pos = self.skip(pos)
            if self.text[pos : pos + 1] == ",":
                pos = self.skip(pos + 1)
            elif self.text[pos : pos + 1] != "}":
                raise self.error("expected ',' or '}' in a flow mapping")

    def sequence(self, pos: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        pos = self.skip(pos)
        while True:
            if self.text[pos : pos + 1] == "]":
                return items, pos + 1
            item, pos = self.value(pos)
            items.append(item)
            pos = self.skip(pos)
            if self.text[pos : pos + 1] == ",":
                pos = self.skip(pos + 1)
            elif self.text[pos : pos + 1] != "]":
                raise self.error("expected ',' or ']' in a flow sequence")
