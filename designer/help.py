"""Help: a quick start for a first design, and the list of keyboard shortcuts.

The shortcut list is read from the window's own menus (so it can never disagree with
them), followed by the keys the canvas and the palette handle themselves.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

# Keys handled by the canvas and the palette themselves (not menu actions).
CANVAS_KEYS = (
    ("Canvas", "Move to the next / previous card", "Tab / Shift+Tab"),
    ("Canvas", "Leave the canvas for the next panel", "Ctrl+Tab"),
    ("Canvas", "Nudge the selection one grid step", "Arrow keys"),
    ("Canvas", "Clear the selection", "Esc"),
    ("Canvas", "Edit a card's name, a group's name or a note in place", "F2 or double-click"),
    ("Canvas", "Keep the text being edited / give it up", "Enter (a note: Ctrl+Enter) / Esc"),
    ("Canvas", "Menu of the selection", "Shift+F10 or the Menu key"),
    ("Canvas", "Pan", "Space+drag or middle button drag"),
    ("Canvas", "Zoom around the pointer", "Mouse wheel"),
    ("Canvas", "Select several", "Ctrl+click or drag on empty canvas"),
    ("Palette", "Add the service under the cursor", "Enter or double-click"),
)

QUICK_START = """
<h3>Your first design in five steps</h3>
<ol>
<li><b>Add services.</b> Drag a service from the <i>Services</i> palette onto the canvas,
or select it there and press <b>Enter</b> (or double-click it).</li>
<li><b>Name them.</b> Press <b>F2</b> (or double-click a card) and type a name such as
“Create order”: a new card takes its id from its name (<code>create_order</code>), which
the exported templates use. The inspector's <i>Id</i> field renames it later.</li>
<li><b>Connect them.</b> Drag from the small circle on a card's right edge onto another
card, or select a card and press <b>Ctrl+K</b> to pick what it connects to. A connection
AWS does not offer is refused and the status bar says why.</li>
<li><b>Set them up.</b> Select a card or an edge to edit it in the <i>Inspector</i>;
select several cards of one service to set a field on all of them. An API edge carries
its routes.</li>
<li><b>Describe the load and run it.</b> The inspector's <i>Scenarios</i> tab says where
traffic enters and how much; <b>F5</b> runs the simulation.</li>
</ol>
<p>Frame related cards in a named group with <b>Ctrl+G</b> and add notes with
<b>Ctrl+Shift+M</b>; both are saved with the design and shown in exported pictures.
Right-click anything for what you can do with it. <b>File ▸ New from Example…</b> opens
ready-made designs to learn from.</p>
"""


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(menu, what, keys) for every menu entry that has a shortcut, then the canvas's keys."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        section = menu.title().replace("&", "")
        for action in menu.actions():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
            if keys and not action.isSeparator():
                what = action.text().replace("&", "").split("\t")[0]
                rows.append((section, what, " or ".join(keys)))
    return rows + list(CANVAS_KEYS)


def _html_table(rows: list[tuple[str, str, str]]) -> str:
    out, section = ["<table cellspacing='0' cellpadding='3'>"], None
    for where, what, keys in rows:
        if where != section:
            section = where
            out.append(f"<tr><td colspan='2'><br><b>{escape(where)}</b></td></tr>")
        out.append(f"<tr><td>{escape(what)}</td><td>&nbsp;&nbsp;<code>{escape(keys)}</code></td></tr>")
    out.append("</table>")
    return "".join(out)


class HelpDialog(QDialog):
    def __init__(self, title: str, html: str, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(title)
        self.resize(560, 620)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(html)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def shortcuts_dialog(window) -> HelpDialog:
    return HelpDialog("Keyboard shortcuts", _html_table(shortcut_rows(window)), window, "shortcutsDialog")


def quick_start_dialog(window) -> HelpDialog:
    return HelpDialog("Quick start", QUICK_START, window, "quickStartDialog")
