"""Orders package versions the way dpkg and rpm do (epoch, upstream, revision)."""

from __future__ import annotations

import functools
import re

_EPOCH = re.compile(r"^(\d+):")


def compare_versions(left: str, right: str) -> int:
    """Compares two package versions.

    Args:
        left: a Debian or RPM version such as `1:1.4.41-1` or `1.5.21-1.el9`.
        right: the other version.

    Returns:
        A negative number, zero or a positive number, as `left` sorts before,
        equal to or after `right`.
    """
    left_epoch, left_upstream, left_revision = _split(left)
    right_epoch, right_upstream, right_revision = _split(right)
    if left_epoch != right_epoch:
        return left_epoch - right_epoch
    result = _compare_part(left_upstream, right_upstream)
    if result != 0:
        return result
    return _compare_part(left_revision, right_revision)


def newest_first(versions: list[str]) -> list[str]:
    """Sorts versions newest first."""
    return sorted(versions, key=functools.cmp_to_key(compare_versions), reverse=True)


def upstream(version: str) -> str:
    """Gives the upstream part: `1:1.4.41-1` -> `1.4.41`, `1.5.21-1.el9` -> `1.5.21`."""
    return _split(version)[1]


def _split(version: str) -> tuple[int, str, str]:
    epoch = 0
    match = _EPOCH.match(version)
    if match:
        epoch = int(match.group(1))
        version = version[match.end() :]
    if "-" in version:
        head, _, revision = version.rpartition("-")
        return epoch, head, revision
    return epoch, version, ""


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(left: str, right: str) -> int:
    while left or right:
        left_text, left = _take(left, digits=False)
        right_text, right = _take(right, digits=False)
        result = _compare_text(left_text, right_text)
        if result != 0:
            return result
        left_number, left = _take(left, digits=True)
        right_number, right = _take(right, digits=True)
        result = int(left_number or "0") - int(right_number or "0")
        if result != 0:
            return result
    return 0


def _take(text: str, *, digits: bool) -> tuple[str, str]:
    index = 0
    while index < len(text) and text[index].isdigit() == digits:
        index += 1
    return text[:index], text[index:]


def _compare_text(left: str, right: str) -> int:
    for index in range(max(len(left), len(right))):
        left_order = _order(left[index]) if index < len(left) else 0
        right_order = _order(right[index]) if index < len(right) else 0
        if left_order != right_order:
            return left_order - right_order
    return 0
