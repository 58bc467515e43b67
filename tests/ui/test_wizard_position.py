"""The wizard's position file: saved on each step, read on the next launch."""

from __future__ import annotations

import stat
from pathlib import Path

from edgetui.device.root import DeviceRoot
from edgetui.ui.earlier_session import find_earlier_session, step_to_return_to
from edgetui.ui.target_choice import TargetChoice
from edgetui.ui.wizard_position import (
    WizardPosition,
    load_position,
    position_path,
    save_position,
)


def test_a_saved_position_reads_back_the_same(tmp_path: Path) -> None:
    """Step, device and choice survive the round trip; the file is private."""
    path = position_path(tmp_path, demo=False)
    position = WizardPosition("plan", "/", None, TargetChoice("1.5.21", True, False))

    save_position(path, position)

    assert load_position(path) == position
    assert path.name == "wizard.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert position_path(tmp_path, demo=True).name == "demo-wizard.json"


def test_a_damaged_or_missing_file_gives_no_position(tmp_path: Path) -> None:
    """Garbage or nothing reads as no position, never as an error."""
    path = tmp_path / "wizard.json"
    assert load_position(path) is None
    path.write_text("{not json", encoding="utf-8")
    assert load_position(path) is None
    path.write_text('{"step": "plan"}', encoding="utf-8")
    assert load_position(path) is None


def test_only_steps_before_the_run_on_the_same_device_are_returned_to() -> None:
    """Target, plan and backup on the same root come back; the run, another
    root or another demo do not."""
    root = DeviceRoot("/")
    on_plan = WizardPosition("plan", str(root.root))

    assert step_to_return_to(on_plan, root, None) == "plan"
    assert step_to_return_to(WizardPosition("run", "/"), root, None) is None
    assert step_to_return_to(WizardPosition("plan", "/srv/x"), root, None) is None
    assert step_to_return_to(on_plan, root, "legacy-1.1") is None
    assert step_to_return_to(None, root, None) is None


def test_a_journal_that_cannot_be_read_becomes_a_notice(tmp_path: Path) -> None:
    """A broken journal does not stop the wizard: it is named in a notice."""
    (tmp_path / "journal.json").write_text("{broken", encoding="utf-8")

    earlier = find_earlier_session(tmp_path, DeviceRoot("/"), None)

    assert earlier.unfinished is None
    assert earlier.notice is not None
    assert "cannot read the journal" in earlier.notice
