"""The colours of the results views (dashboard, charts, overlay, compare, timeline), light
and dark, in one place.

`current()` is the theme in force; `designer/app.py` picks it from the system's colour
scheme at start-up and follows it when the system switches (see `follow_system`). Views
read `current()` when they draw, and listen to `changed` to redraw.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    window: str  # behind panels
    panel: str  # cards, tables, charts
    alternate: str  # every other table row
    text: str
    muted: str  # captions, axis labels
    border: str
    header: str  # table headers
    grid: str  # chart grid lines
    accent: str  # selection, buttons, links
    good: str
    warning: str
    bad: str
    cold: str  # cold starts in charts and timelines
    note_fill: str  # the stale note and the limits strip
    note_text: str


LIGHT = Theme(
    name="light", dark=False, window="#F3F4F6", panel="#FFFFFF", alternate="#F7F8FA", text="#1F2733",
    muted="#6B7380", border="#E1E5EA", header="#F3F4F6", grid="#E5E7EB", accent="#2F80ED",
    good="#067647", warning="#B54708", bad="#D92D20", cold="#2F80ED", note_fill="#FEF3C7",
    note_text="#92400E",
)

DARK = Theme(
    name="dark", dark=True, window="#16191F", panel="#1E232B", alternate="#232933", text="#E6E9EE",
    muted="#9AA3AF", border="#343B46", header="#262C36", grid="#333A45", accent="#5B9BF0",
    good="#3CCB7F", warning="#F5B041", bad="#F0605A", cold="#5B9BF0", note_fill="#3A2F12",
    note_text="#F5D28A",
)


class _Themes(QObject):
    changed = Signal(object)  # the new Theme

    def __init__(self) -> None:
        super().__init__()
        self.theme = LIGHT

    def set(self, theme: Theme) -> None:
        if theme is not self.theme:
            self.theme = theme
            self.changed.emit(theme)


_themes: _Themes | None = None


def themes() -> _Themes:
    """The one holder of the current theme (created on first use: a QObject needs Qt)."""
    global _themes
    if _themes is None:
        _themes = _Themes()
    return _themes


def current() -> Theme:
    return themes().theme


def set_theme(theme: Theme) -> None:
    themes().set(theme)
