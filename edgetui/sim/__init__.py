"""The simulated device behind `--demo` (standard library only).

`launch(name)` builds a sandbox device for one of `SCENARIOS`, starts its
container engine, and yields a `SimDevice` whose `env` puts the simulated
programs first on PATH. The programs import this package too, so its
attributes load lazily: a program starts without building scenarios.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edgetui.sim.device import SimDevice, SimulatorError, launch
    from edgetui.sim.scenarios import SCENARIOS, Scenario

__all__ = ["SCENARIOS", "Scenario", "SimDevice", "SimulatorError", "launch"]

_HOMES = {
    "SCENARIOS": "edgetui.sim.scenarios",
    "Scenario": "edgetui.sim.scenarios",
    "SimDevice": "edgetui.sim.device",
    "SimulatorError": "edgetui.sim.device",
    "launch": "edgetui.sim.device",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'edgetui.sim' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
