"""Interactive commands in a pseudo terminal: prompts raised and answered."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from edgetui.runner.command import Command
from edgetui.runner.events import (
    CommandFinished,
    OutputReceived,
    Prompt,
    PromptRaised,
)
from edgetui.runner.prompts import (
    APT_CONFIRM,
    DNF_CONFIRM,
    DPKG_CONFFILE,
    PACKAGE_PROMPTS,
)
from edgetui.runner.runner import Runner

from .conftest import Script


def interactive(argv: tuple[str, ...], **options: object) -> Command:
    """An interactive command watching for the package tools' prompts."""
    return Command(argv, interactive=True, prompt_rules=PACKAGE_PROMPTS, **options)  # type: ignore[arg-type]


async def test_terminal_is_24_by_80_and_dumb(runner: Runner, script: Script) -> None:
    """An interactive command runs on a 24x80 terminal with TERM=dumb."""
    result = await runner.run(Command(script("terminal_size.py"), interactive=True))

    assert result.exit_code == 0
    assert result.output[0] == "tty=True rows=24 columns=80"
    assert result.output[1].startswith("term=dumb")


@pytest.mark.parametrize(
    ("tool", "answer", "exit_code"),
    [("apt", "y", 0), ("apt", "n", 1), ("apt", "", 0), ("dnf", "y", 0), ("dnf", "", 1)],
)
async def test_confirmation_prompt_is_answered(
    runner: Runner, script: Script, tool: str, answer: str, exit_code: int
) -> None:
    """apt's [Y/n] and dnf's [y/N] become prompts; the answer reaches the child."""
    asked: list[Prompt] = []

    def reply(prompt: Prompt) -> str:
        asked.append(prompt)
        return answer

    result = await runner.run(interactive(script("ask_confirm.py", tool)), reply)

    assert result.exit_code == exit_code
    assert [prompt.kind for prompt in asked] == ["confirm"]
    expected_default = "Y" if tool == "apt" else "N"
    assert asked[0].default == expected_default
    assert asked[0].choices[0] == expected_default


async def test_escapes_are_stripped_before_matching_and_from_output(
    runner: Runner, script: Script
) -> None:
    """Colour codes and title escapes around a prompt neither hide it nor show."""
    asked: list[Prompt] = []

    def reply(prompt: Prompt) -> str:
        asked.append(prompt)
        return "y"

    result = await runner.run(interactive(script("ask_confirm.py", "apt")), reply)

    assert asked[0].text == "Do you want to continue? [Y/n]"
    assert result.output == (
        "WARNING: this will remove iotedge",
        "After this operation, 10 MB will be used.",
        "Do you want to continue? [Y/n] y",
        "answer: y",
    )
    assert not any("\x1b" in line or "\r" in line for line in result.output)


async def test_async_answer_callback_is_awaited(runner: Runner, script: Script) -> None:
    """`answer` may be a coroutine function, as a dialog in the wizard is."""

    async def reply(prompt: Prompt) -> str:
        await asyncio.sleep(0.05)
        return "n"

    result = await runner.run(interactive(script("ask_confirm.py", "apt")), reply)

    assert result.exit_code == 1
    assert result.output[-1] == "answer: n"


async def test_prompt_without_answer_cancels_the_command(
    runner: Runner, script: Script
) -> None:
    """With nobody to answer, run() stops the command instead of hanging."""
    result = await runner.run(interactive(script("ask_confirm.py", "apt")))

    assert result.cancelled
    assert not result.ok
    assert result.error == "a prompt had no answer"


async def test_conffile_prompt_carries_the_whole_block(
    runner: Runner, script: Script
) -> None:
    """dpkg's conffile prompt text names the file and lists the options."""
    asked: list[Prompt] = []

    def reply(prompt: Prompt) -> str:
        asked.append(prompt)
        return "N"

    result = await runner.run(interactive(script("dpkg_conffile.py")), reply)

    assert result.exit_code == 0
    assert result.output[-1] == (
        "Keeping old config file /etc/iotedge/config.yaml as default."
    )
    prompt = asked[0]
    assert prompt.kind == "conffile"
    assert prompt.default == "N"
    assert prompt.choices == ("N", "Y", "D")
    lines = prompt.text.splitlines()
    assert lines[0] == "Configuration file '/etc/iotedge/config.yaml'"
    assert " The default action is to keep your current version." in lines
    assert lines[-1] == "*** config.yaml (Y/I/N/O/D/Z) [default=N] ?"


async def test_conffile_diff_is_shown_then_asked_again(
    runner: Runner, script: Script
) -> None:
    """Answering D prints the diff (DPKG_PAGER=cat) and the question comes again."""
    running = runner.start(interactive(script("dpkg_conffile.py"), timeout=20))
    answers = iter(["D", "Y"])
    events = []

    async for event in running:
        events.append(event)
        if isinstance(event, PromptRaised):
            await running.answer(next(answers))

    prompts = [event.prompt for event in events if isinstance(event, PromptRaised)]
    assert [prompt.kind for prompt in prompts] == ["conffile", "conffile"]
    assert '+hostname: "new-device"' in prompts[1].text
    result = running.result
    assert result.exit_code == 0
    assert '+hostname: "new-device"' in result.output
    assert result.output[-1].startswith("Installing new version of config file")


async def test_conffile_prompt_without_terminal_fails_like_dpkg(
    runner: Runner, script: Script
) -> None:
    """On pipes the conffile question cannot be asked; the failure is reported."""
    result = await runner.run(Command(script("dpkg_conffile.py")))

    assert result.exit_code == 1
    assert "end of file on stdin at conffile prompt" in result.output[-1]


async def test_events_come_in_order_with_prompt_between_output(
    runner: Runner, script: Script
) -> None:
    """Output before the prompt arrives before PromptRaised; CommandFinished last."""
    running = runner.start(interactive(script("ask_confirm.py", "apt")))
    kinds: list[str] = []

    async for event in running:
        kinds.append(type(event).__name__)
        if isinstance(event, PromptRaised):
            assert running.waiting_prompt == event.prompt
            await running.answer("y")

    assert kinds[0] == OutputReceived.__name__
    assert kinds.index(PromptRaised.__name__) > 0
    assert kinds[-1] == CommandFinished.__name__
    assert kinds.count(PromptRaised.__name__) == 1


async def test_answer_without_prompt_is_refused(runner: Runner) -> None:
    """Answering when no question is waiting is a programming error."""
    running = runner.start(Command(("sleep", "0.2"), interactive=True))

    with pytest.raises(RuntimeError, match="no prompt"):
        await running.answer("y")

    assert (await running.wait()).exit_code == 0


def test_rules_match_only_at_the_end_of_the_line() -> None:
    """An answered prompt (its echo follows) is not recognised a second time."""
    assert APT_CONFIRM.pattern.search("Do you want to continue? [Y/n] ")
    assert not APT_CONFIRM.pattern.search("Do you want to continue? [Y/n] y")
    assert DNF_CONFIRM.pattern.search("Is this ok [y/N]: ")
    assert DPKG_CONFFILE.pattern.search("*** config.toml (Y/I/N/O/D/Z) [default=Y] ?")


async def test_failing_answer_callback_stops_the_command(
    runner: Runner, script: Script
) -> None:
    """If the answer callable raises, the command is stopped and the error raised."""

    def reply(prompt: Prompt) -> str:
        raise ValueError("no dialog")

    running_before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(ValueError, match="no dialog"):
        await runner.run(interactive(script("ask_confirm.py", "apt")), reply)

    left = {p.pid for p in psutil.Process().children(recursive=True)}
    assert left - running_before == set()
