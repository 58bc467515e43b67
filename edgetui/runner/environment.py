"""The environment every child gets: plain, uncoloured, unpaged output."""

from __future__ import annotations

import os
from collections.abc import Mapping

CHILD_DEFAULTS: Mapping[str, str] = {
    "LC_ALL": "C",
    "DPKG_PAGER": "cat",
    "PAGER": "cat",
    "SYSTEMD_PAGER": "cat",
    "NO_COLOR": "1",
    "SYSTEMD_COLORS": "0",
    "TERM": "dumb",
    # debconf dialogs would draw a screen nobody sees; dpkg's conffile
    # question and apt's confirmation still come (they are not debconf).
    "DEBIAN_FRONTEND": "noninteractive",
}
"""Set for every child, over edgetui's own environment.

The runner's and the command's variables come after, so a command may
deliberately choose otherwise.
"""


def child_environment(
    runner_env: Mapping[str, str], command_env: Mapping[str, str]
) -> dict[str, str]:
    """Builds a child's environment.

    Args:
        runner_env: variables every command of this runner gets (the
            simulated device's PATH, for one).
        command_env: the command's own variables.

    Returns:
        os.environ, then `CHILD_DEFAULTS`, the runner's variables and the
        command's.
    """
    return {**os.environ, **CHILD_DEFAULTS, **runner_env, **command_env}


def chosen_variables(
    runner_env: Mapping[str, str], command_env: Mapping[str, str]
) -> dict[str, str]:
    """The variables edgetui chooses, without the inherited ones.

    sudo starts the command with a fresh environment, so these are passed
    through `env NAME=VALUE ...` after it.
    """
    return {**CHILD_DEFAULTS, **runner_env, **command_env}
