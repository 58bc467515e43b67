"""User and group names as the device itself knows them (its own /etc/passwd).

Under `--root DIR` the device's accounts are in `DIR/etc/passwd`, not the
host's, so names and numbers are looked up there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgetui.device.root import DeviceRoot

USERS_FILE = "/etc/passwd"
GROUPS_FILE = "/etc/group"


@dataclass(frozen=True)
class Accounts:
    """The device's user and group names by number.

    Attributes:
        users: user id to name.
        groups: group id to name.
    """

    users: dict[int, str] = field(default_factory=dict)
    groups: dict[int, str] = field(default_factory=dict)

    @classmethod
    def read(cls, root: DeviceRoot) -> Accounts:
        """Reads the device's passwd and group files (missing ones are empty)."""
        return cls(users=_table(root, USERS_FILE), groups=_table(root, GROUPS_FILE))

    def user_name(self, uid: int) -> str:
        """Gives the name of a user id, or the number as text."""
        return self.users.get(uid, str(uid))

    def group_name(self, gid: int) -> str:
        """Gives the name of a group id, or the number as text."""
        return self.groups.get(gid, str(gid))

    def user_id(self, name: str) -> int | None:
        """Gives the id of a user name, `None` when the device has no such user."""
        return _find(self.users, name)

    def group_id(self, name: str) -> int | None:
        """Gives the id of a group name, `None` when there is no such group."""
        return _find(self.groups, name)


def _table(root: DeviceRoot, database: str) -> dict[int, str]:
    try:
        text = root.read_text(database)
    except OSError:
        return {}
    table: dict[int, str] = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[2].isdigit():
            table.setdefault(int(fields[2]), fields[0])
    return table


def _find(table: dict[int, str], name: str) -> int | None:
    for number, known in table.items():
        if known == name:
            return number
    return None
