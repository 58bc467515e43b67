"""Which dialog asks a running command's question (or a manual step's)."""

from __future__ import annotations

from edgetui.execution.events import MANUAL_PROMPT
from edgetui.runner.events import Prompt
from edgetui.ui.screens.conffile_dialog import ConffileDialog
from edgetui.ui.screens.confirm_dialog import ConfirmDialog
from edgetui.ui.screens.dialog import Dialog
from edgetui.ui.screens.manual_dialog import ManualDialog
from edgetui.ui.screens.password_dialog import PasswordDialog


def dialog_for(
    prompt: Prompt,
    step_title: str,
    recent_output: list[str],
    differences: list[str] | None = None,
) -> Dialog:
    """Gives the dialog for a prompt, by its kind.

    Args:
        prompt: the question.
        step_title: the step asking.
        recent_output: the step's last output lines (what apt is about to do).
        differences: the diff dpkg printed after the last D, if any.
    """
    if prompt.kind == MANUAL_PROMPT:
        return ManualDialog(prompt, step_title)
    if prompt.kind == "password":
        return PasswordDialog(prompt, step_title)
    if prompt.kind == "conffile":
        return ConffileDialog(prompt, differences)
    return ConfirmDialog(prompt, recent_output)
