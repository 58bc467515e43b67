"""The one door to device files: every device path goes through `DeviceRoot`.

`edgetui --root DIR` moves every device path under DIR, so
`/etc/aziot/config.toml` becomes `DIR/etc/aziot/config.toml`. Probes read
through it and operations write through it; nothing opens a device path
directly.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath


class HostilePathError(ValueError):
    """A device path would leave the device root (`..` or a symlink out)."""


class DeviceRoot:
    """Maps device paths to host paths under a root directory.

    Args:
        root: the directory that stands for `/` on the device.
    """

    def __init__(self, root: str | os.PathLike[str] = "/") -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"DeviceRoot({str(self.root)!r})"

    @property
    def is_host(self) -> bool:
        """True when the device is this machine (`--root /`)."""
        return self.root == Path("/")

    def path(self, device_path: str | PurePosixPath) -> Path:
        """Gives the host path of an absolute device path.

        Raises:
            HostilePathError: the path is relative or climbs out with `..`.
        """
        text = str(device_path)
        if not text.startswith("/"):
            raise HostilePathError(f"device paths are absolute: {text!r}")
        parts = PurePosixPath(text).parts[1:]
        if ".." in parts:
            raise HostilePathError(f"device path climbs out of the root: {text!r}")
        return self.root.joinpath(*parts)

    def device_path(self, host_path: str | os.PathLike[str]) -> str:
        """Gives the device path of a host path under the root (for messages)."""
        relative = Path(host_path).resolve().relative_to(self.root)
        return "/" + relative.as_posix() if str(relative) != "." else "/"

    def exists(self, device_path: str) -> bool:
        """Tells whether the device path exists."""
        return self.path(device_path).exists()

    def read_text(self, device_path: str, limit: int = 4 * 1024 * 1024) -> str:
        """Reads a device text file, at most `limit` bytes.

        Raises:
            OSError: missing, unreadable, or larger than `limit`.
        """
        host = self.path(device_path)
        with host.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise OSError(f"{device_path} is larger than {limit} bytes")
        return data.decode("utf-8", errors="replace")

    def write_atomic(
        self, device_path: str, text: str, mode: int = 0o600, keep_previous: bool = True
    ) -> Path | None:
        """Replaces a device file atomically, keeping the old copy beside it.

        The new content is written to a temporary file in the same directory,
        flushed to disk, then renamed over the old one. The previous content
        is kept as `<name>.edgetui-prev`.

        Returns:
            The host path of the previous copy, or `None` if there was none.
        """
        host = self.path(device_path)
        host.parent.mkdir(parents=True, exist_ok=True)
        previous: Path | None = None
        if keep_previous and host.exists():
            previous = host.with_name(host.name + ".edgetui-prev")
            _copy_preserving(host, previous)
        fd, temp = tempfile.mkstemp(dir=host.parent, prefix=f".{host.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, mode)
            os.replace(temp, host)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return previous


def _copy_preserving(source: Path, target: Path) -> None:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(target, source.stat().st_mode & 0o777)
