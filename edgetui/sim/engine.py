"""The simulated container engine: a Docker Engine API subset on a unix socket.

Run as its own process (`launch()` starts it). It answers what the docker
SDK and `iotedge` need: ping, version, info, containers (list, inspect,
logs, start, stop, restart, remove), images (list, inspect, pull, remove)
and volumes, reading and writing the device state on every request so the
package tools and the engine always agree. When the device's
`docker.service` is not active, it drops connections as a stopped engine
would.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import re
import signal
import socketserver
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from edgetui.sim import engine_routes as routes
from edgetui.sim.runtime import EngineError
from edgetui.sim.state import State, read_state

_VERSIONED = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


class EngineServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Serves one device's engine API; each connection gets a thread."""

    daemon_threads = True

    def __init__(self, socket_path: str, root: Path) -> None:
        super().__init__(socket_path, EngineRequestHandler)
        self.root = root


class EngineRequestHandler(http.server.BaseHTTPRequestHandler):
    """Answers one HTTP request in the engine's JSON shapes."""

    protocol_version = "HTTP/1.1"
    server: EngineServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keeps the engine quiet; errors still reach its log file."""

    def do_GET(self) -> None:
        """Handles GET."""
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        """Handles HEAD (the SDK pings with it)."""
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        """Handles POST."""
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        """Handles DELETE."""
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self._discard_body()
        state = read_state(self.server.root)
        if not _engine_running(state):
            self.close_connection = True
            return
        url = urlsplit(self.path)
        path = url.path
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        match = _VERSIONED.match(path)
        if match:
            path = match.group(3)
            requested = (int(match.group(1)), int(match.group(2)))
            if requested > _api_tuple(state):
                self._reply_json(
                    state,
                    400,
                    {
                        "message": f"client version {match.group(1)}.{match.group(2)} "
                        "is too new. Maximum supported API version is "
                        f"{state['engine']['api_version']}"
                    },
                )
                return
        wanted = "GET" if method == "HEAD" else method
        for route_method, pattern, handler in routes.ROUTES:
            found = pattern.match(path)
            if route_method == wanted and found:
                self._answer(state, handler, found.groups(), query, method)
                return
        self._reply_json(state, 404, {"message": "page not found"})

    def _answer(
        self,
        state: State,
        handler: routes.Handler,
        groups: Sequence[str],
        query: dict[str, str],
        method: str,
    ) -> None:
        try:
            status, body = handler(
                self.server.root, [unquote(g) for g in groups], query
            )
        except EngineError as error:
            self._reply_json(state, error.status, {"message": str(error)})
            return
        if isinstance(body, routes.Stream):
            self._stream(state, body)
        elif isinstance(body, routes.Raw):
            self._reply(state, status, body.data, body.content_type, method == "HEAD")
        elif body is None:
            self._reply(state, status, b"", None, False)
        else:
            self._reply_json(state, status, body, method == "HEAD")

    def _stream(self, state: State, body: routes.Stream) -> None:
        """Sends a response of unknown length until it ends or the client leaves.

        A chunked stream ends with the last chunk and keeps the connection;
        any other ends by closing it.
        """
        self.send_response(200)
        self._engine_headers(state)
        self.send_header("Content-Type", body.content_type)
        if body.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            for data in body.chunks:
                if data:
                    self.wfile.write(_framed(data) if body.chunked else data)
                    self.wfile.flush()
            if body.chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _discard_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def _reply_json(
        self, state: State, status: int, body: Any, head_only: bool = False
    ) -> None:
        data = (json.dumps(body) + "\n").encode()
        self._reply(state, status, data, "application/json", head_only)

    def _reply(
        self,
        state: State,
        status: int,
        data: bytes,
        content_type: str | None,
        head_only: bool,
    ) -> None:
        self.send_response(status)
        self._engine_headers(state)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def _engine_headers(self, state: State) -> None:
        engine = state["engine"]
        self.send_header("Api-Version", engine["api_version"])
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Server", f"Docker/{engine['version']} (linux)")


def _framed(data: bytes) -> bytes:
    """One HTTP/1.1 chunk: its length in hex, the data, CRLF."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def _engine_running(state: State) -> bool:
    service = state["services"].get("docker.service")
    return (
        bool(state["engine"]) and service is not None and service["state"] == "active"
    )


def _api_tuple(state: State) -> tuple[int, int]:
    major, minor = state["engine"]["api_version"].split(".")
    return int(major), int(minor)


def main(argv: Sequence[str] | None = None) -> int:
    """Serves the engine API for one device until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="edgetui-sim-engine")
    parser.add_argument("--root", required=True, help="the device root")
    parser.add_argument("--socket", required=True, help="the unix socket to serve")
    parser.add_argument("--speed", type=float, default=1.0, help="the time factor")
    args = parser.parse_args(argv)
    os.environ["EDGETUI_SIM_SPEED"] = repr(max(0.0, args.speed))
    root = Path(args.root)
    read_state(root)
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    server = EngineServer(args.socket, root)
    os.chmod(args.socket, 0o660)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
        if os.path.exists(args.socket):
            os.unlink(args.socket)
    return 0


def _exit_on_signal(number: int, frame: FrameType | None) -> None:
    sys.exit(0)


if __name__ == "__main__":
    sys.exit(main())
