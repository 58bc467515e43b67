"""The Choose target screen with real planning on the simulated device."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import OptionList, Static

from edgetui.device.root import DeviceRoot
from edgetui.facts.device import (
    DeviceFacts,
    OsFacts,
    RepositoryFacts,
    SecuritySubsystemFacts,
)
from edgetui.sim import SimDevice
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.plan import PlanScreen
from edgetui.ui.screens.target import TargetScreen
from edgetui.ui.widgets.fact_list import FactList

from .driving import binding_enabled, wait_for_detection, wait_for_screen, wait_until
from .scripted import ScriptedDetection

TODAY = date(2026, 12, 1)


def demo_app(device: SimDevice) -> EdgeApp:
    """The wizard on the simulated device."""
    return EdgeApp(DeviceRoot(device.root), "legacy-1.1", False, today=TODAY)


def option_texts(screen: TargetScreen) -> list[str]:
    """The target list's lines as shown."""
    targets = screen.query_one("#targets", OptionList)
    return [
        str(targets.get_option_at_index(index).prompt)
        for index in range(targets.option_count)
    ]


async def test_the_newest_supported_lts_is_proposed_and_planned(
    legacy_device: SimDevice,
) -> None:
    """On the 1.1 device, 1.6.0 is chosen by default; the path is the legacy
    migration with its reason, downtime and options shown."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        screen = await wait_for_screen(pilot, TargetScreen)
        await pilot.pause()

        lines = option_texts(screen)
        assert lines[0].startswith("(*) 1.6.0")
        assert "[proposed]" in lines[0]
        assert app.planning is not None and app.planning.plan is not None
        assert app.planning.plan.path == "legacy"
        facts = screen.query_one("#target-facts", FactList)
        assert "1.1.15 -> 1.6.0" in facts.value_of("path")
        assert "cannot be upgraded in place" in facts.value_of("why")
        assert facts.value_of("downtime").startswith("The modules are down from step")
        assert facts.value_of("defender") == "micro agent not installed"


async def test_an_older_version_is_marked_and_cannot_be_chosen(
    legacy_device: SimDevice,
) -> None:
    """1.1.14 is older than the installed 1.1.15: marked x with the reason, and
    Enter on it changes nothing."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        screen = await wait_for_screen(pilot, TargetScreen)
        await pilot.pause()

        last = option_texts(screen)[-1]
        assert last.startswith(" x  1.1.14")
        assert "edgetui does not downgrade" in last
        targets = screen.query_one("#targets", OptionList)
        assert targets.get_option_at_index(targets.option_count - 1).disabled


async def test_choosing_another_version_plans_it(legacy_device: SimDevice) -> None:
    """Down and Enter on 1.5.21 replan the migration to 1.5.21 and mark it (*)."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        screen = await wait_for_screen(pilot, TargetScreen)
        await pilot.pause()
        await pilot.press("down", "enter")
        await wait_until(
            pilot,
            lambda: app.choice.version == "1.5.21",
            "the choice",
        )

        assert app.planning is not None and app.planning.plan is not None
        assert app.planning.plan.to_version == "1.5.21"
        assert option_texts(screen)[1].startswith("(*) 1.5.21")
        assert option_texts(screen)[0].startswith("( ) 1.6.0")


async def test_d_and_t_change_the_plan(legacy_device: SimDevice) -> None:
    """d adds the Defender micro agent to the install; t moves to specific tags."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        screen = await wait_for_screen(pilot, TargetScreen)
        await pilot.press("d", "t")
        await pilot.pause()

        assert app.choice.with_defender and app.choice.specific_tags
        assert app.planning is not None and app.planning.plan is not None
        install = next(s for s in app.planning.plan.steps if s.id == "install-packages")
        assert any(
            "defender-iot-micro-agent-edge" in arg for arg in install.commands[0]
        )
        facts = screen.query_one("#target-facts", FactList)
        assert facts.value_of("defender") == "micro agent installed too"
        assert facts.value_of("tags") == "runtime images on specific release tags"


async def test_unknown_versions_show_as_such_and_next_waits_for_a_plan(
    tmp_path: Path,
) -> None:
    """A version the catalog does not know reads "unknown version" and is not
    selectable; with nothing else offered there is nothing to do, the
    planner says why, and Next stays dimmed."""
    facts = DeviceFacts(
        os=OsFacts("ubuntu", "22.04", "apt"),
        security_subsystem=SecuritySubsystemFacts("aziot-edge", "1.5.21", "installed"),
        repository=RepositoryFacts({"aziot-edge": ["9.1.0-1"]}),
    )
    app = EdgeApp(
        DeviceRoot(tmp_path),
        None,
        False,
        detect_function=ScriptedDetection(facts),
        today=TODAY,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        screen = await wait_for_screen(pilot, TargetScreen)
        await pilot.pause()

        [line] = option_texts(screen)
        assert line.startswith(" x  9.1.0")
        assert "unknown version" in line
        assert app.planning is not None and app.planning.plan is not None
        assert app.planning.plan.path == "current"
        shown = screen.query_one("#target-facts", FactList)
        assert "Nothing to do" in shown.value_of("why")
        assert not screen.query_one("#target-status", Static).display
        assert not binding_enabled(pilot, "n")
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, PlanScreen)
