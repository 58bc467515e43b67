"""The manifest of a backup: what it holds, with sizes and SHA-256 hashes.

The manifest is the archive's last member (`edgetui-manifest.json`) and is
also kept beside the archive (`<archive>.manifest.json`) so that listing
backups does not have to read whole archives.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

MANIFEST_MEMBER = "edgetui-manifest.json"
FORMAT = 1


class ManifestError(ValueError):
    """The manifest is missing, not JSON, or not in a format edgetui knows."""


@dataclass(frozen=True)
class BackedUpFile:
    """One regular file in the archive.

    Attributes:
        path: its device path, `/etc/aziot/config.toml`.
        size: bytes.
        sha256: hex digest of its content.
        mode: permission bits.
    """

    path: str
    size: int
    sha256: str
    mode: int


@dataclass
class BackupManifest:
    """What a backup holds and where it came from.

    Attributes:
        created: when it was made, ISO 8601 UTC.
        edgetui_version: the edgetui that made it.
        source: what ran on the device: `daemon` (`iotedged` or
            `aziot-edged`) and `version`.
        roots: the device paths asked for (files or whole directories).
        files: every regular file, with size and hash.
        directories: every directory, to restore ownership and modes.
        symlinks: device path to link target.
        missing: paths asked for that do not exist on the device.
        skipped: paths left out (sockets, devices), with the reason.
        warnings: what could not be included (module storage when the
            engine did not answer), each with its consequence.
        format: the manifest format number.
    """

    created: str
    edgetui_version: str
    source: dict[str, str | None] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    files: list[BackedUpFile] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)
    symlinks: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    format: int = FORMAT

    @property
    def total_size(self) -> int:
        """The bytes of all files together."""
        return sum(item.size for item in self.files)

    def to_json(self) -> dict[str, Any]:
        """Gives the manifest as a JSON-ready dict."""
        return asdict(self)

    def dumps(self) -> str:
        """Gives the manifest as JSON text."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def loads(cls, text: str) -> BackupManifest:
        """Reads a manifest from JSON text.

        Raises:
            ManifestError: not JSON, or not a manifest of a known format.
        """
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ManifestError("not an edgetui backup manifest of format 1")
            files = [BackedUpFile(**item) for item in data.pop("files")]
            return cls(files=files, **data)
        except (ValueError, TypeError, KeyError) as error:
            if isinstance(error, ManifestError):
                raise
            raise ManifestError(f"the manifest is malformed ({error})") from None
