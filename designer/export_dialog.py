"""Export dialog: format and destination, a live preview of the generated text, and the
validation of what was written (cfn-lint for CloudFormation/SAM, python-hcl2 parsing for
Terraform), run on a worker thread so the dialog stays responsive.

It calls the same public functions as `python main.py export`: `exporters.export` to
write, `exporters.cloudformation.template_text` / a scratch Terraform export to preview.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.errors import StratusError
from model.validation import errors as validation_errors
from model.validation import validate

from .problems import severity_icon
from .simulation_panel import BackgroundJob
from .theme import set_tone

FORMATS = (("cloudformation", "CloudFormation (YAML)", "template.yaml"),
           ("sam", "AWS SAM (YAML)", "template.sam.yaml"),
           ("terraform", "Terraform (folder of .tf files)", "terraform"))
PREVIEW_LIMIT = 200_000  # characters: a preview, not an editor


@dataclass(frozen=True)
class Finding:
    severity: str  # error, warning, ok
    text: str


def preview_text(arch: Architecture, fmt: str, design_dir: str | None = None) -> str:
    """The text `export` would write (Terraform: every file, each under a header)."""
    if fmt == "terraform":
        from exporters import export

        with tempfile.TemporaryDirectory(prefix="stratus-preview-") as scratch:
            written = export(arch, fmt, scratch, design_dir=design_dir)
            return "\n".join(f"# ---- {Path(p).name} ----\n{Path(p).read_text(encoding='utf-8')}"
                             for p in sorted(written))
    from exporters.cloudformation import template_text

    return template_text(arch, sam=(fmt == "sam"))


def validate_output(fmt: str, written: list[str]) -> list[Finding]:
    """Check what was written with the real tools; an empty list never means 'not run'."""
    findings: list[Finding] = []
    if fmt == "terraform":
        import hcl2

        for path in written:
            if not path.endswith(".tf"):
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    hcl2.load(handle)
            except Exception as exc:  # noqa: BLE001 - hcl2 raises lark errors of many kinds
                findings.append(Finding("error", f"{Path(path).name}: does not parse: {exc}"))
        tool = "python-hcl2"
    else:
        import cfnlint.api

        for path in written:
            for match in cfnlint.api.lint_all(Path(path).read_text(encoding="utf-8")):
                severity = "error" if match.rule.id.startswith("E") else "warning"
                findings.append(Finding(severity, f"{match.rule.id} line {match.linenumber}: {match.message}"))
        tool = "cfn-lint"
    if not any(f.severity == "error" for f in findings):
        findings.insert(0, Finding("ok", f"{tool}: {len(written)} file(s) checked, no errors"))
    return findings


class ExportDialog(QDialog):
    exported = Signal(list)  # paths written
    validated = Signal(list)  # [Finding]

    def __init__(self, arch: Architecture, design_path: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch = arch
        self.design_dir = str(Path(design_path).parent) if design_path else None
        self.base = Path(design_path).with_suffix("") if design_path else Path.home() / "stratus-export"
        self.findings: list[Finding] = []
        self.job = BackgroundJob(self)
        self.job.finished.connect(self._validated)
        self.job.failed.connect(lambda text: self._show_findings([Finding("error", text)]))
        self.setWindowTitle("Export template")
        self.resize(920, 680)
        self._build()
        self._format_changed()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format_box = QComboBox()
        for key, label, _default in FORMATS:
            self.format_box.addItem(label, key)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format_box)
        self.destination = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.destination, 1)
        row.addWidget(browse)
        form.addRow("Destination", row)
        layout.addLayout(form)
        self.problems_note = set_tone(QLabel(), "error")
        self.problems_note.setWordWrap(True)
        layout.addWidget(self.problems_note)
        splitter = QSplitter(Qt.Vertical)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        splitter.addWidget(self.preview)
        self.results = QListWidget()
        splitter.addWidget(self.results)
        splitter.setSizes([480, 140])
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        self.export_button = QPushButton("Export and validate")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(lambda: self.export_to(self.destination.text()))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def fmt(self) -> str:
        return self.format_box.currentData()

    def set_format(self, fmt: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(fmt))

    def _format_changed(self, *_args) -> None:
        default = dict((k, d) for k, _l, d in FORMATS)[self.fmt()]
        self.destination.setText(str(self.base.parent / default) if self.fmt() == "terraform"
                                 else f"{self.base}.{default}" if self.base.name != "stratus-export"
                                 else str(self.base.parent / default))
        problems = validation_errors(validate(self.arch, self.design_dir))
        if problems:
            self.problems_note.setText(f"⚠ The design has {len(problems)} validation error(s); fix them first: "
                                       + "; ".join(p.format() for p in problems[:3]))
            self.preview.setPlainText("")
            self.export_button.setEnabled(False)
            return
        self.problems_note.setText("")
        self.export_button.setEnabled(True)
        try:
            text = preview_text(self.arch, self.fmt(), self.design_dir)
        except (StratusError, ImportError, OSError) as exc:
            text = f"# cannot generate {self.fmt()}: {exc}"
        self.preview.setPlainText(text[:PREVIEW_LIMIT])

    def _browse(self) -> None:
        if self.fmt() == "terraform":
            path = QFileDialog.getExistingDirectory(self, "Terraform folder", self.destination.text())
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Template file", self.destination.text(),
                                                  "Templates (*.yaml *.yml *.json)")
        if path:
            self.destination.setText(path)

    def export_to(self, path: str) -> list[str]:
        """Write the export, then validate it in the background (`validated` fires)."""
        from exporters import export

        path = path.strip()
        if not path:
            self._status("Choose a destination first.", error=True)
            return []
        if self.fmt() != "terraform" and os.path.isdir(path):
            self._status(f"{path} is a folder: give a template file name.", error=True)
            return []
        try:
            written = export(self.arch, self.fmt(), path, design_dir=self.design_dir)
        except (StratusError, OSError) as exc:
            self._status(f"Could not export: {exc}", error=True)
            return []
        self._status(f"Wrote {', '.join(Path(p).name for p in written)} — validating…")
        self.exported.emit(written)
        self.results.clear()
        fmt = self.fmt()
        self.job.start(lambda _progress, _cancel: validate_output(fmt, written))
        return written

    def _validated(self, findings: list) -> None:
        self._show_findings(findings)
        bad = sum(1 for f in findings if f.severity == "error")
        self._status("Exported; validation found errors." if bad else "Exported and validated.", error=bool(bad))
        self.validated.emit(findings)

    def _show_findings(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.results.clear()
        for finding in findings:
            item = QListWidgetItem(severity_icon(finding.severity if finding.severity != "ok" else "ok"),
                                   finding.text)
            self.results.addItem(item)

    def _status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        set_tone(self.status, "error" if error else "label")

    def done(self, code: int) -> None:
        self.job.wait(30)
        super().done(code)
