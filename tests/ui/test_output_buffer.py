"""The running step's output between the executor and the log pane."""

from __future__ import annotations

import stat
from pathlib import Path

from edgetui.ui.output_buffer import OutputBuffer


def test_a_reader_gets_each_line_once_in_batches() -> None:
    """Each read gives what arrived since the last one, in order."""
    buffer = OutputBuffer(100)
    buffer.start_section("== step 1 ==")
    buffer.add(["a", "b"])

    first = buffer.new_since(-1, 0)
    buffer.add(["c"])
    second = buffer.new_since(first.generation, first.total)
    third = buffer.new_since(second.generation, second.total)

    assert first.restart and first.lines == ["== step 1 ==", "a", "b"]
    assert not second.restart and second.lines == ["c"]
    assert third.lines == []


def test_a_new_step_tells_the_reader_to_start_afresh() -> None:
    """After a new section the reader is told to clear and gets only it."""
    buffer = OutputBuffer(100)
    buffer.start_section("one")
    seen = buffer.new_since(-1, 0)
    buffer.start_section("two")
    buffer.add(["x"])

    new = buffer.new_since(seen.generation, seen.total)

    assert new.restart
    assert new.lines == ["two", "x"]


def test_only_the_last_lines_are_kept_but_the_file_has_all(tmp_path: Path) -> None:
    """A flood keeps `capacity` lines in memory; the file gets every line in
    one write per flush, private to the owner."""
    path = tmp_path / "run-output.log"
    buffer = OutputBuffer(10, path)
    buffer.start_section("flood")
    buffer.add(str(n) for n in range(1, 1001))
    buffer.write_pending()

    new = buffer.new_since(-1, 0)
    assert new.lines == [str(n) for n in range(991, 1001)]
    assert buffer.tail(3) == ["998", "999", "1000"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["flood", *(str(n) for n in range(1, 1001))]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_since_gives_what_came_after_a_mark() -> None:
    """The lines after a mark (dpkg's diff after D) come back on their own."""
    buffer = OutputBuffer(100)
    buffer.start_section("configure")
    buffer.add(["question"])
    mark = buffer.total
    buffer.add(["--- a", "+++ b"])

    assert buffer.since(mark) == ["--- a", "+++ b"]


def test_an_unwritable_file_is_reported_once_and_not_retried(tmp_path: Path) -> None:
    """A file that cannot be written gives a problem; the pane still works."""
    buffer = OutputBuffer(10, tmp_path / "missing" / "run-output.log")
    buffer.add(["a"])
    buffer.write_pending()
    buffer.add(["b"])

    assert buffer.problem is not None
    assert "cannot write" in buffer.problem
    assert buffer.tail(2) == ["a", "b"]
