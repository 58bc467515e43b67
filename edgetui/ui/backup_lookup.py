"""What the plan's backup step would hold on this device, looked up ahead.

The lookup asks the container engine for the runtime modules' storage, which
blocks, so the app runs it in a thread.
"""

from __future__ import annotations

import contextlib
from typing import Any

from edgetui.device.engine import ENGINE_ERRORS, open_client
from edgetui.device.root import DeviceRoot
from edgetui.operations.backup_sources import BackupSources, find_backup_sources


def look_up_backup_sources(root: DeviceRoot) -> BackupSources:
    """Lists the paths a backup of this device holds (blocking).

    Args:
        root: the device root.

    Returns:
        The paths, and warnings for what could not be looked at (the engine
        not answering leaves out the runtime modules' storage).
    """
    with contextlib.ExitStack() as stack:
        client: Any | None
        try:
            client = stack.enter_context(open_client(timeout=10.0))
        except ENGINE_ERRORS:
            client = None
        return find_backup_sources(root, client)
