"""Version strings as IoT Edge packages and images spell them.

Package managers decorate versions: `1.4.41-1` (Debian revision),
`1.4.41-1.el8` (RPM release), `1:1.4.41-1` (epoch), `1.5.0~rc2-1`
(Debian pre-release), and 1.0 shipped four-part versions such as `1.0.10.4`.
`EdgeVersion` keeps the upstream part, compares like the package managers do,
and remembers the text it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UPSTREAM = re.compile(
    r"""^
    (?:\d+:)?                                   # Debian epoch
    (?P<release>\d+(?:\.\d+){1,3})              # 1.4 / 1.4.41 / 1.0.10.4
    (?:[~.-]?(?P<pre>(?:rc|alpha|beta|a|b|dev|preview)\.?\d*))?   # ~rc2, -rc.1
    (?:[-+].*)?                                 # package revision or build tag
    $""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_ORDER = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "preview": 3, "rc": 4}


class UnknownVersionError(ValueError):
    """The text is not a version edgetui can compare."""


@dataclass(frozen=True, eq=False)
class EdgeVersion:
    """An upstream version of an IoT Edge package or runtime image.

    Attributes:
        release: the numeric parts, at least two (`(1, 4, 41)`).
        pre: the pre-release tag (`"rc2"`), or `None` for a release.
        text: the string it was parsed from, kept for display.
    """

    release: tuple[int, ...]
    pre: str | None = None
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> EdgeVersion:
        """Parses a package or image version.

        Args:
            text: for example `1.4.41-1`, `1:1.1.15-1`, `1.5.0~rc2`, `1.0.10.4`.

        Returns:
            The version.

        Raises:
            UnknownVersionError: the text is not a version.
        """
        match = _UPSTREAM.match(text.strip())
        if match is None:
            raise UnknownVersionError(f"not a version: {text!r}")
        release = tuple(int(part) for part in match["release"].split("."))
        pre = match["pre"].lower().replace(".", "") if match["pre"] else None
        return cls(release=release, pre=pre, text=text.strip())

    @classmethod
    def parse_or_none(cls, text: str | None) -> EdgeVersion | None:
        """Parses `text`, or gives `None` when it is empty or not a version."""
        if not text:
            return None
        try:
            return cls.parse(text)
        except UnknownVersionError:
            return None

    @property
    def major(self) -> int:
        """The major number (1 for every IoT Edge release so far)."""
        return self.release[0]

    @property
    def minor(self) -> int:
        """The minor number: 4 in 1.4.41."""
        return self.release[1]

    @property
    def patch(self) -> int:
        """The patch number, 0 when the version has only two parts."""
        return self.release[2] if len(self.release) > 2 else 0

    @property
    def line(self) -> str:
        """The release line, `major.minor`: the rolling image tag."""
        return f"{self.major}.{self.minor}"

    @property
    def upstream(self) -> str:
        """The version without package decorations: `1.4.41`, `1.5.0~rc2`."""
        numbers = ".".join(str(part) for part in self.release)
        return f"{numbers}~{self.pre}" if self.pre else numbers

    def _key(self) -> tuple[tuple[int, ...], int, int]:
        padded = self.release + (0,) * (4 - len(self.release))
        if self.pre is None:
            return padded, 1, 0
        name = re.sub(r"\d+$", "", self.pre)
        number = int(self.pre[len(name) :] or 0)
        return padded, 0, _PRE_ORDER.get(name, 0) * 1000 + number

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EdgeVersion) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: EdgeVersion) -> bool:
        return self._key() < other._key()

    def __le__(self, other: EdgeVersion) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: EdgeVersion) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: EdgeVersion) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return self.upstream


def release_line(text: str | None) -> str | None:
    """Gives the `major.minor` line of a version or image tag, or `None`."""
    version = EdgeVersion.parse_or_none(text)
    return version.line if version else None
