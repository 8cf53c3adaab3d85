"""The inspector's editor of an API edge's routes: one row per route (method from a list,
path as text, a remove button) and an Add Route button.

Each change hands out the whole new list with words for the undo entry (`edited(routes,
text)`); the form pushes it as one command. What cannot be a route is refused here with
the reason under the rows, and the row shows the model's value again: a path with a
space, or a route this edge already has. A route another edge of the API serves is the
validator's business: the edge form shows its message.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from model.architecture import ROUTE_METHODS, parse_route, route_text

from .inspector_widgets import compact
from .theme import set_tone

PATH_TIP = "The route's path: /items, /items/{id} ({name} is a path parameter); Enter keeps it"
ONE_ROUTE_TIP = "An API edge serves at least one route: delete the edge to remove its last one"


class RouteRow(QWidget):
    """One route: its method and path."""

    def __init__(self, index: int) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.method = QComboBox()
        self.method.setObjectName(f"route_method_{index}")
        self.method.addItems(ROUTE_METHODS)
        self.method.setToolTip("The route's HTTP method (ANY: every method)")
        self.path = QLineEdit()
        self.path.setObjectName(f"route_path_{index}")
        self.path.setToolTip(PATH_TIP)
        self.remove = QToolButton()
        self.remove.setObjectName(f"route_remove_{index}")
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip("Remove this route")
        row.addWidget(self.method)
        row.addWidget(compact(self.path), 1)
        row.addWidget(self.remove)

    def show_route(self, route: str) -> None:
        method, path = parse_route(route) or ("ANY", "/")
        self.method.blockSignals(True)
        self.method.setCurrentText(method)
        self.method.blockSignals(False)
        if self.path.text() != path:
            self.path.setText(path)


class RoutesEditor(QWidget):
    """The routes of one edge. `suggest()` names a route for Add Route (one the API does
    not serve yet)."""

    edited = Signal(list, str)  # the new routes, the undo entry's text

    def __init__(self, suggest: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName("field_routes")
        self.suggest = suggest
        self.routes: list[str] = []
        self.rows: list[RouteRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)
        layout.addLayout(self._rows_box)
        self.add_button = QPushButton("Add Route")
        self.add_button.setObjectName("route_add")
        self.add_button.setToolTip("Another route of this API to the same target")
        self.add_button.clicked.connect(self.add_route)
        layout.addWidget(self.add_button)
        self.message = QLabel()
        self.message.setObjectName("routes_problem")
        self.message.setWordWrap(True)
        set_tone(self.message, "error")
        self.message.hide()
        layout.addWidget(self.message)

    # -- showing ----------------------------------------------------------------------

    def set_routes(self, routes: list[str]) -> None:
        """Show these routes; rows are kept (and the focus in them) when the count stays."""
        self.routes = list(routes)
        while len(self.rows) < len(routes):
            self._add_row()
        while len(self.rows) > len(routes):
            row = self.rows.pop()
            self._rows_box.removeWidget(row)
            row.hide()
            row.setParent(None)  # out of the form now; deleted later (its button may be the sender)
            row.deleteLater()
        for row, route in zip(self.rows, routes):
            row.show_route(route)
            row.remove.setEnabled(len(routes) > 1)
            row.remove.setToolTip("Remove this route" if len(routes) > 1 else ONE_ROUTE_TIP)

    def edit_route(self, index: int) -> None:
        """Put the keyboard in a route's path, all of it selected, to type over it."""
        if 0 <= index < len(self.rows):
            self.rows[index].path.setFocus()
            self.rows[index].path.selectAll()

    def _add_row(self) -> None:
        index = len(self.rows)
        row = RouteRow(index)
        row.method.activated.connect(lambda _i, r=row: self._row_edited(r))
        row.path.editingFinished.connect(lambda r=row: self._row_edited(r))
        row.remove.clicked.connect(lambda _checked=False, r=row: self._remove(r))
        self._rows_box.addWidget(row)
        row.show()  # at once (a layout shows a new child later): the keyboard may go to it now
        # Tab runs through the rows in order, then to Add Route (made before any row).
        if self.rows:
            QWidget.setTabOrder(self.rows[-1].remove, row.method)
        QWidget.setTabOrder(row.method, row.path)
        QWidget.setTabOrder(row.path, row.remove)
        QWidget.setTabOrder(row.remove, self.add_button)
        self.rows.append(row)

    def _show_message(self, text: str = "") -> None:
        """Why the last edit was refused; "" hides it (the next edit that goes through)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- editing ------------------------------------------------------------------------

    def add_route(self) -> None:
        route = self.suggest()
        self._show_message()
        self.edited.emit(self.routes + [route], f"Add route {route}")
        self.edit_route(len(self.routes) - 1)

    def _remove(self, row: RouteRow) -> None:
        index = self.rows.index(row) if row in self.rows else len(self.routes)
        if len(self.routes) < 2 or index >= len(self.routes):
            return
        self._show_message()
        routes = self.routes[:index] + self.routes[index + 1:]
        self.edited.emit(routes, f"Remove route {self.routes[index]}")

    def _row_edited(self, row: RouteRow) -> None:
        index = self.rows.index(row) if row in self.rows else len(self.routes)
        if index >= len(self.routes):  # a row going away (it loses the focus as it goes)
            return
        old = self.routes[index]
        path = row.path.text().strip()
        typed = route_text(row.method.currentText(), path) if path else ""
        route = parse_route(typed)
        if route is None:
            self._refuse(row, old, f"“{path}” is not a path: write it as /items or /items/{{id}}, without spaces")
            return
        new = route_text(*route)
        if new == old:
            row.show_route(old)  # "/items/" typed for "/items": shown as the model keeps it
            return
        if any(parse_route(other) == route for i, other in enumerate(self.routes) if i != index):
            self._refuse(row, old, f"{new} is already a route of this edge")
            return
        self._show_message()
        self.edited.emit(self.routes[:index] + [new] + self.routes[index + 1:], f"Change route {old} to {new}")

    def _refuse(self, row: RouteRow, old: str, reason: str) -> None:
        self._show_message(reason)
        row.show_route(old)
