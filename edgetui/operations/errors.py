"""Why an operation stopped, in words a technician can act on.

Every message names the problem and the next action. The headless commands
turn each kind into its exit code; the wizard shows the message as it is.
"""

from __future__ import annotations

import os

from edgetui.device.root import DeviceRoot


class OperationError(Exception):
    """The operation could not be done, or its result did not verify."""


class BadInputError(OperationError):
    """A file or an argument is malformed or hostile; nothing was changed."""


class NotRootError(OperationError):
    """The operation changes the device and edgetui does not run as root."""


def require_root(root: DeviceRoot, action: str) -> None:
    """Refuses to change this machine's files without root.

    A device root other than `/` (tests, a mounted image) needs no root.

    Args:
        root: the device root the operation writes under.
        action: what needs root, for the message (`set the agent image`).

    Raises:
        NotRootError: the root is `/` and the effective user is not root.
    """
    if root.is_host and os.geteuid() != 0:
        raise NotRootError(f"{action} needs root; run the same command with sudo")
