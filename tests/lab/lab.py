"""The lab for one run: repository, Debian root, edgetui layer, engine, devices.

`Lab.open()` makes what every device needs (once per run), `lab.device(name)`
boots a fresh device of a state and removes it afterwards, `lab.close()` stops
every device and the engine by PID and removes what the run made.

A device with a TPM gets character device nodes with the TPM's numbers,
made in its folder and bound over `/dev/tpm0` and `/dev/tpmrm0`: the
container may not open them (nor may anything: no TPM answers), but their
owner and mode are real, which is what IoT Edge's TPM access depends on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engine as engine_module
from .device import NSPAWN_RUNTIME, Bind, Device
from .engine import OWNER, OWNER_LABEL, Engine, image_name
from .packages import build_repository
from .rootfs import build_wheels, make_edgetui_layer, make_rootfs
from .states import STATES, DeviceState, RuntimeModule
from .workspace import TIMINGS, Workspace

logger = logging.getLogger(__name__)

# The kernel's numbers for the TPM character devices (tpmrm0 is dynamic;
# this is the number it usually gets).
TPM_NUMBERS = {"tpm0": (10, 224), "tpmrm0": (253, 65536)}


@dataclass
class LabDevice:
    """A booted device of a state, and the containers the engine runs for it."""

    device: Device
    state: DeviceState
    containers: dict[str, Any] = field(default_factory=dict)
    storage: dict[str, str] = field(default_factory=dict)


@dataclass
class Lab:
    """Everything one run of lab tests shares."""

    workspace: Workspace
    engine: Engine
    edgetui_layer: Path | None = None
    state_layers: dict[str, Path] = field(default_factory=dict)
    devices: list[Device] = field(default_factory=list)
    counter: int = 0
    nspawn_locks: set[str] = field(default_factory=set)

    @classmethod
    def open(cls) -> Lab:
        """Builds the repository, root, wheels, edgetui layer; starts the engine."""
        workspace = Workspace.create()
        lab = cls(workspace=workspace, engine=Engine(workspace.engine))
        lab.nspawn_locks = _nspawn_locks()
        try:
            with TIMINGS.measure("lab setup"):
                lab._set_up()
        except BaseException:
            lab.close()
            raise
        return lab

    def _set_up(self) -> None:
        workspace = self.workspace
        with TIMINGS.measure("package repository"):
            build_repository(workspace.repo)
        self.engine.start()
        self.engine.build_images()
        make_rootfs(workspace.rootfs)
        build_wheels(workspace.wheels, workspace.rootfs)
        self.edgetui_layer = make_edgetui_layer(
            workspace.rootfs, workspace.wheels, workspace.layers / "edgetui"
        )

    def close(self) -> None:
        """Stops every device and the engine, and removes what the run made."""
        for device in self.devices:
            device.stop()
        self.devices.clear()
        self.engine.stop()
        self.workspace.clean()
        for lock in _nspawn_locks() - self.nspawn_locks:
            with contextlib.suppress(OSError):
                (NSPAWN_RUNTIME / "locks" / lock).unlink()

    def layers_of(self, state: DeviceState | None) -> list[Path]:
        """Gives the read-only layers a device of `state` boots from, top first.

        With no state: edgetui installed on the Debian root.
        """
        assert self.edgetui_layer is not None
        base = [self.edgetui_layer, self.workspace.rootfs]
        if state is None:
            return base
        return [self.state_layer(STATES[name]) for name in _lineage(state)] + base

    def state_layer(self, state: DeviceState) -> Path:
        """Prepares a state in a booted device once; gives its layer."""
        if state.name in self.state_layers:
            return self.state_layers[state.name]
        parent = STATES[state.parent] if state.parent else None
        layers = self.layers_of(parent)
        device = self._new_device(f"prep-{state.name}", layers, self.workspace.layers)
        with TIMINGS.measure(f"state {state.name}"):
            try:
                device.boot()
                state.prepare(device)
            finally:
                device.stop()
                self.devices.remove(device)
                # The daemon may have started containers: they are not part
                # of the layer.
                engine_module.remove_containers(self.engine.client())
                self.engine.restore_images()
        self.state_layers[state.name] = device.upper
        return device.upper

    def _new_device(
        self, name: str, layers: list[Path], parent: Path, *, tpm: bool = False
    ) -> Device:
        engine = self.engine
        folder = parent / name
        device = Device(
            name=name,
            layers=layers,
            folder=folder,
            binds=[
                Bind(self.workspace.repo, "/srv/repo", read_only=True),
                Bind(engine.socket, "/run/docker.sock"),
                Bind(engine.data_root),
                Bind(engine.host_folders),
                *(_tpm_nodes(folder / "tpm") if tpm else []),
            ],
        )
        self.devices.append(device)
        return device

    @contextlib.contextmanager
    def device(self, state_name: str) -> Iterator[LabDevice]:
        """Starts a state's runtime containers and boots a fresh device of it.

        Everything is stopped and removed afterwards, also on failure.
        """
        state = STATES[state_name]
        layers = self.layers_of(state)
        self.counter += 1
        device = self._new_device(
            f"dev{self.counter}",
            layers,
            self.workspace.devices,
            tpm=state.tpm_owner is not None,
        )
        lab_device = LabDevice(device=device, state=state)
        try:
            # The containers run before the device boots, as they do when a
            # device restarts: its IoT Edge daemon then finds them running.
            with TIMINGS.measure("runtime containers"):
                self._start_runtime(lab_device)
            device.boot()
            if state.tpm_owner is not None:
                _give_tpm(device, state.tpm_owner)
            yield lab_device
        finally:
            self._stop_runtime(lab_device)
            device.stop()
            device.discard()
            self.devices.remove(device)

    def _start_runtime(self, lab_device: LabDevice) -> None:
        client = self.engine.client()
        for module in lab_device.state.modules:
            lab_device.containers[module.name] = self._run_module(
                client, lab_device, module
            )

    def _run_module(
        self, client: Any, lab_device: LabDevice, module: RuntimeModule
    ) -> Any:
        """Starts edgeAgent on a host folder or edgeHub on a volume, with data."""
        name = image_name(module.name, module.tag)
        storage = "/iotedge/storage"
        env = {"storageFolder": storage, "StorageFolder": storage}
        if module.name == "edgeAgent":
            folder = self.engine.host_folders / lab_device.device.name / "edgeAgent"
            _write_agent_storage(folder)
            source = str(folder)
        else:
            volume = client.volumes.create("edgehub")
            _write_hub_storage(Path(volume.attrs["Mountpoint"]))
            source = volume.name
        lab_device.storage[module.name] = source
        return client.containers.run(
            name,
            name=module.name,
            detach=True,
            environment=env,
            labels={
                OWNER_LABEL: OWNER,
                "net.azure-devices.edge.original-image": name,
            },
            volumes={source: {"bind": storage, "mode": "rw"}},
            network=engine_module.NETWORK,
        )

    def _stop_runtime(self, lab_device: LabDevice) -> None:
        try:
            engine_module.remove_containers(self.engine.client())
            self.engine.restore_images()
        finally:
            folder = self.engine.host_folders / lab_device.device.name
            shutil.rmtree(folder, ignore_errors=True)


def _tpm_nodes(folder: Path) -> list[Bind]:
    """Makes the TPM's character device nodes in `folder`; gives their binds."""
    folder.mkdir(parents=True, exist_ok=True)
    binds = []
    for name, (major, minor) in TPM_NUMBERS.items():
        node = folder / name
        if not node.exists():
            os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(major, minor))
        binds.append(Bind(node, f"/dev/{name}"))
    return binds


def _give_tpm(device: Device, owner: str) -> None:
    """Gives the TPM nodes to `owner` (a user of the device), mode 0600."""
    nodes = [f"/dev/{name}" for name in TPM_NUMBERS]
    device.run(["chown", f"{owner}:root", *nodes])
    device.run(["chmod", "0600", *nodes])


def _lineage(state: DeviceState) -> list[str]:
    """Gives the names of a state and its parents, the state first."""
    names = [state.name]
    while STATES[names[-1]].parent is not None:
        parent = STATES[names[-1]].parent
        assert parent is not None
        names.append(parent)
    return names


def _write_agent_storage(folder: Path) -> None:
    """Gives edgeAgent's storage what a running agent keeps: its backup."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "backup.json").write_text('{"modules": {}, "version": "encrypted"}\n')
    (folder / "IOTEDGE_BACKUP_IV").write_bytes(os.urandom(16))


def _write_hub_storage(folder: Path) -> None:
    """Gives edgeHub's storage what a running hub keeps: its store and IV."""
    (folder / "EdgeHubIV").write_bytes(os.urandom(16))
    store = folder / "edgeHub" / "store"
    store.mkdir(parents=True, exist_ok=True)
    (store / "CURRENT").write_text("MANIFEST-000001\n")
    (store / "000003.log").write_bytes(os.urandom(4096))


def _nspawn_locks() -> set[str]:
    try:
        return {entry.name for entry in (NSPAWN_RUNTIME / "locks").iterdir()}
    except OSError:
        return set()
