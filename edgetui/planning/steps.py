"""The steps plans are made of, one builder each.

Every builder returns a `Step` whose commands are argv lists. Package
commands pin the exact versions the repository offers. Downloads use `-y`
because they change nothing; installs and removals run without it so the
package manager shows what it will install and remove, and the runner raises
its confirmation prompt for the technician (or the answers file) to answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from edgetui.facts.plan import Step

DEFENDER_PACKAGE = "defender-iot-micro-agent-edge"
"""The Defender for IoT micro agent, installed beside IoT Edge on request."""

PURGE_WARNING = (
    "Never purge this package: purge deletes /etc/iotedge/config.yaml and "
    "/var/lib/iotedge, with the master encryption key that module secrets "
    "depend on."
)


def pinned(manager: str, package: str, version: str | None) -> str:
    """Spells `package` at `version` for the package manager.

    Args:
        manager: `apt`, `dnf` or `yum`.
        package: the package name.
        version: the version as the repository spells it, or `None` for
            whatever the repository offers newest.

    Returns:
        `name=1.5.21-1` for apt, `name-1.5.21-1.el9` for dnf and yum.
    """
    if version is None:
        return package
    return f"{package}={version}" if manager == "apt" else f"{package}-{version}"


def refresh_package_lists(manager: str) -> Step:
    """Fetches the repository indexes so the pinned versions can be found."""
    argv = ["apt-get", "update"] if manager == "apt" else [manager, "makecache"]
    return Step(
        id="refresh-package-lists",
        title="Refresh the package lists",
        commands=[argv],
        explanation="Fetches the repository indexes; nothing is installed.",
        requires_network=True,
    )


def repair_packages() -> Step:
    """Finishes a package installation that stopped part way."""
    return Step(
        id="repair-packages",
        title="Finish the interrupted package installation",
        commands=[["dpkg", "--configure", "-a"]],
        explanation=(
            "dpkg reports an IoT Edge package as not fully configured; this "
            "finishes the configuration an earlier run left undone."
        ),
    )


def backup() -> Step:
    """Backs up what cannot be recreated, before anything changes."""
    return Step(
        id="backup",
        title="Back up configuration, keys and module storage",
        commands=[["edgetui", "backup", "create"]],
        explanation=(
            "Copies the IoT Edge configuration, keys, certificates, the TPM "
            "rule and module host storage into a verified backup, so the "
            "device can be restored if the update fails."
        ),
    )


def download_packages(manager: str, package_sets: Sequence[Sequence[str]]) -> Step:
    """Downloads every package the update installs, changing nothing yet."""
    commands = [_download_argv(manager, packages) for packages in package_sets]
    return Step(
        id="download-packages",
        title="Download the packages",
        commands=commands,
        explanation=(
            "Downloads the packages into the package cache before anything "
            "changes, so a network failure cannot leave the device half-updated."
        ),
        requires_network=True,
    )


def pull_images(images: Sequence[str]) -> Step:
    """Pulls the runtime images ahead of the change."""
    return Step(
        id="pull-images",
        title="Pull the new runtime images",
        commands=[["docker", "pull", image] for image in images],
        explanation=(
            "Pulls the edgeAgent and edgeHub images now, while nothing has "
            "changed, so the runtime can start without the network later."
        ),
        requires_network=True,
        optional=True,
    )


def stop_legacy_daemon() -> Step:
    """Stops the 1.0/1.1 daemon and, with it, every module."""
    return Step(
        id="stop-iotedge",
        title="Stop IoT Edge",
        commands=[["systemctl", "stop", "iotedge"]],
        explanation="Stops the IoT Edge daemon; every module stops with it.",
        downtime=True,
    )


def stop_daemon() -> Step:
    """Stops the 1.2+ services and, with them, every module."""
    return Step(
        id="stop-iotedge",
        title="Stop IoT Edge",
        commands=[["iotedge", "system", "stop"]],
        explanation="Stops the IoT Edge services; every module stops with them.",
        downtime=True,
    )


def upgrade_engine(manager: str, packages: Sequence[str]) -> Step:
    """Upgrades the Moby container engine, as the new line expects."""
    return Step(
        id="upgrade-engine",
        title="Upgrade the container engine",
        commands=[_install_argv(manager, packages)],
        destructive=True,
        explanation=(
            "The official procedure upgrades the container engine when moving "
            "to a new IoT Edge line. Docker restarts, and every container with "
            "it; images and volumes are kept."
        ),
        destroys="the installed moby-engine and moby-cli packages (replaced)",
        downtime=True,
        optional=True,
    )


def remove_legacy_packages() -> Step:
    """Removes the 1.0/1.1 daemon, keeping its configuration and keys."""
    return Step(
        id="remove-iotedge",
        title="Remove the IoT Edge 1.1 daemon (keep its configuration)",
        commands=[["apt-get", "remove", "iotedge"]],
        destructive=True,
        explanation=(
            "Removes the iotedge package but keeps /etc/iotedge/config.yaml and "
            "/var/lib/iotedge, which the import reads. " + PURGE_WARNING
        ),
        destroys="the iotedge package (program files and service units)",
    )


def install_packages(
    manager: str,
    packages: Sequence[str],
    replaces: str,
    *,
    restarts: bool,
    consequence: str = "",
) -> Step:
    """Installs the paired daemon and identity packages."""
    return Step(
        id="install-packages",
        title="Install the new IoT Edge packages",
        commands=[_install_argv(manager, packages)],
        destructive=True,
        explanation=(
            f"Installs {' '.join(packages)} from the package cache, replacing "
            f"{replaces}. {consequence}"
        ).strip(),
        destroys=replaces,
        downtime=restarts,
    )


def import_config(*, overwrite: bool) -> Step:
    """Converts config.yaml into /etc/aziot/config.toml."""
    argv = ["iotedge", "config", "import"] + (["--force"] if overwrite else [])
    explanation = (
        "Converts /etc/iotedge/config.yaml into /etc/aziot/config.toml and "
        "imports the master encryption key, so modules keep their secrets."
    )
    if overwrite:
        explanation += (
            " /etc/aziot/config.toml already exists from an earlier attempt; "
            "it is overwritten (the backup holds a copy)."
        )
    return Step(
        id="import-config",
        title="Import the 1.1 configuration",
        commands=[argv],
        destructive=overwrite,
        explanation=explanation,
        destroys="the existing /etc/aziot/config.toml" if overwrite else "",
    )


def set_agent_image(image: str, previous: str | None) -> Step:
    """Points `[agent.config] image` at the new line's edgeAgent."""
    was = f" (was {previous})" if previous else ""
    return Step(
        id="set-agent-image",
        title="Set the edgeAgent image in config.toml",
        commands=[["edgetui", "config", "agent-image", "--set", image]],
        explanation=(
            f"Sets [agent.config] image to {image}{was}: the import and older "
            "configurations keep the old line's image, which would start the "
            "old edgeAgent. The previous file is kept beside it."
        ),
    )


def fix_tpm_rule() -> Step:
    """Gives the TPM to the aziottpm user that 1.2+ reads it as."""
    return Step(
        id="fix-tpm-rule",
        title="Give the TPM to aziottpm",
        commands=[["edgetui", "tpm", "fix"]],
        explanation=(
            "IoT Edge 1.2+ reads the TPM as the aziottpm user; the import does "
            "not change the udev rule, which still names iotedge. This rewrites "
            "the rule (keeping the old one) and reloads udev."
        ),
    )


def apply_config() -> Step:
    """Applies config.toml and restarts the services."""
    return Step(
        id="apply-config",
        title="Apply the configuration and start IoT Edge",
        commands=[["iotedge", "config", "apply"]],
        explanation=(
            "Writes each service's configuration from /etc/aziot/config.toml "
            "and restarts the IoT Edge services."
        ),
        downtime=True,
    )


def restart_legacy_daemon() -> Step:
    """Restarts the 1.0/1.1 daemon after a patch."""
    return Step(
        id="restart-iotedge",
        title="Restart IoT Edge",
        commands=[["systemctl", "restart", "iotedge"]],
        explanation="Restarts the daemon so the new version runs.",
        downtime=True,
    )


def update_deployment(line: str, images: Sequence[str]) -> Step:
    """Asks the technician to set the new runtime images in IoT Hub."""
    return Step(
        id="update-deployment",
        title=f"Set the {line} runtime images in the IoT Hub deployment",
        explanation=(
            "In IoT Hub, set this device's deployment (and any layered "
            f"deployment that targets it) to {' and '.join(images)}. The "
            "edgeAgent applies the deployment's images, so an old tag there "
            "brings the old runtime back."
        ),
        manual=True,
    )


def refresh_runtime(*, new_line: bool, pulled_ahead: bool) -> Step:
    """Recreates the runtime containers from the new images.

    Args:
        new_line: the runtime moves to another line's tag, which config.toml
            now names: the old containers and images are removed by tag and
            the daemon starts edgeAgent from the image pulled ahead.
        pulled_ahead: the new images were pulled before the point of no
            return.
    """
    argv = ["edgetui", "runtime", "refresh", "--yes"]
    if new_line:
        argv.append("--no-pull")
        how = (
            "Removes the edgeAgent and edgeHub containers still on the old "
            "line's images, and those images; IoT Edge then starts edgeAgent "
            "from the new image named in config.toml. "
        )
    else:
        how = (
            "Pulls the rolling tags again and, only if they moved, removes the "
            "edgeAgent and edgeHub containers and their old images so they "
            "start from the new ones; without the network nothing is removed. "
        )
    return Step(
        id="refresh-runtime",
        title="Recreate the edgeAgent and edgeHub containers",
        commands=[argv],
        destructive=True,
        explanation=(
            how + "IoT Edge only restarts an existing container and never swaps "
            "its image. Data kept inside the containers (not on host storage) "
            "is lost."
        ),
        destroys="the edgeAgent and edgeHub containers and their old images",
        downtime=True,
        requires_network=not (new_line and pulled_ahead),
    )


def verify() -> Step:
    """Checks the result."""
    return Step(
        id="verify",
        title="Verify the update",
        commands=[["iotedge", "check"], ["edgetui", "detect"]],
        explanation=(
            "Runs IoT Edge's own checks and detects the device again to "
            "confirm the versions match."
        ),
    )


def _download_argv(manager: str, packages: Sequence[str]) -> list[str]:
    if manager == "apt":
        return ["apt-get", "install", "--download-only", "-y", *packages]
    return [manager, "install", "--downloadonly", "-y", *packages]


def _install_argv(manager: str, packages: Sequence[str]) -> list[str]:
    program = "apt-get" if manager == "apt" else manager
    return [program, "install", *packages]
