"""A small Docker Engine API client over a unix socket (standard library only).

`iotedge` reads containers, logs and the engine version through it, from
the simulated engine or from a real dockerd, whichever DOCKER_HOST names.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import struct
from typing import Any
from urllib.parse import quote, urlencode

DEFAULT_HOST = "unix:///var/run/docker.sock"


class DockerApiError(RuntimeError):
    """The engine could not be reached or refused the request.

    Attributes:
        status: the HTTP status, or `None` when nothing answered.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


class DockerApi:
    """Talks to the engine named by DOCKER_HOST (a `unix://` socket).

    Args:
        host: `unix:///path`; default DOCKER_HOST, else the standard socket.
        timeout: seconds for each request.
    """

    def __init__(self, host: str | None = None, timeout: float = 30.0) -> None:
        self.host = host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        if not self.host.startswith("unix://"):
            raise DockerApiError(
                f"only unix:// engine addresses are supported: {self.host}"
            )
        self.socket_path = self.host[len("unix://") :]
        self.timeout = timeout

    def request(
        self, method: str, path: str, query: dict[str, Any] | None = None
    ) -> tuple[int, bytes]:
        """Sends one request.

        Returns:
            The HTTP status and the body.

        Raises:
            DockerApiError: nothing answered on the socket.
        """
        target = path + ("?" + urlencode(query) if query else "")
        connection = _UnixConnection(self.socket_path, self.timeout)
        try:
            connection.request(method, target, headers={"Host": "docker"})
            response = connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            raise DockerApiError(
                f"Cannot connect to the container engine at {self.host}: {error}"
            ) from error
        finally:
            connection.close()

    def json(self, method: str, path: str, query: dict[str, Any] | None = None) -> Any:
        """Sends a request and decodes its JSON answer.

        Raises:
            DockerApiError: no answer, or an error status (its message).
        """
        status, body = self.request(method, path, query)
        if status >= 400:
            raise DockerApiError(_message(body), status)
        return json.loads(body) if body.strip() else None

    def version(self) -> dict[str, Any]:
        """The engine's /version answer."""
        result: dict[str, Any] = self.json("GET", "/version")
        return result

    def containers(self, label: str | None = None) -> list[dict[str, Any]]:
        """Every container (running or not), optionally with a label `key=value`."""
        query: dict[str, Any] = {"all": "1"}
        if label:
            query["filters"] = json.dumps({"label": [label]})
        result: list[dict[str, Any]] = self.json("GET", "/containers/json", query)
        return result

    def inspect(self, name: str) -> dict[str, Any]:
        """A container's inspect document."""
        result: dict[str, Any] = self.json("GET", f"/containers/{quote(name)}/json")
        return result

    def logs(
        self, name: str, tail: str = "all", since: int = 0
    ) -> list[tuple[int, str]]:
        """A container's log lines as (stream 1=stdout 2=stderr, text)."""
        query = {"stdout": "1", "stderr": "1", "tail": tail}
        if since:
            query["since"] = str(since)
        status, body = self.request("GET", f"/containers/{quote(name)}/logs", query)
        if status >= 400:
            raise DockerApiError(_message(body), status)
        return list(demultiplex(body))

    def restart(self, name: str) -> None:
        """Restarts a container."""
        self.json("POST", f"/containers/{quote(name)}/restart")


def demultiplex(data: bytes) -> list[tuple[int, str]]:
    """Splits the engine's multiplexed log stream into (stream, line) pairs."""
    lines: list[tuple[int, str]] = []
    offset = 0
    while offset + 8 <= len(data):
        stream, size = struct.unpack(">BxxxL", data[offset : offset + 8])
        payload = data[offset + 8 : offset + 8 + size].decode("utf-8", "replace")
        offset += 8 + size
        for line in payload.splitlines():
            lines.append((stream, line))
    return lines


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body)["message"])
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace").strip() or "no answer"
