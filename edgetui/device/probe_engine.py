"""The probe of the container engine and the runtime containers it runs."""

from __future__ import annotations

from edgetui.device.context import ProbeContext, ProbeOutcome
from edgetui.device.engine import ContainerReading, EngineReading, read_engine
from edgetui.device.packages import InstalledPackages
from edgetui.device.runtime import tag_kind
from edgetui.facts.device import DeviceFacts, EngineFacts, ModuleFacts, RuntimeFacts

ENGINE_TIMEOUT = 5.0
"""Seconds one engine request may take: an engine that answers does so fast."""

_PRODUCT_OF_PACKAGE = {
    "moby-engine": "moby",
    "docker-ce": "docker-ce",
    "docker.io": "moby",
}
_COMMUNITY_PLATFORM = "Docker Engine - Community"

_UNAVAILABLE_ACTIONS = {
    "no-socket": "the socket does not exist. Start the engine "
    "(sudo systemctl start docker) or set DOCKER_HOST to its address.",
    "permission": "permission denied. Run edgetui as root (sudo edgetui).",
    "refused": "the connection was refused. Start the engine "
    "(sudo systemctl start docker), then detect again.",
    "timeout": "it did not answer in time. Check the engine with "
    "sudo systemctl status docker.",
}


async def probe_engine(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Asks the engine for its version and the edgeAgent/edgeHub containers.

    The product (moby or docker-ce) comes from the package database when it
    names an engine package, else from the engine's version answer.
    """
    timeout = min(ENGINE_TIMEOUT, context.timeout)
    reading = await context.bounded(read_engine(context.docker_host(), timeout))
    installed = await context.installed()

    facts.engine = engine_facts(reading, installed)
    facts.runtime = runtime_facts(reading)
    outcome = ProbeOutcome(_summary(facts.engine, facts.runtime))
    _warn_unread(reading, facts.runtime, outcome)
    return outcome


def engine_facts(
    reading: EngineReading, installed: InstalledPackages | None
) -> EngineFacts:
    """Combines the engine's answer with the package database.

    Args:
        reading: what the engine answered.
        installed: the package reading, `None` when it failed.

    Returns:
        The engine facts.
    """
    engines = installed.engines() if installed is not None else []
    community = reading.platform == _COMMUNITY_PLATFORM
    package = next(
        (p for p in engines if community and p.name == "docker-ce"),
        engines[0] if engines else None,
    )
    if package is not None:
        product: str | None = _PRODUCT_OF_PACKAGE[package.name]
    else:
        product = _product_from_answer(reading)
    return EngineFacts(
        available=reading.available,
        product=product,
        package=package.name if package is not None else None,
        version=reading.version,
        packages=[p.name for p in engines],
    )


def _product_from_answer(reading: EngineReading) -> str | None:
    if reading.platform == _COMMUNITY_PLATFORM:
        return "docker-ce"
    version = reading.version or ""
    if "+azure" in version or "+dfsg" in version:
        return "moby"
    return None


def runtime_facts(reading: EngineReading) -> RuntimeFacts:
    """Describes edgeAgent and edgeHub from the engine's answer."""
    agent = reading.containers.get("edgeAgent")
    hub = reading.containers.get("edgeHub")
    return RuntimeFacts(
        agent=_module(agent),
        hub=_module(hub),
        tag_kind=tag_kind(agent.image) if agent is not None else None,
    )


def _module(container: ContainerReading | None) -> ModuleFacts:
    if container is None:
        return ModuleFacts()
    return ModuleFacts(
        image=container.image, version=container.version, status=container.status
    )


def _warn_unread(
    reading: EngineReading, runtime: RuntimeFacts, outcome: ProbeOutcome
) -> None:
    if not reading.available:
        action = _UNAVAILABLE_ACTIONS.get(
            reading.problem or "",
            "it gave an error. Check the engine with sudo systemctl status docker.",
        )
        outcome.warn(
            "engine-unavailable",
            f"The container engine at {reading.host} does not answer: {action} "
            "Until it does, the runtime containers are unknown.",
        )
        return
    if runtime.agent.image is None:
        outcome.warn(
            "runtime-missing",
            "There is no edgeAgent container, so the runtime version is unknown. "
            "IoT Edge creates it once it is configured and running "
            "(check with iotedge list).",
        )
    for name, module in (("edgeAgent", runtime.agent), ("edgeHub", runtime.hub)):
        if module.image is not None and module.version is None:
            outcome.warn(
                "module-version-unknown",
                f"The {name} log has no 'Version -' line, so its version is "
                f"unknown. Restarting it (iotedge restart {name}) writes the line "
                "again.",
            )


def _summary(engine: EngineFacts, runtime: RuntimeFacts) -> str:
    if not engine.available:
        return "engine not answering"
    parts = [f"{engine.product or 'engine'} {engine.version or '?'}"]
    for name, module in (("edgeAgent", runtime.agent), ("edgeHub", runtime.hub)):
        if module.image is not None:
            parts.append(f"{name} {module.version or '?'} {module.status or ''}")
    return ", ".join(part.strip() for part in parts)
