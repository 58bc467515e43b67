"""The `edgetui` command: the wizard by default, headless subcommands for scripts.

Every subcommand takes `--root DIR` (read and write device files under DIR)
and `--demo SCENARIO` (run against the simulated device). Reports print text,
or one JSON object with `--json`. Exit codes are in `edgetui.exitcodes`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgetui import __version__, exitcodes
from edgetui.device.root import DeviceRoot
from edgetui.runner.logfile import logging_to_state_directory


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit code 2."""


@dataclass
class Context:
    """What every subcommand gets: the device root and the output form."""

    root: DeviceRoot
    json: bool
    demo: str | None


def build_parser() -> argparse.ArgumentParser:
    """Builds the argument parser for the wizard and every subcommand."""
    # SUPPRESS keeps a subcommand from resetting what was given before it:
    # `edgetui --root DIR detect` and `edgetui detect --root DIR` mean the same.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="device root: read and write device files under DIR (default /)",
    )
    common.add_argument(
        "--demo",
        metavar="SCENARIO",
        default=argparse.SUPPRESS,
        help="run against a simulated device (see `edgetui demo --list`)",
    )
    parser = argparse.ArgumentParser(
        prog="edgetui",
        description="Update Azure IoT Edge on this device, step by step.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"edgetui {__version__}")
    parser.add_argument(
        "--ansi",
        action="store_true",
        help="use the terminal's 16 ANSI colours",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    detect = commands.add_parser(
        "detect", parents=[common], help="show what is installed on the device"
    )
    detect.add_argument("--json", action="store_true", help="print one JSON object")

    plan = commands.add_parser(
        "plan", parents=[common], help="show the update plan for this device"
    )
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.add_argument(
        "--to", metavar="VERSION", help="target version or line (default: newest LTS)"
    )
    plan.add_argument(
        "--with-defender",
        action="store_true",
        help="also install defender-iot-micro-agent-edge",
    )
    plan.add_argument(
        "--specific-tags",
        action="store_true",
        help="name the specific runtime release instead of the rolling tag",
    )

    _add_run_parser(commands, common)

    demo = commands.add_parser(
        "demo", parents=[common], help="list the simulated devices"
    )
    demo.add_argument("--list", action="store_true", help="list the scenarios")
    _add_operation_parsers(commands, common)
    return parser


def _add_run_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Adds `edgetui run`: plan the update and run it step by step."""
    run = commands.add_parser(
        "run", parents=[common], help="update the device: plan, confirm, run"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument(
        "--to", metavar="VERSION", help="target version or line (default: newest LTS)"
    )
    run.add_argument(
        "--yes",
        action="store_true",
        help="run unattended: confirm, keep changed config files, no questions",
    )
    again = run.add_mutually_exclusive_group()
    again.add_argument(
        "--resume", action="store_true", help="continue the unfinished last run"
    )
    again.add_argument(
        "--restart",
        action="store_true",
        help="set the unfinished last run aside and plan afresh",
    )
    run.add_argument(
        "--with-defender",
        action="store_true",
        help="also install defender-iot-micro-agent-edge",
    )
    run.add_argument(
        "--specific-tags",
        action="store_true",
        help="name the specific runtime release instead of the rolling tag",
    )


def _add_operation_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Adds the commands that check, change and verify one part of the device."""
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print one JSON object")
    leaf = [common, json_flag]

    config = commands.add_parser("config", help="the IoT Edge configuration file")
    config_commands = config.add_subparsers(dest="config_command", metavar="WHAT")
    config_commands.required = True
    agent_image = config_commands.add_parser(
        "agent-image",
        parents=leaf,
        help="show, check or set the edgeAgent image in /etc/aziot/config.toml",
    )
    target = agent_image.add_mutually_exclusive_group()
    target.add_argument("--set", metavar="IMAGE", help="name this image")
    target.add_argument(
        "--line", metavar="MAJOR.MINOR", help="name the rolling tag of this line"
    )
    agent_image.add_argument(
        "--check",
        action="store_true",
        help="compare only; exit 1 when the file needs a change",
    )

    tpm = commands.add_parser("tpm", help="TPM access for the IoT Edge TPM service")
    tpm_commands = tpm.add_subparsers(dest="tpm_command", metavar="ACTION")
    tpm_commands.required = True
    tpm_commands.add_parser(
        "check", parents=leaf, help="check the udev rule and the TPM device owners"
    )
    tpm_commands.add_parser(
        "fix", parents=leaf, help="write the udev rule, apply it and verify"
    )

    commands.add_parser(
        "check", parents=leaf, help="run `iotedge check` and summarise the verdicts"
    )

    logs = commands.add_parser(
        "logs", parents=leaf, help="recent log lines of a module or of the daemons"
    )
    logs.add_argument(
        "target",
        nargs="?",
        default="daemon",
        metavar="MODULE|daemon",
        help="a module (edgeAgent, edgeHub, ...) or the daemons (default)",
    )
    logs.add_argument(
        "--tail", type=int, default=100, metavar="N", help="the last N lines (100)"
    )

    runtime = commands.add_parser("runtime", help="the edgeAgent and edgeHub images")
    runtime_commands = runtime.add_subparsers(dest="runtime_command", metavar="ACTION")
    runtime_commands.required = True
    runtime_commands.add_parser(
        "status", parents=leaf, help="containers, images, tags and versions"
    )
    refresh = runtime_commands.add_parser(
        "refresh",
        parents=leaf,
        help="fetch the newest images of rolling tags (removes the containers)",
    )
    refresh.add_argument(
        "--yes", action="store_true", help="do not ask (needed without a terminal)"
    )
    refresh.add_argument(
        "--no-pull",
        dest="pull",
        action="store_false",
        help="let the daemon pull the images instead of pulling them first",
    )
    refresh.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for edgeAgent to run again (300)",
    )

    backup = commands.add_parser(
        "backup", help="back up what cannot be recreated, verify, list, restore"
    )
    backup_commands = backup.add_subparsers(dest="backup_command", metavar="ACTION")
    backup_commands.required = True
    backup_commands.add_parser(
        "create", parents=leaf, help="write a new backup to /var/backups/edgetui"
    )
    backup_commands.add_parser("list", parents=leaf, help="list the backups")
    verify = backup_commands.add_parser(
        "verify", parents=leaf, help="re-hash a backup (the newest by default)"
    )
    restore = backup_commands.add_parser(
        "restore", parents=leaf, help="put a backup's files back (asks first)"
    )
    for which in (verify, restore):
        which.add_argument(
            "name", nargs="?", metavar="BACKUP", help="file name or device path"
        )
    restore.add_argument(
        "--yes", action="store_true", help="do not ask (needed without a terminal)"
    )
    restore.add_argument(
        "--no-safety-backup",
        dest="safety_backup",
        action="store_false",
        help="do not back up the current state first",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Runs edgetui and returns its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = getattr(args, "root", None)
    args.demo = getattr(args, "demo", None)
    try:
        with contextlib.ExitStack() as stack:
            if args.command is not None:  # the wizard opens its own log
                stack.enter_context(logging_to_state_directory())
            context = stack.enter_context(_device_environment(args))
            return _dispatch(args, context)
    except UsageError as error:
        print(f"edgetui: {error}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        print("edgetui: aborted", file=sys.stderr)
        return exitcodes.ABORTED


def _dispatch(args: argparse.Namespace, context: Context) -> int:
    if args.command is None:
        return _run_wizard(args, context)
    if args.command == "detect":
        from edgetui.commands.detect import run_detect

        return run_detect(context)
    if args.command == "plan":
        from edgetui.commands.plan import PlanRequest, run_plan

        request = PlanRequest(args.to, args.with_defender, args.specific_tags)
        return run_plan(context, request)
    if args.command == "run":
        from edgetui.commands.run import RunRequest, run_update

        return run_update(context, RunRequest.from_args(args))
    if args.command == "demo":
        return _list_scenarios()
    if args.command in _OPERATION_COMMANDS:
        return _dispatch_operation(args, context)
    raise UsageError(f"unknown command: {args.command}")


_OPERATION_COMMANDS = ("config", "tpm", "check", "logs", "runtime", "backup")


def _dispatch_operation(args: argparse.Namespace, context: Context) -> int:
    if args.command == "config":
        from edgetui.commands.config import run_agent_image

        return run_agent_image(
            context, image=args.set, line=args.line, check=args.check
        )
    if args.command == "tpm":
        from edgetui.commands.tpm import run_tpm

        return run_tpm(context, args.tpm_command)
    if args.command == "check":
        from edgetui.commands.check import run_check_command

        return run_check_command(context)
    if args.command == "logs":
        from edgetui.commands.logs import run_logs

        return run_logs(context, args.target, args.tail)
    if args.command == "runtime":
        from edgetui.commands.runtime import run_runtime

        return run_runtime(
            context,
            args.runtime_command,
            yes=getattr(args, "yes", False),
            pull=getattr(args, "pull", True),
            wait=getattr(args, "wait", 300.0),
        )
    if args.command == "backup":
        from edgetui.commands.backup import run_backup

        return run_backup(
            context,
            args.backup_command,
            name=getattr(args, "name", None),
            yes=getattr(args, "yes", False),
            safety_backup=getattr(args, "safety_backup", True),
        )
    raise UsageError(f"unknown command: {args.command}")


def _run_wizard(args: argparse.Namespace, context: Context) -> int:
    from edgetui.runner.terminal import show_in_pager
    from edgetui.sim.hub import simulated_hub
    from edgetui.ui.app import EdgeApp

    app = EdgeApp(
        root=context.root,
        demo=context.demo,
        ansi=args.ansi,
        pager=lambda path: show_in_pager(str(path)),
        manual_done=simulated_hub(context.root.root) if context.demo else None,
    )
    result = app.run()
    return int(result) if result is not None else exitcodes.OK


def _list_scenarios() -> int:
    from edgetui.sim import SCENARIOS

    for name, scenario in SCENARIOS.items():
        print(f"{name:12} {scenario.summary}")
    return exitcodes.OK


@contextlib.contextmanager
def _device_environment(args: argparse.Namespace) -> Iterator[Context]:
    """Sets up the device to work on: the host, a root directory, or a demo."""
    json_output = bool(getattr(args, "json", False))
    if args.demo is None:
        root = args.root or "/"
        if not Path(root).is_dir():
            raise UsageError(f"--root {root}: no such directory")
        yield Context(root=DeviceRoot(root), json=json_output, demo=None)
        return

    from edgetui.sim import SCENARIOS, launch

    if args.demo not in SCENARIOS:
        names = ", ".join(SCENARIOS)
        raise UsageError(f"unknown demo scenario {args.demo!r}; choose one of {names}")
    with launch(args.demo) as device:
        saved = dict(os.environ)
        os.environ.update(device.env)
        try:
            yield Context(
                root=DeviceRoot(device.root), json=json_output, demo=args.demo
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)
