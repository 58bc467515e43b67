"""Help for the step on screen: what it does and which keys work there."""

from __future__ import annotations

import dataclasses
import re
from textwrap import dedent
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

SCROLL_KEYS = ("↑ ↓ PgUp PgDn", "Scroll")


def keys_of(screen: Screen[object]) -> list[tuple[str, str]]:
    """Gives the keys a screen shows in its footer, with every key of an action.

    Returns:
        (keys, what they do), `("F1 ?", "Help")`, in footer order.
    """
    keys: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.show:
            continue
        plain = dataclasses.replace(binding, key_display=None)
        name = screen.app.get_key_display(plain)
        name = name.upper() if re.fullmatch(r"f\d+", name) else name
        keys.setdefault(binding.action, []).append(name)
        descriptions[binding.action] = binding.description
    return [(" ".join(keys[action]), descriptions[action]) for action in keys]


class HelpScreen(ModalScreen[None]):
    """Covers the step with its help text and the keys it offers.

    Args:
        title: the step's name, for the frame.
        help_text: what the step does, in plain sentences.
        keys: (key, what it does) for every key the step offers.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark", "dismiss", "Close help", key_display="Esc"),
    ]

    def __init__(self, title: str, help_text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__(id="help")
        self.title_text = title
        self.help_text = help_text
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = f"Help: {self.title_text}"
            yield Static(dedent(self.help_text).strip(), markup=False)
            yield Static("Keys", classes="section-title")
            yield Static(self.key_lines(), id="help-keys", markup=False)
        yield Footer(show_command_palette=False)

    def key_lines(self) -> str:
        """Gives the keys as aligned lines: `F1             Help`."""
        keys = [*self.keys, SCROLL_KEYS]
        width = max(len(key) for key, _ in keys) + 2
        return "\n".join(f"{key:<{width}}{does}" for key, does in keys)
