"""`edgetui runtime status|refresh` against simulated devices and their engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.device.runtime import tag_kind
from edgetui.operations.runtime_images import status_code
from edgetui.sim.state import changing_state

from .conftest import Simulated


def runtime(root: Path, *args: str) -> int:
    return main(["runtime", *args, "--root", str(root)])


def status_json(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert runtime(root, "status", "--json") == exitcodes.OK
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def versions(data: dict[str, Any]) -> dict[str, str]:
    return {module["name"]: module["version"] for module in data["modules"]}


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("mcr.microsoft.com/azureiotedge-agent:1.4", "rolling"),
        ("mcr.microsoft.com/azureiotedge-hub:1.1-linux-arm32v7", "rolling"),
        ("mcr.microsoft.com/azureiotedge-agent:1.4.43", "specific"),
        ("mcr.microsoft.com/azureiotedge-agent:latest", None),
        ("mcr.microsoft.com/azureiotedge-agent@sha256:" + "c" * 64, None),
    ],
)
def test_tag_kind_decides_what_refresh_touches(image: str, kind: str | None) -> None:
    """Only major.minor tags are rolling; releases, latest and digests are not."""
    assert tag_kind(image) == kind


class _EngineFailureError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"status {code}")
        self.status_code = code


def test_status_code_reads_sdk_shaped_errors() -> None:
    """An engine error's HTTP status is found on the error or its response."""

    class Response:
        status_code = 409

    wrapped = Exception("conflict")
    wrapped.response = Response()  # type: ignore[attr-defined]

    assert status_code(_EngineFailureError(404)) == 404
    assert status_code(wrapped) == 409
    assert status_code(ValueError("x")) is None


def test_status_shows_images_tags_and_versions(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """Status lists edgeAgent and edgeHub with image, tag kind and log version."""
    with simulated("patch-1.6") as root:
        data = status_json(root, capsys)

    assert [module["name"] for module in data["modules"]] == ["edgeAgent", "edgeHub"]
    assert data["tag_kind"] == "rolling"
    assert data["modules"][0]["image"] == "mcr.microsoft.com/azureiotedge-agent:1.6"
    assert versions(data) == {"edgeAgent": "1.6.0", "edgeHub": "1.6.0"}


def test_status_without_an_engine_names_the_fix(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No engine socket: exit 1 and say how to start the engine."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")

    assert runtime(tmp_path, "status") == exitcodes.FAILED

    assert "did not answer; start it" in capsys.readouterr().err


def test_refresh_pulls_replaces_and_verifies_rolling_images(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rolling 1.6 tags move to the newest 1.6 patch; edgeAgent runs it again."""
    with simulated("patch-1.6") as root:
        assert runtime(root, "refresh", "--yes", "--wait", "20") == exitcodes.OK
        out = capsys.readouterr().out
        after = status_json(root, capsys)

    assert "pulled mcr.microsoft.com/azureiotedge-agent:1.6" in out
    assert "removed container edgeAgent" in out
    assert "removed container edgeHub" in out
    assert out.count("removed image sha256:") == 2
    assert "edgeAgent runs again: mcr.microsoft.com/azureiotedge-agent:1.6" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert versions(after)["edgeAgent"] == "1.6.1"


def test_refresh_without_pulling_removes_the_tags_for_the_daemon(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --no-pull the rolling tags are removed and the daemon pulls them."""
    with simulated("patch-1.6") as root:
        args = ("refresh", "--yes", "--no-pull", "--wait", "20")
        assert runtime(root, *args) == exitcodes.OK
        out = capsys.readouterr().out
        after = status_json(root, capsys)

    assert "pulled" not in out
    assert "removed image mcr.microsoft.com/azureiotedge-agent:1.6" in out
    assert "removed image mcr.microsoft.com/azureiotedge-hub:1.6" in out
    assert versions(after) == {"edgeAgent": "1.6.1", "edgeHub": "1.6.1"}


def test_refresh_twice_finds_nothing_new_the_second_time(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a refresh the pulls change nothing, so nothing is removed."""
    with simulated("patch-1.6") as root:
        assert runtime(root, "refresh", "--yes", "--wait", "20") == exitcodes.OK
        capsys.readouterr()

        assert runtime(root, "refresh", "--yes", "--json") == exitcodes.OK
        data = json.loads(capsys.readouterr().out)

    assert data["up_to_date"] is True
    assert data["removed_containers"] == []


def test_refresh_without_a_terminal_needs_yes(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """Headless without --yes: exit 4, the way to proceed named, nothing removed."""
    with simulated("patch-1.6") as root:
        before = status_json(root, capsys)
        assert runtime(root, "refresh") == exitcodes.ABORTED
        err = capsys.readouterr().err
        after = status_json(root, capsys)

    assert "sudo edgetui runtime refresh --yes" in err
    assert after == before


def test_refresh_leaves_specific_tags_to_the_deployment(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """Specific 1.4.43 tags are not touched; the deployment must name new tags."""
    with simulated("lts-1.4") as root:
        before = status_json(root, capsys)
        assert runtime(root, "refresh", "--yes") == exitcodes.OK
        out = capsys.readouterr().out
        after = status_json(root, capsys)

    assert "update the deployment in IoT Hub to name the new tag" in out
    assert "nothing to refresh" in out
    assert after == before


def test_refresh_that_cannot_pull_removes_nothing(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull that fails (disk full) stops the refresh before anything is removed."""
    with simulated("patch-1.6") as root:
        before = status_json(root, capsys)
        with changing_state(root) as state:
            for mount in state["mounts"]:
                mount["used"] = mount["size"] - 1024

        assert runtime(root, "refresh", "--yes") == exitcodes.FAILED
        err = capsys.readouterr().err
        after = status_json(root, capsys)

    assert "could not pull mcr.microsoft.com/azureiotedge-agent:1.6" in err
    assert "no space left on device" in err
    assert "nothing was removed" in err
    assert after == before
