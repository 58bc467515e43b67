"""Commands on pipes: results, streaming, missing programs, environment."""

from __future__ import annotations

import asyncio
import json

from edgetui.runner.command import Command
from edgetui.runner.events import CommandFinished, OutputReceived
from edgetui.runner.runner import Runner

from .conftest import Script


async def test_run_collects_exit_code_and_both_streams(runner: Runner) -> None:
    """A finished command reports its exit status and its stdout and stderr lines."""
    result = await runner.run(Command(("sh", "-c", "echo out; echo err >&2; exit 3")))

    assert result.exit_code == 3
    assert sorted(result.output) == ["err", "out"]
    assert not result.ok
    assert result.error is None


async def test_missing_program_is_a_result_not_an_exception(runner: Runner) -> None:
    """A program that is not on PATH gives exit_code None and a clear error."""
    result = await runner.run(Command(("edgetui-no-such-program", "--version")))

    assert result.exit_code is None
    assert result.error == "program not found: edgetui-no-such-program"
    assert result.output == ()


async def test_missing_working_directory_is_reported(runner: Runner) -> None:
    """A command whose working directory is missing does not start."""
    result = await runner.run(Command(("true",), cwd="/nonexistent/edgetui"))

    assert result.exit_code is None
    assert result.error == "working directory not found: /nonexistent/edgetui"


async def test_output_streams_while_the_command_runs(runner: Runner) -> None:
    """The first line arrives while the command is still running."""
    running = runner.start(Command(("sh", "-c", "echo first; sleep 1; echo second")))
    loop = asyncio.get_running_loop()
    started = loop.time()

    first = await running.__anext__()

    assert isinstance(first, OutputReceived)
    assert first.lines == ("first",)
    assert first.stream == "stdout"
    assert loop.time() - started < 0.9
    assert not running.done
    result = await running.wait()
    assert result.output == ("first", "second")


async def test_events_end_with_command_finished(runner: Runner) -> None:
    """Iterating a running command ends with exactly one CommandFinished."""
    running = runner.start(Command(("sh", "-c", "echo a; echo b >&2")))

    events = [event async for event in running]

    assert isinstance(events[-1], CommandFinished)
    assert events[-1].result.exit_code == 0
    lines = [
        (line, event.stream)
        for event in events
        if isinstance(event, OutputReceived)
        for line in event.lines
    ]
    assert sorted(lines) == [("a", "stdout"), ("b", "stderr")]


async def test_children_get_plain_output_environment(
    runner: Runner, script: Script
) -> None:
    """Children run with LC_ALL=C, DPKG_PAGER=cat, NO_COLOR, TERM=dumb and ours."""
    runner.env["EDGETUI_TEST_RUNNER"] = "runner"
    command = Command(script("print_env.py"), env={"EDGETUI_TEST_COMMAND": "command"})

    result = await runner.run(command)

    env = json.loads(result.text)
    assert env["LC_ALL"] == "C"
    assert env["DPKG_PAGER"] == "cat"
    assert env["NO_COLOR"] == "1"
    assert env["SYSTEMD_COLORS"] == "0"
    assert env["TERM"] == "dumb"
    assert env["EDGETUI_TEST_RUNNER"] == "runner"
    assert env["EDGETUI_TEST_COMMAND"] == "command"
    assert "PATH" in env


async def test_unterminated_last_line_is_kept(runner: Runner) -> None:
    """Output that does not end with a newline still reaches the result."""
    result = await runner.run(Command(("printf", "one\\ntwo")))

    assert result.output == ("one", "two")


async def test_invalid_utf8_is_replaced_not_fatal(runner: Runner) -> None:
    """Bytes that are not UTF-8 become replacement characters."""
    result = await runner.run(Command(("printf", "caf\\351\\n")))

    assert result.output == ("caf\ufffd",)


async def test_output_limit_keeps_the_last_lines() -> None:
    """A result keeps only the last `output_limit` lines."""
    runner = Runner(output_limit=5)

    result = await runner.run(Command(("seq", "1", "100")))

    assert result.output == ("96", "97", "98", "99", "100")
