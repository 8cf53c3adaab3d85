"""The designer's main window: canvas in the middle, palette left, inspector right,
problems below; menus, toolbar and status bar as in any diagram editor.

The window holds one Architecture and one QUndoStack for its whole life (opening a file
replaces the model's content, so every listener stays connected). "Modified" is the undo
stack's clean state. Validation runs shortly after the model stops changing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QToolBar,
    QWidget,
)

from assets import EXAMPLES_DIR
from model import clipboard
from model.architecture import Architecture, Change, Edge, Node
from model.designfile import loads_design
from model.errors import Problem, StratusError
from model.validation import validate

from . import icons
from .canvas import image_export
from .canvas.scene import DiagramScene
from .canvas.view import CanvasView
from .context_menus import build_menu, connect_menu
from .help import quick_start_dialog, shortcuts_dialog
from .design_undo import DesignUndo
from .documents import DocumentController, Prompter
from .empty_state import EmptyCanvasHint
from .names import node_name
from .inspector import Inspector
from .palette import Palette
from .problems import ProblemsPanel
from .theme import set_tone, themes
from .toolbar_icons import TOOLBAR_ICONS, line_icon

VALIDATION_DELAY_MS = 300
PALETTE_WIDTH, INSPECTOR_WIDTH, PROBLEMS_HEIGHT = 220, 320, 120


def key_sequences(*keys) -> list[QKeySequence]:
    """Key sequences from strings and standard keys (all of a standard key's bindings),
    in order, each once."""
    found: list[QKeySequence] = []
    for key in keys:
        options = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]
        found += [seq for seq in options if not seq.isEmpty() and seq not in found]
    return found


def _copied_corner(text: str) -> tuple[float, float] | None:
    """The top left position of the nodes in copied YAML (None: the text is no design)."""
    try:
        part = loads_design(text, "clipboard")
    except (StratusError, ValueError, TypeError):
        return None
    spots = [node.at for node in part.nodes.values() if node.at is not None]
    if not part.nodes:
        return None
    return (min(x for x, _ in spots), min(y for _, y in spots)) if spots else (0.0, 0.0)


def as_subject(item) -> tuple:
    """Whatever the scene reports as selected -> ("node", id) / ("edge", Edge) / ("design", None)."""
    if isinstance(item, tuple) and len(item) == 2:
        return item
    if isinstance(item, Node):
        return ("node", item.id)
    if isinstance(item, Edge):
        return ("edge", item)
    if isinstance(item, str):
        return ("node", item)
    return ("design", None)


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, prompter: Prompter | None = None,
                 autosave_interval_s: float | None = None) -> None:
        super().__init__()
        self.arch = Architecture()
        self.undo_stack = QUndoStack(self)
        self.scene = DiagramScene(self.arch, self.undo_stack)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.documents = DocumentController(self, self.arch, self.undo_stack, settings, prompter,
                                            autosave_interval_s)
        self._paste_count = 0
        self.context_menu: QMenu | None = None  # the last right-click menu
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.empty_hint = EmptyCanvasHint(self.view.viewport(), [
            ("Open an Example…", self.act_new_example), ("Quick Start", self.act_quick_start),
            ("Open a Design…", self.act_open)])
        self._connect()
        from .results_ui import install as install_results  # simulation, results, export, deploy
        self.results = install_results(self)
        self.validation_timer = QTimer(self)
        self.validation_timer.setSingleShot(True)
        self.validation_timer.setInterval(VALIDATION_DELAY_MS)
        self.validation_timer.timeout.connect(self.run_validation)
        self.problems_list: list[Problem] = []
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.resize(1400, 900)
        self.size_docks()
        self._update_title()
        self._update_empty_hint()
        self.run_validation()

    # -- construction --------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.palette = Palette()
        self.palette_dock = self._dock("Services", "palette", self.palette, Qt.LeftDockWidgetArea)
        self.inspector = Inspector(self.arch, self.undo_stack, icon_for=self._inspector_icon)
        self.inspector_dock = self._dock("Inspector", "inspector", self.inspector, Qt.RightDockWidgetArea)
        self.problems = ProblemsPanel(name_of=self._problem_subject)
        self.problems_dock = self._dock("Problems", "problems", self.problems, Qt.BottomDockWidgetArea)

    def size_docks(self) -> None:
        self.resizeDocks([self.palette_dock, self.inspector_dock], [PALETTE_WIDTH, INSPECTOR_WIDTH],
                         Qt.Horizontal)
        self.resizeDocks([self.problems_dock], [PROBLEMS_HEIGHT], Qt.Vertical)

    def _inspector_icon(self, service: str):
        return icons.service_pixmap(service, 36, self.devicePixelRatioF())

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        a = self._action
        self.act_new = a("&New", self.new_design, K.New, "Start a new, empty design")
        self.act_new_example = a("New from &Example…", self.new_from_example, "Ctrl+Shift+N",
                                 "Start from one of the example designs")
        self.act_open = a("&Open…", lambda: self.documents.open(), K.Open, "Open a design file")
        self.act_save = a("&Save", lambda: self.documents.save(), K.Save, "Save the design")
        self.act_save_as = a("Save &As…", lambda: self.documents.save_as(), K.SaveAs,
                             "Save the design under another name")
        self.act_export_png = a("Export Canvas as &PNG…", self.export_png_dialog, None,
                                "Save a picture of the diagram")
        self.act_export_svg = a("Export Canvas as S&VG…", self.export_svg_dialog, None,
                                "Save the diagram as a scalable vector drawing")
        self.act_quit = a("&Quit", self.close, K.Quit, "Close the designer")
        # The design's undo, even from inside a text field (see design_undo).
        self.design_undo = DesignUndo(self, self.undo_stack)
        self.act_undo, self.act_redo = self.design_undo.undo_action, self.design_undo.redo_action
        self.act_undo.setShortcuts(key_sequences("Ctrl+Z", K.Undo))
        # QKeySequence(K.Redo) is only the platform's first redo key (Ctrl+Y here): list
        # both usual keys, then the platform's others, each once (a key bound twice is
        # an "ambiguous shortcut" and does nothing).
        self.act_redo.setShortcuts(key_sequences("Ctrl+Shift+Z", "Ctrl+Y", K.Redo))
        self.act_cut = a("Cu&t", self.cut, K.Cut, "Cut the selection")
        self.act_copy = a("&Copy", self.copy, K.Copy, "Copy the selection")
        self.act_paste = a("&Paste", self.paste, K.Paste, "Paste nodes")
        self.act_duplicate = a("D&uplicate", self.scene.duplicate_selection, "Ctrl+D",
                               "Duplicate the selection")
        self.act_delete = a("&Delete", self.scene.delete_selection, [K.Delete, "Backspace"],
                            "Delete the selection")
        # Delete acts on what has the focus: its keys work only on the canvas (a list,
        # a table or a field elsewhere has its own Delete, or none).
        self.act_delete.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.view.addAction(self.act_delete)
        self.act_rename = a("&Rename", self.view.edit_selection, "F2",
                            "Edit the name of the selected node or group (or a note's text) on the canvas")
        self.act_group = a("&Group", self.group_selection, "Ctrl+G",
                           "Frame the selected nodes as a named, coloured group")
        self.act_ungroup = a("U&ngroup", self.scene.ungroup_selection, "Ctrl+Shift+G",
                             "Remove the selected group's frame (its nodes stay)")
        self.act_add_note = a("Add &Note", lambda: self.add_note(), "Ctrl+Shift+M", "Add a text note to the canvas")
        self.act_align = {how: a(f"Align {title}", lambda _=False, h=how: self.scene.align_selection(h), None,
                                 f"Line the selected cards up: {title.lower()}")
                          for how, title in (("left", "Left Edges"), ("centre", "Centres"),
                                             ("right", "Right Edges"), ("top", "Top Edges"),
                                             ("middle", "Middles"), ("bottom", "Bottom Edges"))}
        self.act_distribute = {axis: a(f"Distribute {axis.title()}ly",
                                       lambda _=False, x=axis: self.scene.distribute_selection(x), None,
                                       f"Equal {axis} gaps between the selected cards")
                               for axis in ("horizontal", "vertical")}
        self.act_connect = a("&Connect To…", self.connect_selected, "Ctrl+K",
                             "Connect the selected card to another, chosen from a list")
        self.act_selection_menu = a("Selection &Menu", self.view.show_selection_menu, "Shift+F10",
                                    "What can be done with the selection")
        # Canvas actions: their keys work while the canvas has the focus.
        for action in (self.act_rename, self.act_group, self.act_ungroup, self.act_add_note,
                       self.act_connect, self.act_selection_menu):
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        self.act_select_all = a("Select &All", self.select_all, K.SelectAll, "Select every node")
        self.act_zoom_in = a("Zoom &In", self.view.zoom_in, [K.ZoomIn, "Ctrl+="], "Zoom in")
        self.act_zoom_out = a("Zoom &Out", self.view.zoom_out, K.ZoomOut, "Zoom out")
        self.act_zoom_reset = a("&Actual Size", self.view.reset_zoom, "Ctrl+0", "Zoom to 100%")
        self.act_fit = a("&Fit to Window", self.view.fit_to_view, "Ctrl+Shift+F",
                         "Show the whole design")
        self.act_layout = a("Auto-&Layout", self.scene.auto_layout, "Ctrl+Shift+L",
                            "Arrange the nodes left to right along the flow")
        self.act_about = a("&About Stratus", self.about, None, "About Stratus")
        self.act_quick_start = a("&Quick Start", self.quick_start, "F1", "How to make a first design")
        self.act_shortcuts = a("&Keyboard Shortcuts", self.keyboard_shortcuts, "Ctrl+/",
                               "Every key the designer knows")
        for action in (self.act_undo, self.act_redo):
            action.setStatusTip(action.text())

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_new, self.act_new_example, self.act_open])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.act_save, self.act_save_as])
        file_menu.addSeparator()
        file_menu.addActions([self.act_export_png, self.act_export_svg])
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate,
                         self.act_delete, self.act_rename, self.act_connect])
        edit.addSeparator()
        edit.addActions([self.act_group, self.act_ungroup, self.act_add_note])
        edit.addSeparator()
        edit.addAction(self.act_select_all)
        arrange = bar.addMenu("&Arrange")
        self.fill_arrange_menu(arrange)
        arrange.addSeparator()
        arrange.addAction(self.act_layout)
        view = bar.addMenu("&View")
        view.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_fit])
        view.addSeparator()
        view.addAction(self.act_layout)
        view.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.problems_dock):
            view.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_quick_start, self.act_shortcuts])
        help_menu.addSeparator()
        help_menu.addAction(self.act_about)
        self._fill_recent_menu()

    def fill_arrange_menu(self, menu) -> None:
        """Align and distribute entries (the Arrange menu, and a card's context menu)."""
        menu.addActions(list(self.act_align.values()))
        menu.addSeparator()
        menu.addActions(list(self.act_distribute.values()))

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self._draw_toolbar_icons()
        themes().changed.connect(self._draw_toolbar_icons)  # drawn in the theme's icon colour
        # Menus keep their text; the toolbar shows short names (the undo stack's
        # "Undo Add S3" would make the toolbar jump about).
        groups = (
            (self.act_new, self.act_open, self.act_save),
            (self.act_undo, self.act_redo),
            (self.act_delete, self.act_duplicate),
            (self.act_zoom_out, self.act_zoom_in, self.act_fit, self.act_layout),
        )
        for i, group in enumerate(groups):
            if i:
                bar.addSeparator()
            bar.addActions(list(group))
        for action in (self.act_undo, self.act_redo, self.act_zoom_out, self.act_zoom_in):
            bar.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonIconOnly)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.toolbar = bar

    def _draw_toolbar_icons(self, _theme=None) -> None:
        for name, action in (("new", self.act_new), ("open", self.act_open), ("save", self.act_save),
                             ("undo", self.act_undo), ("redo", self.act_redo), ("delete", self.act_delete),
                             ("duplicate", self.act_duplicate), ("zoom_in", self.act_zoom_in),
                             ("zoom_out", self.act_zoom_out), ("fit", self.act_fit), ("layout", self.act_layout)):
            action.setIcon(line_icon(TOOLBAR_ICONS[name]))

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.counts_label = QLabel()
        self.counts_label.setStyleSheet("padding: 0 8px;")
        set_tone(self.counts_label, "secondary")
        self.validity_label = QLabel()
        self.validity_label.setStyleSheet("padding: 0 8px;")
        status.addPermanentWidget(self.counts_label)
        status.addPermanentWidget(self.validity_label)
        status.showMessage("Ready", 3000)

    def _connect(self) -> None:
        self.undo_stack.cleanChanged.connect(self._update_title)
        self.undo_stack.canUndoChanged.connect(self._update_edit_actions)
        self.documents.path_changed.connect(lambda _p: self._update_title())
        self.documents.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.documents.recent_changed.connect(self._fill_recent_menu)
        self.arch.subscribe(self._on_model_change)
        self.scene.connection_refused.connect(self._connection_refused)
        self.scene.route_added.connect(self.inspector.edit_route)
        self.scene.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.view.context_menu_requested.connect(self.show_context_menu)
        self.scene.subjects_selected.connect(self._selection_changed)
        self.palette.service_activated.connect(self.add_service)
        self.problems.problem_activated.connect(self.show_problem)

    # -- window state --------------------------------------------------------------------

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.arch.name} — {self.documents.display_name()} [*]")
        self.setWindowModified(not self.undo_stack.isClean())

    def _update_edit_actions(self, *_args) -> None:
        pass  # undo/redo actions update themselves; kept as a hook for selection-aware actions

    def _on_model_change(self, change: Change) -> None:
        if change.what in ("properties_changed", "reset"):
            self._update_title()
        if change.what == "reset":
            self._paste_count = 0
        self.validation_timer.start()
        self._update_counts()
        self._update_empty_hint()

    def _update_empty_hint(self) -> None:
        self.empty_hint.set_shown(not self.arch.nodes and not self.arch.notes)

    def _update_counts(self) -> None:
        a = self.arch
        self.counts_label.setText(f"{len(a.nodes)} nodes · {len(a.edges)} edges · "
                                  f"{len(a.scenarios)} scenarios")

    def _problem_subject(self, problem: Problem) -> str | None:
        """A problem's node or edge as the canvas names it (labels, with the id the
        message may use), or None for the validator's own words."""
        kind, value = (problem.target or (None, None))[:2]
        arch = self.arch
        if kind == "node" and value in arch.nodes and arch.nodes[value].label:
            return f"node {node_name(arch, value, with_id=True)}"
        if kind == "edge" and isinstance(value, int) and 0 <= value < len(arch.edges):
            edge = arch.edges[value]
            return f"edge {node_name(arch, edge.source)} → {node_name(arch, edge.target)}"
        return None

    def run_validation(self) -> list[Problem]:
        self.validation_timer.stop()
        problems = validate(self.arch, self.documents.base_dir())
        self.problems_list = problems
        self.problems.set_problems(problems)
        self.scene.set_problems(problems)
        self.inspector.set_problems(problems)
        n_errors, n_warnings = self.problems.counts()
        if n_errors:
            text, colour = f"● {n_errors} error{'s' if n_errors != 1 else ''}", "#D92D20"
        elif n_warnings:
            text, colour = f"▲ {n_warnings} warning{'s' if n_warnings != 1 else ''}", "#B54708"
        else:
            text, colour = "✓ Valid", "#067647"
        self.validity_label.setText(text)
        self.validity_label.setStyleSheet(f"padding: 0 8px; color: {colour}; font-weight: 600;")
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})" if problems else "Problems")
        self._update_counts()
        return problems

    # -- selection, problems, palette ----------------------------------------------------

    def _selection_changed(self, subjects: list) -> None:
        if len(subjects) == 1:
            self.inspector.show_subject(as_subject(subjects[0]))
        elif not subjects:
            self.inspector.show_design()
        else:
            nodes = [v for k, v in subjects if k == "node"]
            if len(nodes) == len(subjects):  # nodes only: fields they share, if one service
                self.inspector.show_subject(("nodes", nodes))
            else:
                self.inspector.show_subject(("selection", list(subjects)))
            self.statusBar().showMessage(f"{len(subjects)} items selected", 3000)

    def select(self, subject: tuple) -> None:
        """Select a node or edge on the canvas and show it in the inspector (once: the
        selection's change has shown it already, unless it was selected before)."""
        self.scene.select_subject(subject)
        if not self.inspector.shows(subject):
            self.inspector.show_subject(subject)

    def show_problem(self, problem: Problem) -> None:
        kind, value = problem.target
        if kind == "node" and value in self.arch.nodes:
            self.select(("node", value))
            self._centre_on_selection()
        elif kind == "edge" and isinstance(value, int) and 0 <= value < len(self.arch.edges):
            self.select(("edge", self.arch.edges[value]))
            self._centre_on_selection()
        elif kind == "scenario":
            self.scene.clearSelection()
            self.inspector.show_subject(("scenario", value))
        else:
            self.scene.clearSelection()
            self.inspector.show_design()
        self.inspector_dock.raise_()
        self.statusBar().showMessage(f"{problem.subject}: {problem.message}", 8000)

    def _centre_on_selection(self) -> None:
        items = self.scene.selectedItems()
        if items:
            rect = items[0].sceneBoundingRect()
            for item in items[1:]:
                rect = rect.united(item.sceneBoundingRect())
            if not self.view.mapToScene(self.view.viewport().rect()).boundingRect().contains(rect):
                self.view.centerOn(rect.center())

    def _connection_refused(self, reason: str) -> None:
        self.statusBar().showMessage(f"Connection refused: {reason}", 8000)

    def add_service(self, key: str) -> None:
        """Palette double-click/Enter: add near the centre of what the canvas shows, where
        no card is yet."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        node_id = self.scene.add_service_at(key, centre, avoid_cards=True)
        if node_id is not None:
            self.view.ensureVisible(self.scene.node_item(node_id), 40, 40)

    def group_selection(self) -> None:
        group_id = self.scene.group_selection()
        if group_id is not None:
            self.view.edit_subject(("group", group_id))  # name it right away
        else:
            self.statusBar().showMessage("Select the nodes to group first", 4000)

    def add_note(self, scene_pos=None) -> str:
        """A note where asked (context menu) or near the middle of the view; its text is
        typed at once."""
        if scene_pos is None:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            note_id = self.scene.add_note_at(centre, avoid_cards=True)
        else:
            note_id = self.scene.add_note_at(scene_pos)
        self.view.edit_subject(("note", note_id))
        return note_id

    # -- edit actions --------------------------------------------------------------------

    def copy(self) -> None:
        text = self.scene.copy_selection()
        if text:
            QApplication.clipboard().setText(text)
            self._paste_count = 0
            self.statusBar().showMessage("Copied", 2000)

    def cut(self) -> None:
        text = self.scene.copy_selection()
        if text:
            QApplication.clipboard().setText(text)
            self._paste_count = 0
            self.scene.delete_selection()

    def paste(self) -> None:
        text = QApplication.clipboard().text()
        if not text:
            return
        self._paste_count += 1
        self.scene.paste(text, clipboard.paste_offset(self._paste_count))

    def can_paste(self) -> bool:
        return bool(QApplication.clipboard().text())

    def paste_at(self, scene_pos) -> list[str]:
        """Paste with the copied nodes' top left corner here (context menu)."""
        text = QApplication.clipboard().text()
        corner = _copied_corner(text) if text else None
        if corner is None:
            return []
        return self.scene.paste(text, (scene_pos.x() - corner[0], scene_pos.y() - corner[1]))

    def connect_selected(self) -> None:
        """Ctrl+K: a list of what the selected card may connect to, at the card."""
        nodes = [v for k, v in self.scene.selected_subjects() if k == "node"]
        if len(nodes) != 1:
            self.statusBar().showMessage("Select one card to connect it", 4000)
            return
        item = self.scene.node_item(nodes[0])
        self.view.ensureVisible(item, 40, 40)
        self.context_menu = connect_menu(self, nodes[0])
        anchor = self.view.mapFromScene(item.mapToScene(item.handle_centre()))
        self.context_menu.popup(self.view.viewport().mapToGlobal(anchor))

    def show_context_menu(self, subject, scene_pos, global_pos) -> None:
        self.context_menu = build_menu(self, subject, scene_pos)
        self.context_menu.popup(global_pos)

    def select_all(self) -> None:
        for item in self.scene.items():
            if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                item.setSelected(True)

    # -- files ---------------------------------------------------------------------------

    def new_design(self) -> None:
        if self.documents.new():
            self.view.fit_to_view()

    def new_from_example(self) -> None:
        from .gallery import GalleryDialog

        dialog = GalleryDialog(EXAMPLES_DIR, self)
        if dialog.exec() and dialog.selected_path():
            if self.documents.new_from(str(dialog.selected_path())):
                self.view.fit_to_view()

    def open_path(self, path: str) -> bool:
        """Open a design now, asking about unsaved changes first."""
        if not self.documents.maybe_save():
            return False
        ok = self.documents.load(path)
        if ok:
            QTimer.singleShot(0, self.view.fit_to_view)
        return ok

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.documents.recent_files()
        for i, path in enumerate(files, 1):
            action = menu.addAction(f"&{i % 10}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if files:
            menu.addSeparator()
            menu.addAction("Clear Recent", self.documents.clear_recent)
        else:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)

    def export_png_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export canvas as PNG", self._export_name("png"),
                                              "PNG images (*.png)")
        if path:
            self.export_png(path)

    def export_svg_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export canvas as SVG", self._export_name("svg"),
                                              "SVG drawings (*.svg)")
        if path:
            self.export_svg(path)

    def _export_name(self, suffix: str) -> str:
        base = Path(self.documents.path).with_suffix("") if self.documents.path else Path.home() / "design"
        return f"{base}.{suffix}"

    def export_png(self, path: str, scale: float = 2.0) -> bool:
        ok = image_export.write_png(self.scene, path, scale)
        self._report_export(ok, path)
        return ok

    def export_svg(self, path: str) -> bool:
        ok = image_export.write_svg(self.scene, path, self.arch.name)
        self._report_export(ok, path)
        return ok

    def _report_export(self, ok: bool, path: str) -> None:
        if ok:
            self.statusBar().showMessage(f"Exported {path}", 5000)
        else:
            self.documents.prompter.error(self, "Export failed", f"Could not write {path}")

    def quick_start(self):
        dialog = quick_start_dialog(self)
        dialog.show()
        return dialog

    def keyboard_shortcuts(self):
        dialog = shortcuts_dialog(self)
        dialog.show()
        return dialog

    def about(self) -> None:
        QMessageBox.about(
            self, "About Stratus",
            "<h3>Stratus</h3><p>Design serverless AWS architectures, simulate them under load, "
            "and export them to CloudFormation, SAM or Terraform.</p>"
            "<p>Drag services from the palette, connect them from a node's handle, and edit "
            "settings in the inspector.</p>")

    # -- closing -------------------------------------------------------------------------

    def restore_layout(self) -> None:
        """The window's size and dock layout from the last session, if any."""
        settings = self.documents.settings
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.documents.close():
            self.documents.settings.setValue("window/geometry", self.saveGeometry())
            self.documents.settings.setValue("window/state", self.saveState())
            self.arch.unsubscribe(self._on_model_change)
            self.results.shutdown()
            event.accept()
        else:
            event.ignore()
