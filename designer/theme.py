"""Light and dark: the window's colours in one place, following the system's setting.

A `Theme` names the colours the window and the results views use. `apply_theme(app, t)`
sets the application's palette (so every standard widget, the Services palette among
them, follows), its style sheet (toolbar, menus, docks, tabs), the canvas's colours
(designer/style.py) and tells every view that listens to `themes().changed` (the
dashboard, its charts...) to redraw; views read `current()` when they draw.
`system_theme()` is dark when the system's colour scheme is (Qt's style hints), or
whatever STRATUS_THEME says (light, dark); `follow_system(app)` switches when the
system does. designer/app.py calls both at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from . import style


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
    chrome: str  # dock title bars
    chrome_text: str  # dock titles, the status bar
    tab_text: str
    hover: str
    pressed: str
    disabled: str
    tooltip_fill: str
    tooltip_text: str
    badge: str  # a canvas badge of a node that is fine
    label: str  # the Inspector's field labels
    hint: str  # quiet hints and placeholders
    icon: str  # the toolbar's line icons
    icon_disabled: str


LIGHT = Theme(
    name="light", dark=False, window="#F3F4F6", panel="#FFFFFF", alternate="#F7F8FA", text="#1F2733",
    muted="#6B7380", border="#E1E5EA", header="#F3F4F6", grid="#E5E7EB", accent="#2F80ED",
    good="#067647", warning="#B54708", bad="#D92D20", cold="#2F80ED", note_fill="#FEF3C7",
    note_text="#92400E", chrome="#EEF0F3", chrome_text="#3D4654", tab_text="#5F6B7A", hover="#EEF2F8",
    pressed="#DCE6F5", disabled="#A0A7B1", tooltip_fill="#1F2733", tooltip_text="#FFFFFF", badge="#1F2733",
    label="#3D4654", hint="#8A93A0", icon="#3D4654", icon_disabled="#B4BAC3",
)

DARK = Theme(
    name="dark", dark=True, window="#16191F", panel="#1E232B", alternate="#232933", text="#E6E9EE",
    muted="#9AA3AF", border="#343B46", header="#262C36", grid="#333A45", accent="#5B9BF0",
    good="#3CCB7F", warning="#F5B041", bad="#F0605A", cold="#5B9BF0", note_fill="#3A2F12",
    note_text="#F5D28A", chrome="#1B2028", chrome_text="#C9CED6", tab_text="#9AA3AF", hover="#2A3340",
    pressed="#33415A", disabled="#5F6875", tooltip_fill="#2B323D", tooltip_text="#E6E9EE", badge="#3A4352",
    label="#B4BCC8", hint="#7D8693", icon="#C9CED6", icon_disabled="#4E5663",
)

# The application palette's roles, per theme (the light one as the designer always had it).
PALETTES = {
    "light": {"Window": "#F3F4F6", "WindowText": "#1F2733", "Base": "#FFFFFF", "AlternateBase": "#F7F8FA",
              "ToolTipBase": "#1F2733", "ToolTipText": "#FFFFFF", "PlaceholderText": "#9AA3AF", "Text": "#1F2733",
              "Button": "#FFFFFF", "ButtonText": "#1F2733", "BrightText": "#FFFFFF", "Light": "#FFFFFF",
              "Midlight": "#E5E7EB", "Mid": "#C9CED6", "Dark": "#9AA3AF", "Shadow": "#6B7380",
              "Highlight": "#2F80ED", "HighlightedText": "#FFFFFF", "Link": "#1F6FD1"},
    "dark": {"Window": "#16191F", "WindowText": "#E6E9EE", "Base": "#1E232B", "AlternateBase": "#232933",
             "ToolTipBase": "#2B323D", "ToolTipText": "#E6E9EE", "PlaceholderText": "#6B7380", "Text": "#E6E9EE",
             "Button": "#262C36", "ButtonText": "#E6E9EE", "BrightText": "#FFFFFF", "Light": "#3A424F",
             "Midlight": "#2B323D", "Mid": "#3A424F", "Dark": "#0E1014", "Shadow": "#000000",
             "Highlight": "#3B7DDD", "HighlightedText": "#FFFFFF", "Link": "#7FB0F5"},
}
THEMES = {"light": LIGHT, "dark": DARK}


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


# --------------------------------------------------------------------------------------
# Applying a theme to the application


def qpalette(theme: Theme) -> QPalette:
    palette = QPalette()
    for role, colour in PALETTES[theme.name].items():
        palette.setColor(getattr(QPalette, role), QColor(colour))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor(theme.disabled))
    return palette


BASE_POINTS = 9.0  # the application's font size (designer/app.py)
_font_scale = [1.0]  # presentation mode enlarges every widget's text


def style_sheet(t: Theme, font_scale: float = 1.0) -> str:
    """The application's style sheet: the toolbar, menus, docks, tabs and tooltips; with a
    font scale, a size for every widget's text (a style sheet reaches widgets a parent's
    font does not)."""
    sized = f"QWidget {{ font-size: {BASE_POINTS * font_scale:.1f}pt; }}\n" if font_scale != 1.0 else ""
    return sized + f"""
QMainWindow::separator {{ background: {t.border}; width: 1px; height: 1px; }}
QDockWidget {{ font-weight: 600; color: {t.chrome_text}; }}
QDockWidget::title {{ background: {t.chrome}; padding: 6px 8px; border-bottom: 1px solid {t.border}; }}
QToolBar {{ background: {t.panel}; border: none; border-bottom: 1px solid {t.border}; padding: 3px 6px; spacing: 2px; }}
QToolBar QToolButton {{ padding: 4px 9px; border-radius: 5px; color: {t.text}; }}
QToolBar QToolButton:hover {{ background: {t.hover}; }}
QToolBar QToolButton:pressed {{ background: {t.pressed}; }}
QToolBar QToolButton:disabled {{ color: {t.disabled}; }}
QToolBar::separator {{ background: {t.border}; width: 1px; margin: 5px 6px; }}
QStatusBar {{ background: {t.panel}; border-top: 1px solid {t.border}; color: {t.chrome_text}; }}
QMenuBar {{ background: {t.panel}; border-bottom: 1px solid {t.chrome}; }}
QMenuBar::item {{ padding: 4px 10px; }}
QMenuBar::item:selected {{ background: {t.hover}; border-radius: 4px; }}
QTabWidget::pane {{ border: none; border-top: 1px solid {t.border}; }}
QTabBar::tab {{ background: transparent; border: none; border-bottom: 2px solid transparent;
               padding: 7px 14px; color: {t.tab_text}; }}
QTabBar::tab:selected {{ color: {t.text}; border-bottom: 2px solid {t.accent}; font-weight: 600; }}
QTabBar::tab:hover:!selected {{ color: {t.text}; }}
QToolTip {{ color: {t.tooltip_text}; background: {t.tooltip_fill}; border: none; padding: 4px 6px; }}
QLabel[tone="title"] {{ color: {t.text}; }}
QLabel[tone="label"] {{ color: {t.label}; }}
QLabel[tone="secondary"] {{ color: {t.tab_text}; }}
QLabel[tone="muted"] {{ color: {t.muted}; }}
QLabel[tone="hint"] {{ color: {t.hint}; }}
QLabel[tone="error"] {{ color: {t.bad}; }}
"""


def set_tone(label, tone: str):
    """Colour a label by its part (title, label, secondary, muted, hint, error) in the
    current theme: the application's style sheet holds each tone's colour, so the label
    follows a theme switch. A label's own style sheet must then name no colour."""
    if label.property("tone") != tone:
        label.setProperty("tone", tone)
        if label.testAttribute(Qt.WA_WState_Polished):  # a label already styled takes the new tone
            label.style().unpolish(label)
            label.style().polish(label)
    return label


def system_theme() -> Theme:
    """STRATUS_THEME (light or dark) if set, else the system's colour scheme."""
    wanted = os.environ.get("STRATUS_THEME", "").strip().lower()
    if wanted in THEMES:
        return THEMES[wanted]
    return DARK if system_scheme() == Qt.ColorScheme.Dark else LIGHT


def system_scheme():
    """The system's colour scheme as Qt reports it (Unknown on platforms without one)."""
    return QGuiApplication.styleHints().colorScheme()


def apply_theme(app, theme: Theme) -> None:
    """Palette, style sheet and canvas colours of `theme`; then the views redraw."""
    app.setPalette(qpalette(theme))
    app.setStyleSheet(style_sheet(theme, _font_scale[0]))
    style.use_theme(theme.dark)
    set_theme(theme)
    for widget in app.topLevelWidgets():
        widget.update()


def set_font_scale(app, scale: float) -> None:
    """Every widget's text `scale` times its size (presentation mode), or back with 1."""
    _font_scale[0] = scale
    app.setStyleSheet(style_sheet(current(), scale))
    themes().changed.emit(current())  # the views that style themselves restyle


_following: list = []  # the application already followed (connected once)


def follow_system(app) -> None:
    """Switch theme when the system's colour scheme changes (unless STRATUS_THEME says)."""
    if app in _following:
        return
    _following.append(app)
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app, system_theme()))
