"""File > Import Template…: a CloudFormation/SAM template or a Terraform folder becomes a
new, unsaved design laid out left to right, with the importer's report shown beside it.

The same functions as `python main.py import`: `importers.import_template` and
its report; `model.layout.layered_layout` places the nodes (templates have no positions).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from model.errors import StratusError

TEMPLATE_FILTER = "Templates (*.yaml *.yml *.json *.template *.tf);;All files (*)"
WARNING_TEXT = QColor("#B54708")


def ask_source(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import a template (or pick a .tf file for its folder)",
                                          str(Path.home()), TEMPLATE_FILTER)
    if path and path.endswith(".tf"):
        path = str(Path(path).parent)  # a Terraform configuration is the whole folder
    return path or None


def import_source(path: str):
    """(ImportResult, layout applied) for a template or folder; StratusError if unusable."""
    from importers import import_template
    from model.layout import layered_layout

    result = import_template(path)
    arch = result.architecture
    if not arch.nodes and not arch.extra.get("extras"):
        raise StratusError(f"{path}: nothing could be imported")
    for node_id, at in layered_layout(arch).items():
        arch.nodes[node_id].at = (float(at[0]), float(at[1]))
    return result


class ImportReportDialog(QDialog):
    """The importer's report grouped as the CLI prints it; warnings stand out."""

    def __init__(self, source: str, result, parent: QWidget | None = None) -> None:
        from importers.base import REPORT_SECTIONS

        super().__init__(parent)
        self.setWindowTitle(f"Import report — {Path(source).name}")
        self.resize(720, 520)
        layout = QVBoxLayout(self)
        arch = result.architecture
        extras = len(arch.extra.get("extras", []))
        summary = QLabel(f"<b>{len(arch.nodes)}</b> nodes, <b>{len(arch.edges)}</b> edges, "
                         f"<b>{extras}</b> resources kept as extras. "
                         + ("Everything was mapped." if result.clean else
                            "<span style='color:#B54708'>Some resources could not be mapped: see below.</span>"))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        for category, title in REPORT_SECTIONS:
            notes = result.notes(category)
            if not notes:
                continue
            group = QTreeWidgetItem([f"{title} ({len(notes)})"])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for note in notes:
                child = QTreeWidgetItem([note.format()])
                if note.severity != "info":
                    child.setForeground(0, QBrush(WARNING_TEXT))
                group.addChild(child)
            self.tree.addTopLevelItem(group)
            group.setExpanded(category in ("unmapped", "note") or len(notes) <= 12)
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def lines(self) -> list[str]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            out.append(group.text(0))
            out += [group.child(j).text(0) for j in range(group.childCount())]
        return out


def import_into_window(window, path: str | None = None):
    """Ask for a template (unless given), import it as a new unsaved design and show the
    report (non-modal). Returns the report dialog, or None if nothing was imported."""
    if not window.documents.maybe_save():
        return None
    if path is None:
        path = ask_source(window)
        if not path:
            return None
    try:
        result = import_source(path)
    except StratusError as exc:
        window.documents.prompter.error(window, "Cannot import", str(exc))
        return None
    window.documents.show_design(result.architecture, None)
    window.undo_stack.resetClean()  # a new, unsaved design: closing asks to save it
    window.run_validation()
    QTimer.singleShot(0, window.view.fit_to_view)
    window.statusBar().showMessage(f"Imported {path}: {len(result.architecture.nodes)} nodes", 8000)
    dialog = ImportReportDialog(path, result, window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
