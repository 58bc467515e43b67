"""The edgeAgent image named in `/etc/aziot/config.toml` (`[agent.config] image`).

`iotedge config import` carries the old image over verbatim, so a device
migrated from 1.1 still names `azureiotedge-agent:1.1` until someone edits it.
This module reads that value, works out the image for a release line, and
rewrites the one value while keeping the rest of the file (comments, layout,
secrets) byte for byte.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError
from tomlkit.toml_document import TOMLDocument

from edgetui.device.root import DeviceRoot
from edgetui.device.runtime import image_tag
from edgetui.facts.versions import release_line
from edgetui.operations.errors import BadInputError, OperationError, require_root

log = logging.getLogger(__name__)

CONFIG_PATH = "/etc/aziot/config.toml"
LEGACY_CONFIG_PATH = "/etc/iotedge/config.yaml"
DEFAULT_AGENT_REPOSITORY = "mcr.microsoft.com/azureiotedge-agent"

_IMAGE_REFERENCE = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$", re.IGNORECASE)
_LINE = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class AgentImage:
    """What the configuration file says about the edgeAgent image.

    Attributes:
        path: the device path of the configuration file.
        image: the `[agent.config] image` value, `None` when it is not set.
    """

    path: str
    image: str | None

    @property
    def line(self) -> str | None:
        """The release line the image tag names (`1.4` for `:1.4` or `:1.4.43`)."""
        return image_line(self.image) if self.image else None


@dataclass(frozen=True)
class AgentImageChange:
    """The result of setting the image.

    Attributes:
        path: the device path of the configuration file.
        previous: the image named before, `None` when it was not set.
        image: the image named now (verified by reading the file again).
        previous_copy: the device path of the kept copy of the old file, or
            `None` when nothing had to change.
    """

    path: str
    previous: str | None
    image: str
    previous_copy: str | None

    @property
    def changed(self) -> bool:
        """True when the file was rewritten."""
        return self.previous != self.image


def image_line(image: str) -> str | None:
    """Gives the release line an image tag names.

    Args:
        image: `mcr.microsoft.com/azureiotedge-agent:1.4.43`, or any reference.

    Returns:
        `1.4`, or `None` when the tag is not a version (`latest`, a digest).
    """
    return release_line(image_tag(image))


def image_for_line(current: str | None, line: str) -> str:
    """Gives the agent image for a release line, keeping the current registry.

    Args:
        current: the image named now (its repository is kept), or `None`
            for Microsoft's repository.
        line: the release line, `1.5`.

    Returns:
        The image with the rolling tag of `line`, `...azureiotedge-agent:1.5`.

    Raises:
        BadInputError: `line` is not `MAJOR.MINOR`.
    """
    if not _LINE.match(line):
        raise BadInputError(
            f"--line {line!r} is not a release line; give MAJOR.MINOR, for example 1.5"
        )
    repository = _repository_of(current) if current else DEFAULT_AGENT_REPOSITORY
    return f"{repository}:{line}"


def validate_image(image: str) -> str:
    """Checks that a value given on the command line is an image reference.

    Raises:
        BadInputError: it is empty, has spaces, quotes or other odd characters.
    """
    candidate = image.strip()
    if not candidate or not _IMAGE_REFERENCE.match(candidate):
        raise BadInputError(
            f"{image!r} is not an image reference; give one like "
            f"{DEFAULT_AGENT_REPOSITORY}:1.5"
        )
    return candidate


def read_agent_image(root: DeviceRoot) -> AgentImage:
    """Reads the edgeAgent image from the configuration file.

    Raises:
        OperationError: the file is missing or unreadable.
        BadInputError: the file is not valid TOML, or `agent.config` is not
            a table.
    """
    document = _load(root)
    return AgentImage(path=CONFIG_PATH, image=_image_in(document))


def set_agent_image(root: DeviceRoot, image: str) -> AgentImageChange:
    """Names `image` in `[agent.config]`, then verifies by reading it back.

    The file is replaced atomically with mode 0600; the old content is kept
    beside it as `config.toml.edgetui-prev`. Nothing is written when the
    file already names `image`.

    Args:
        root: the device root.
        image: the image reference to set.

    Returns:
        What changed.

    Raises:
        NotRootError: writing this machine's file without root.
        OperationError: the file is missing, or reads back differently.
        BadInputError: the file or the image is malformed.
    """
    image = validate_image(image)
    document = _load(root)
    previous = _image_in(document)
    if previous == image:
        return AgentImageChange(CONFIG_PATH, previous, image, previous_copy=None)

    require_root(root, f"writing {CONFIG_PATH}")
    _agent_config_table(document)["image"] = image
    kept = _write(root, tomlkit.dumps(document))
    log.info("set [agent.config] image in %s: %s -> %s", CONFIG_PATH, previous, image)

    now = read_agent_image(root).image
    if now != image:
        raise OperationError(
            f"{CONFIG_PATH} names {now!r} after writing {image!r}; "
            f"the previous file is kept as {kept}, compare the two"
        )
    return AgentImageChange(CONFIG_PATH, previous, image, previous_copy=kept)


def _load(root: DeviceRoot) -> TOMLDocument:
    host = root.path(CONFIG_PATH)
    if not host.exists():
        raise OperationError(_missing_message(root))
    try:
        text = root.read_text(CONFIG_PATH)
    except PermissionError:
        require_root(root, f"reading {CONFIG_PATH}")
        raise OperationError(
            f"cannot read {CONFIG_PATH}: permission denied; check its owner "
            "and mode (root, 0600)"
        ) from None
    except OSError as error:
        raise OperationError(
            f"cannot read {CONFIG_PATH}: {error.strerror or error}; "
            "run edgetui as root (sudo)"
        ) from None
    try:
        return tomlkit.parse(text)
    except ParseError as error:
        raise BadInputError(
            f"{CONFIG_PATH} is not valid TOML (line {error.line}, column "
            f"{error.col}); fix the file, or restore it from its "
            ".edgetui-prev copy or a backup, then try again"
        ) from None
    except TOMLKitError:
        raise BadInputError(
            f"{CONFIG_PATH} is not valid TOML; fix the file, then try again"
        ) from None


def _missing_message(root: DeviceRoot) -> str:
    message = f"{CONFIG_PATH} does not exist"
    if root.exists(LEGACY_CONFIG_PATH):
        return (
            f"{message}, but {LEGACY_CONFIG_PATH} (IoT Edge 1.1) does; "
            "install aziot-edge, then run `sudo iotedge config import` first"
        )
    return (
        f"{message}; run `sudo iotedge config import` (from a 1.1 "
        "config.yaml) or create it from /etc/aziot/config.toml.edge.template first"
    )


def _image_in(document: TOMLDocument) -> str | None:
    agent = document.get("agent")
    if agent is None:
        return None
    if not isinstance(agent, dict):
        raise BadInputError(f"{CONFIG_PATH}: `agent` must be a table; fix the file")
    config = agent.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise BadInputError(
            f"{CONFIG_PATH}: `agent.config` must be a table; fix the file"
        )
    image = config.get("image")
    return str(image) if image is not None else None


def _agent_config_table(document: TOMLDocument) -> dict[str, object]:
    """Gives `[agent.config]`, adding the tables when the file has none."""
    if "agent" not in document:
        document.add(tomlkit.nl())
        document["agent"] = tomlkit.table()
    agent = document["agent"]
    if "config" not in agent:
        agent["config"] = tomlkit.table()
    config: dict[str, object] = agent["config"]
    return config


def _write(root: DeviceRoot, text: str) -> str | None:
    try:
        previous = root.write_atomic(CONFIG_PATH, text, mode=0o600)
    except OSError as error:
        raise OperationError(
            f"cannot write {CONFIG_PATH}: {error.strerror or error}; "
            "the file is unchanged; check free space and permissions"
        ) from None
    return root.device_path(previous) if previous else None


def _repository_of(image: str) -> str:
    name = image.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    last = last.split(":", 1)[0]
    return f"{head}/{last}" if head else last
