"""Starts the IoT Edge runtime containers the way the daemon does at start-up.

The lab's daemons (iotedged, aziot-edged) run this once when systemd starts
them. Like the real daemon it starts the edgeAgent container that exists, or
creates it from the agent image named in the configuration (pulling it when
it is missing); and like edgeAgent following a deployment that names the
same release, it then starts or creates edgeHub from the matching hub image.
Existing containers keep their image: the real daemon never swaps it.

Usage: python3 start_runtime.py CONFIG_FILE
"""

import http.client
import json
import re
import socket
import sys
from urllib.parse import quote, urlencode

ENGINE_SOCKET = "/var/run/docker.sock"
OWNER = {"net.azure-devices.edge.owner": "Microsoft.Azure.Devices.Edge.Agent"}
NETWORK = "azure-iot-edge"
STORAGE = "/iotedge/storage"


class _UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(ENGINE_SOCKET)


def engine(method, path, query=None, body=None):
    """Sends one request to the engine; gives (status, decoded JSON or None)."""
    connection = _UnixConnection("localhost", timeout=120)
    target = path + ("?" + urlencode(query) if query else "")
    payload = json.dumps(body) if body is not None else None
    headers = {"Content-Type": "application/json"} if payload else {}
    connection.request(method, target, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data) if data.strip() else None
    except ValueError:
        return response.status, None


def agent_image(config_file):
    """Reads `[agent.config] image` (TOML) or `agent: config: image:` (YAML)."""
    with open(config_file) as config:
        text = config.read()
    if "[agent.config]" in text:
        section = text.split("[agent.config]", 1)[1].split("\n[", 1)[0]
        return re.search(r'^image\s*=\s*"([^"]+)"', section, re.M).group(1)
    after_agent = text.split("\nagent:", 1)[1]
    return re.search(r'^\s+image:\s*"?([^"\s]+)"?', after_agent, re.M).group(1)


def ensure_image(image):
    status, _ = engine("GET", f"/images/{quote(image, safe='')}/json")
    if status == 200:
        return True
    repository, tag = image.rsplit(":", 1)
    status, _ = engine("POST", "/images/create", {"fromImage": repository, "tag": tag})
    return status == 200


def start_module(name, image, volume=None):
    """Starts a module's container, creating it first when there is none."""
    status, _ = engine("GET", f"/containers/{name}/json")
    if status == 404:
        if not ensure_image(image):
            print(f"[ERR!] - Could not pull image {image}", flush=True)
            return
        binds = [f"{volume}:{STORAGE}"] if volume else []
        body = {
            "Image": image,
            "Env": [f"storageFolder={STORAGE}", f"StorageFolder={STORAGE}"],
            "Labels": {**OWNER, "net.azure-devices.edge.original-image": image},
            "HostConfig": {"Binds": binds, "NetworkMode": NETWORK},
        }
        engine("POST", "/containers/create", {"name": name}, body)
        print(f"[INFO] - Created module {name} from {image}", flush=True)
    engine("POST", f"/containers/{name}/start")
    print(f"[INFO] - Started module {name}", flush=True)


def main(config_file):
    image = agent_image(config_file)
    start_module("edgeAgent", image)
    hub = image.replace("azureiotedge-agent", "azureiotedge-hub")
    status, _ = engine("GET", "/volumes/edgehub")
    start_module("edgeHub", hub, volume="edgehub" if status == 200 else None)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except OSError as error:
        print(f"[ERR!] - Could not reach the container engine: {error}", flush=True)
