"""Device facts and choices in, an upgrade plan out.

The planner is pure and deterministic: it reads `DeviceFacts`, the release
catalog and the technician's choices and gives a `Plan`. It decides the path
(patch, minor, legacy, runtime, current or unsupported), pins the exact
package versions the repository offers, puts every download before the point
of no return, and checks its own result against the safety rules before
handing it out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from edgetui.facts.device import DeviceFacts
from edgetui.facts.plan import Plan, Step
from edgetui.facts.versions import EdgeVersion, release_line
from edgetui.planning import steps
from edgetui.planning.assess import HALF_INSTALLED_STATES, installed_daemon
from edgetui.planning.catalog import Catalog, Release, ReleaseLine, load_catalog
from edgetui.planning.safety import check_plan
from edgetui.planning.targets import (
    Target,
    TargetError,
    available_targets,
    default_target,
    describe_offers,
    resolve_target,
)
from edgetui.planning.unsupported import unsupported_reason

logger = logging.getLogger(__name__)

DEFAULT_AGENT_IMAGE = "mcr.microsoft.com/azureiotedge-agent"
DEFAULT_HUB_IMAGE = "mcr.microsoft.com/azureiotedge-hub"
_PONR_CANDIDATES = ("remove-iotedge", "install-packages", "import-config")


@dataclass(frozen=True)
class PlanChoices:
    """What the technician chose.

    Attributes:
        target: the version to update to (`1.5.21`, `1.5`), or `None` for
            the proposed one: the newest supported LTS release offered.
        include_defender: also install `defender-iot-micro-agent-edge`
            (older guidance installed it beside IoT Edge; newer dropped it).
        keep_rolling_tags: a device on rolling tags (`1.5`) stays on them;
            when false, edgetui names the specific runtime release instead,
            when the catalog knows it.
    """

    target: str | None = None
    include_defender: bool = False
    keep_rolling_tags: bool = True


@dataclass(frozen=True)
class _Request:
    """What a plan is asked for: the device, the catalog and the choices."""

    facts: DeviceFacts
    catalog: Catalog
    choices: PlanChoices
    today: date
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class _Situation:
    """Everything one plan towards a chosen target is composed from."""

    facts: DeviceFacts
    catalog: Catalog
    choices: PlanChoices
    today: date
    manager: str
    installed: EdgeVersion | None
    target: Target
    line: ReleaseLine
    release: Release


def plan_update(
    facts: DeviceFacts,
    today: date,
    choices: PlanChoices | None = None,
    catalog: Catalog | None = None,
) -> Plan:
    """Plans the update of one device.

    Args:
        facts: what detection found (with `repository.versions`).
        today: the date support windows are measured against.
        choices: the technician's choices (default: proposed target, no
            Defender, rolling tags kept).
        catalog: the release catalog (default: the one shipped with edgetui).

    Returns:
        The plan. Its path is `unsupported` (with the reason) for devices
        edgetui cannot update, and `current` when there is nothing to do.

    Raises:
        TargetError: the chosen target is not a version, not offered, older
            than the installed one or unknown to the catalog; a 1.0/1.1
            device has nothing to move to; or the repository's offers could
            not be read and the runtime needs nothing.
    """
    catalog = catalog or load_catalog()
    choices = choices or PlanChoices()
    from_version = _from_version(facts)
    reason = unsupported_reason(facts)
    if reason is not None:
        return Plan("unsupported", from_version, None, reason=reason)

    targets = available_targets(facts, catalog, today)
    if choices.target is not None:
        target: Target | None = resolve_target(choices.target, targets, catalog, today)
    else:
        target = default_target(targets, today)

    request = _Request(facts, catalog, choices, today, tuple(targets))
    plan = _plan_for(request, target)
    check_plan(plan)
    logger.info(
        "planned %s from %s to %s", plan.path, plan.from_version, plan.to_version
    )
    return plan


def _plan_for(request: _Request, target: Target | None) -> Plan:
    facts = request.facts
    installed = installed_daemon(facts)
    if target is None:
        if _needs_migration(facts) or installed is None:
            message = _nothing_to_move_to(facts, request.targets, request.today)
            raise TargetError(message, request.targets)
        return _runtime_or_current(request, installed)

    assert target.line is not None and target.release is not None
    situation = _Situation(
        facts=facts,
        catalog=request.catalog,
        choices=request.choices,
        today=request.today,
        manager=facts.os.package_manager or "apt",
        installed=installed,
        target=target,
        line=target.line,
        release=target.release,
    )
    if _needs_migration(facts) and not target.line.is_legacy:
        return _legacy_plan(situation)
    if installed is not None and target.version.line != installed.line:
        return _minor_plan(situation)
    if installed is not None and target.version > installed:
        return _patch_plan(situation)
    return _runtime_or_current(request, target.version)


def _needs_migration(facts: DeviceFacts) -> bool:
    """The device runs (or ran) 1.0/1.1, or still uses config.yaml."""
    return (
        facts.security_subsystem.package == "iotedge" or facts.config.format == "yaml"
    )


def _from_version(facts: DeviceFacts) -> str | None:
    text = facts.security_subsystem.version
    version = EdgeVersion.parse_or_none(text)
    return version.upstream if version else text


def _nothing_to_move_to(
    facts: DeviceFacts, targets: tuple[Target, ...], today: date
) -> str:
    update = _refresh_command(facts)
    problem = (
        "the repository offers no IoT Edge 1.2 or newer release this device "
        f"can move to. Run `{update}`, and check that the Microsoft package "
        "repository for this OS release is configured"
    )
    offers = describe_offers(targets, today)
    if not offers:
        return problem + "."
    listed = "\n".join(f"  {line}" for line in offers)
    return f"{problem}. The repository offers:\n{listed}"


# --- the paths -----------------------------------------------------------


def _patch_plan(s: _Situation) -> Plan:
    legacy = s.line.is_legacy
    packages = _edge_packages(s)
    plan_steps = [
        *_preparation(s),
        steps.download_packages(s.manager, [packages]),
        *_pull(s),
        steps.install_packages(
            s.manager,
            packages,
            f"{s.target.package} {s.installed} and {s.target.identity_package}",
            restarts=True,
        ),
        steps.restart_legacy_daemon() if legacy else steps.apply_config(),
        *_runtime_after_patch(s),
        steps.verify(),
    ]
    notes = _common_notes(s)
    if legacy:
        notes.append(
            f"IoT Edge {s.line.line} is past its end of support; plan the move to "
            "1.2 or newer (`edgetui plan --to 1.5`) next."
        )
    return _finish(s, "patch", plan_steps, notes, "install-packages")


def _minor_plan(s: _Situation) -> Plan:
    packages = _edge_packages(s)
    engine = _engine_packages(s)
    downloads = [packages] + ([engine] if engine else [])
    plan_steps = [
        *_preparation(s),
        steps.download_packages(s.manager, downloads),
        *_pull(s),
        steps.stop_daemon(),
        *([steps.upgrade_engine(s.manager, engine)] if engine else []),
        steps.install_packages(
            s.manager,
            packages,
            f"aziot-edge {s.installed} and its identity service",
            restarts=True,
        ),
        *_set_agent_image(s),
        *_tpm_fix(s),
        steps.update_deployment(s.line.line, _images(s)),
        steps.apply_config(),
        steps.refresh_runtime(new_line=True, pulled_ahead=s.facts.engine.available),
        steps.verify(),
    ]
    notes = [*_common_notes(s), _deployment_note(s)]
    return _finish(s, "minor", plan_steps, notes, "install-packages")


def _legacy_plan(s: _Situation) -> Plan:
    subsystem = s.facts.security_subsystem
    legacy_running = (
        subsystem.package == "iotedge" and subsystem.state != "config-files"
    )
    install = s.installed is None or s.installed != s.target.version
    packages = _edge_packages(s)
    engine = _engine_packages(s)
    downloads = ([packages] if install else []) + ([engine] if engine else [])
    stop = steps.stop_legacy_daemon() if legacy_running else steps.stop_daemon()
    plan_steps = [
        *_preparation(s),
        *([steps.download_packages(s.manager, downloads)] if downloads else []),
        *_pull(s),
        *([stop] if legacy_running or s.installed is not None else []),
        *([steps.upgrade_engine(s.manager, engine)] if engine else []),
        *([steps.remove_legacy_packages()] if legacy_running else []),
        *([_legacy_install(s, packages)] if install else []),
        steps.import_config(overwrite=_toml_exists(s.facts)),
        steps.set_agent_image(_images(s)[0], None),
        *_tpm_fix(s),
        steps.update_deployment(s.line.line, _images(s)),
        steps.apply_config(),
        steps.refresh_runtime(new_line=True, pulled_ahead=s.facts.engine.available),
        steps.verify(),
    ]
    notes = [*_common_notes(s), _deployment_note(s), *_legacy_notes(s)]
    ponr = next(i for i in _PONR_CANDIDATES if any(st.id == i for st in plan_steps))
    return _finish(s, "legacy", plan_steps, notes, ponr)


def _legacy_install(s: _Situation, packages: list[str]) -> Step:
    replaces = "libiothsm-std, which conflicts with the new identity service"
    if s.facts.security_subsystem.package == "aziot-edge":
        replaces = f"aziot-edge {s.installed} and its identity service"
    return steps.install_packages(
        s.manager,
        packages,
        replaces,
        restarts=False,
        consequence=(
            "The new version re-encrypts module secrets, so going back to 1.1 "
            "needs the backup."
        ),
    )


def _runtime_or_current(request: _Request, daemon: EdgeVersion) -> Plan:
    facts, catalog = request.facts, request.catalog
    behind = _runtime_behind(facts, catalog, daemon)
    version = daemon.upstream
    notes = _repository_notes(facts, request.targets, daemon)
    if behind is None:
        if not facts.repository.versions:
            raise TargetError(_repository_unread(facts, version), request.targets)
        reason = _current_reason(catalog, request, daemon)
        return Plan("current", version, version, notes=notes, reason=reason)

    line = catalog.line_of(daemon)
    rolling_tag = line.rolling_tag if line else daemon.line
    plan_steps = _runtime_steps(
        facts, request.choices, daemon, rolling_tag, catalog.release(daemon)
    )
    has_refresh = any(step.id == "refresh-runtime" for step in plan_steps)
    _mark_point_of_no_return(plan_steps, "refresh-runtime" if has_refresh else None)
    notes.insert(0, behind)
    return Plan("runtime", version, version, plan_steps, notes)


def _current_reason(catalog: Catalog, request: _Request, daemon: EdgeVersion) -> str:
    newer = _newer_selectable(request.targets, daemon)
    if newer:
        return (
            f"IoT Edge {daemon.upstream} is already installed and the runtime "
            f"matches: nothing to do for {daemon.upstream}. The repository offers "
            f"newer releases edgetui can install: {_versions(newer)}; choose one "
            f"(`edgetui plan --to {newer[0].version}`)."
        )
    reason = (
        f"IoT Edge {daemon.upstream} is installed, the repository offers no "
        "newer release edgetui can install, and the runtime matches. "
        "Nothing to do."
    )
    line = catalog.line_of(daemon)
    if line is not None and not line.supported_on(request.today):
        reason += (
            f" But {line.line} support ended on {line.end_of_support.isoformat()}: "
            "check that the Microsoft package repository for this OS release is "
            "configured, or move the device to an OS release that gets a "
            "supported line."
        )
    return reason


def _refresh_command(facts: DeviceFacts) -> str:
    if facts.os.package_manager in ("dnf", "yum"):
        return f"sudo {facts.os.package_manager} makecache"
    return "sudo apt-get update"


def _repository_unread(facts: DeviceFacts, version: str) -> str:
    update = _refresh_command(facts)
    return (
        "the IoT Edge versions the package repository offers could not be "
        f"read, so there is no telling whether IoT Edge {version} needs an update. "
        f"Run `{update}`, then `edgetui plan` again."
    )


def _runtime_steps(
    facts: DeviceFacts,
    choices: PlanChoices,
    daemon: EdgeVersion,
    rolling_tag: str,
    release: Release | None,
) -> list[Step]:
    images = _image_names(facts, _tag_for(facts, choices, rolling_tag, release))
    fix_agent: list[Step] = []
    if release_line(_tag_of(facts.config.agent_image)) not in (None, daemon.line):
        fix_agent = [
            steps.set_agent_image(images[0], facts.config.agent_image),
            steps.apply_config(),
        ]
    if facts.runtime.tag_kind == "specific":
        return [
            *fix_agent,
            steps.update_deployment(daemon.line, images),
            steps.verify(),
        ]

    same_line = _runtime_line(facts) in (None, daemon.line)
    pull_ahead = facts.engine.available and not same_line
    return [
        *([steps.pull_images(images)] if pull_ahead else []),
        *fix_agent,
        *([] if same_line else [steps.update_deployment(daemon.line, images)]),
        steps.refresh_runtime(
            new_line=not same_line, pulled_ahead=facts.engine.available
        ),
        steps.verify(),
    ]


# --- pieces shared by the paths ------------------------------------------


def _preparation(s: _Situation) -> list[Step]:
    repair = (
        [steps.repair_packages()]
        if s.manager == "apt"
        and s.facts.security_subsystem.state in HALF_INSTALLED_STATES
        else []
    )
    return [*repair, steps.refresh_package_lists(s.manager), steps.backup()]


def _edge_packages(s: _Situation) -> list[str]:
    packages = [
        steps.pinned(s.manager, s.target.package, s.target.package_version),
        steps.pinned(s.manager, s.target.identity_package, s.target.identity_version),
    ]
    if s.choices.include_defender:
        newest = _newest_offered(s.facts, steps.DEFENDER_PACKAGE)
        packages.append(steps.pinned(s.manager, steps.DEFENDER_PACKAGE, newest))
    return packages


def _engine_packages(s: _Situation) -> list[str]:
    """The engine packages to upgrade, or none when no upgrade is due."""
    engine = s.facts.engine
    if not s.line.engine.upgrade_when_entering:
        return []
    if engine.package != "moby-engine":
        return []
    newest = EdgeVersion.parse_or_none(_newest_offered(s.facts, "moby-engine"))
    current = EdgeVersion.parse_or_none(engine.version)
    if newest is not None and current is not None and newest <= current:
        return []
    return [
        steps.pinned(s.manager, name, _newest_offered(s.facts, name))
        for name in s.line.engine.packages
    ]


def _newest_offered(facts: DeviceFacts, package: str) -> str | None:
    offered = facts.repository.versions.get(package)
    return offered[0] if offered else None


def _pull(s: _Situation) -> list[Step]:
    if not s.facts.engine.available:
        return []
    return [steps.pull_images(_images(s))]


def _images(s: _Situation) -> list[str]:
    tag = _tag_for(s.facts, s.choices, s.line.rolling_tag, s.release)
    return _image_names(s.facts, tag)


def _set_agent_image(s: _Situation) -> list[Step]:
    image = _images(s)[0]
    if s.facts.config.agent_image == image:
        return []
    return [steps.set_agent_image(image, s.facts.config.agent_image)]


def _tag_for(
    facts: DeviceFacts,
    choices: PlanChoices,
    rolling_tag: str,
    release: Release | None,
) -> str:
    specific = facts.runtime.tag_kind == "specific" or not choices.keep_rolling_tags
    if specific and release is not None and release.product is not None:
        return release.product
    return rolling_tag


def _image_names(facts: DeviceFacts, tag: str) -> list[str]:
    agent = (
        _repository_of(facts.config.agent_image)
        or _repository_of(facts.runtime.agent.image)
        or DEFAULT_AGENT_IMAGE
    )
    hub = _repository_of(facts.runtime.hub.image)
    if hub is None and agent.endswith("azureiotedge-agent"):
        hub = agent[: -len("agent")] + "hub"
    return [f"{agent}:{tag}", f"{hub or DEFAULT_HUB_IMAGE}:{tag}"]


def _repository_of(image: str | None) -> str | None:
    if not image:
        return None
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return image
    return name


def _tag_of(image: str | None) -> str | None:
    if not image or ":" not in image.rsplit("/", 1)[-1]:
        return None
    return image.rsplit(":", 1)[1]


def _runtime_line(facts: DeviceFacts) -> str | None:
    agent = facts.runtime.agent
    return release_line(agent.version or _tag_of(agent.image))


def _runtime_behind(
    facts: DeviceFacts, catalog: Catalog, daemon: EdgeVersion
) -> str | None:
    """Says how the runtime lags the daemon, or `None` when it does not."""
    agent = facts.runtime.agent
    running = agent.version or _tag_of(agent.image)
    line = release_line(running)
    if line is None:
        return None
    if line != daemon.line:
        return (
            f"edgeAgent runs {running}, but the daemon is IoT Edge {daemon}: "
            f"the runtime must move to {daemon.line}."
        )
    release = catalog.release(daemon)
    product = EdgeVersion.parse_or_none(release.product if release else None)
    version = EdgeVersion.parse_or_none(agent.version)
    if product is not None and version is not None and version < product:
        return (
            f"edgeAgent runs {version}, older than {product}, the runtime "
            f"released with aziot-edge {daemon}."
        )
    return None


def _runtime_after_patch(s: _Situation) -> list[Step]:
    if s.facts.runtime.tag_kind == "specific":
        return [steps.update_deployment(s.line.line, _images(s))]
    return [
        steps.refresh_runtime(new_line=False, pulled_ahead=s.facts.engine.available)
    ]


def _tpm_fix(s: _Situation) -> list[Step]:
    uses_tpm = s.facts.config.attestation == "tpm"
    stale_rule = s.facts.tpm.rule_owner not in (None, "aziottpm")
    return [steps.fix_tpm_rule()] if uses_tpm or stale_rule else []


def _toml_exists(facts: DeviceFacts) -> bool:
    paths = (facts.config.path, facts.config.other_path)
    return any(path and path.endswith(".toml") for path in paths)


def _deployment_note(s: _Situation) -> str:
    return (
        f"The IoT Hub deployment for this device must name the {s.line.line} "
        f"runtime ({' and '.join(_images(s))}); otherwise edgeAgent restores "
        "the runtime the deployment names."
    )


def _legacy_notes(s: _Situation) -> list[str]:
    notes = [
        "Custom modules may need a restart after the migration to reconnect "
        "to the new edgeHub.",
    ]
    if s.facts.tpm.rule_path is None and s.facts.config.attestation == "tpm":
        notes.append(
            "No TPM udev rule was found; `edgetui tpm fix` writes one for aziottpm."
        )
    return notes


def _common_notes(s: _Situation) -> list[str]:
    notes: list[str] = []
    if not s.target.supported(s.today):
        notes.append(
            f"IoT Edge {s.line.line} support ended on "
            f"{s.line.end_of_support.isoformat()}; it is the newest line this "
            "repository offers for the device."
        )
    if s.installed is not None and s.catalog.release(s.installed) is None:
        notes.append(
            f"The installed {s.installed} is not in edgetui's release catalog."
        )
    if s.facts.engine.product == "docker-ce":
        notes.append(
            "The container engine is docker-ce; edgetui upgrades only the Moby "
            "engine, so it leaves the engine as it is."
        )
    if not s.facts.engine.available:
        notes.append(
            "The container engine did not answer, so the runtime images are "
            "pulled after the point of no return; the device needs the network "
            "until the runtime is up."
        )
    if s.choices.include_defender:
        notes.append(
            f"{steps.DEFENDER_PACKAGE} is installed as asked; current Microsoft "
            "guidance no longer installs it with IoT Edge."
        )
    tag = _tag_for(s.facts, s.choices, s.line.rolling_tag, s.release)
    if s.facts.runtime.tag_kind == "specific" and tag == s.line.rolling_tag:
        notes.append(
            f"edgetui does not know which runtime release goes with "
            f"{s.target.package} {s.target.version}; it uses the rolling tag "
            f"{tag}. Name a specific {s.line.line} tag in the deployment."
        )
    return notes


def _repository_notes(
    facts: DeviceFacts, targets: tuple[Target, ...], daemon: EdgeVersion
) -> list[str]:
    if not facts.repository.versions:
        return [
            "edgetui could not read which versions the package repository offers; "
            "only the runtime is planned."
        ]
    refused = [t for t in targets if t.version > daemon and not t.selectable]
    return [
        f"The repository also offers {t.version}, which edgetui will not install: "
        f"{t.refused}."
        for t in refused
    ]


def _newer_selectable(targets: tuple[Target, ...], daemon: EdgeVersion) -> list[Target]:
    """The releases newer than `daemon` edgetui can install, newest first."""
    return [t for t in targets if t.version > daemon and t.selectable]


def _versions(targets: list[Target]) -> str:
    return ", ".join(str(t.version) for t in targets)


def _finish(
    s: _Situation, path: str, plan_steps: list[Step], notes: list[str], ponr: str
) -> Plan:
    _mark_point_of_no_return(plan_steps, ponr)
    return Plan(
        path=path,
        from_version=_from_version(s.facts),
        to_version=s.target.version.upstream,
        steps=plan_steps,
        notes=notes,
    )


def _mark_point_of_no_return(plan_steps: list[Step], step_id: str | None) -> None:
    for step in plan_steps:
        step.point_of_no_return = step.id == step_id
