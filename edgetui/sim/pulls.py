"""Image pulls as the engine streams them: one JSON progress message at a time.

A pull announces the repository, then (unless the local image is already
the one the registry serves, or another tag of it holds its layers) walks
each layer through download and extraction, taking scaled realistic time,
and ends with the digest and the outcome. The image reaches the device
state only at the end; a pull that fails there (a full disk) says so in
the stream, after its progress, as the real engine does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edgetui.sim import runtime
from edgetui.sim.catalog import ImageRelease
from edgetui.sim.programs.common import pause
from edgetui.sim.runtime import EngineError
from edgetui.sim.state import changing_state, read_state

_LAYER_SHARES = (0.62, 0.29, 0.09)
"""How an image's bytes split over its layers."""
_DOWNLOAD_STEPS = 4
_EXTRACT_STEPS = 2
_BAR_WIDTH = 50


def pull_messages(root: Path, reference: str) -> Iterator[bytes]:
    """Pulls `repository:tag` into the device, yielding the engine's messages.

    Args:
        root: the device root (its state gains the image at the end).
        reference: the image with its tag; the registry must know it
            (`runtime.registry_image` tells beforehand).

    Yields:
        One JSON object and `\\r\\n` per message, as the engine writes them.
    """
    release = runtime.registry_image(reference)
    repository, _, tag = reference.rpartition(":")
    yield _message({"status": f"Pulling from {_path(repository)}", "id": tag})

    state = read_state(root)
    local = runtime.find_image(state, reference)
    fresh = local is None or local["id"] != release.image_id
    if fresh and any(image["id"] == release.image_id for image in state["images"]):
        for number in range(len(_LAYER_SHARES)):
            yield _message(_still("Already exists", _layer_id(release, number)))
    elif fresh:
        yield from _layers(release)
    try:
        with changing_state(root) as state:
            image = runtime.pull_image(state, reference)
    except EngineError as error:
        yield _message({"errorDetail": {"message": str(error)}, "error": str(error)})
        return

    yield _message({"status": f"Digest: {_digest(image['id'])}"})
    outcome = "Downloaded newer image" if fresh else "Image is up to date"
    yield _message({"status": f"Status: {outcome} for {reference}"})


def _layers(release: ImageRelease) -> Iterator[bytes]:
    """Each layer downloaded, verified and extracted, in the engine's words."""
    seconds = 1.0 + release.size / 60_000_000
    layers = [
        (_layer_id(release, number), int(release.size * share), seconds * share)
        for number, share in enumerate(_LAYER_SHARES)
    ]
    for ident, _, _ in layers:
        yield _message(_still("Pulling fs layer", ident))
    for ident, size, spent in layers:
        yield from _steps("Downloading", ident, size, spent * 0.8, _DOWNLOAD_STEPS)
        yield _message(_still("Verifying Checksum", ident))
        yield _message(_still("Download complete", ident))
    for ident, size, spent in layers:
        yield from _steps("Extracting", ident, size, spent * 0.2, _EXTRACT_STEPS)
        yield _message(_still("Pull complete", ident))


def _steps(
    status: str, ident: str, size: int, seconds: float, count: int
) -> Iterator[bytes]:
    """Progress of one layer in `count` even steps over `seconds`."""
    for step in range(1, count + 1):
        pause(seconds / count)
        yield _message(_moving(status, ident, size * step // count, size))


def _still(status: str, ident: str) -> dict[str, Any]:
    return {"status": status, "progressDetail": {}, "id": ident}


def _moving(status: str, ident: str, current: int, total: int) -> dict[str, Any]:
    done = current * _BAR_WIDTH // total if total else _BAR_WIDTH
    bar = "=" * done + (">" if done < _BAR_WIDTH else "")
    progress = f"[{bar:<{_BAR_WIDTH}}]  {_human(current)}/{_human(total)}"
    return {
        "status": status,
        "progressDetail": {"current": current, "total": total},
        "progress": progress,
        "id": ident,
    }


def _human(size: int) -> str:
    """Sizes as the engine shows them: three significant digits, `184MB`."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000:
            return f"{value:.3g}{unit}"
        value /= 1000
    return f"{value:.3g}TB"


def _layer_id(release: ImageRelease, number: int) -> str:
    return hashlib.sha256(f"{release.image_id}/{number}".encode()).hexdigest()[:12]


def _digest(image_id: str) -> str:
    return "sha256:" + hashlib.sha256(f"manifest {image_id}".encode()).hexdigest()


def _path(repository: str) -> str:
    """The repository without its registry: `azureiotedge-agent`."""
    first, _, rest = repository.partition("/")
    return rest if rest and ("." in first or ":" in first) else repository


def _message(value: dict[str, Any]) -> bytes:
    return (json.dumps(value) + "\r\n").encode()
