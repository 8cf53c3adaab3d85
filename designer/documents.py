"""The document behind the main window: files, recent files, unsaved changes, autosave.

One `DocumentController` owns the link between the window's Architecture/QUndoStack and a
file on disk. "Modified" is the undo stack's clean state and nothing else. Questions to
the user go through a `Prompter`, so tests answer them without a modal dialog.

Autosave: every `interval_s` a modified document is written to a recovery file in the
app-data folder (`STRATUS_AUTOSAVE_DIR` overrides it). The recovery file's first line is
a comment naming the document it belongs to and the process that wrote it. A save or a
clean close deletes it; after a crash it survives, and the next start offers it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from model.architecture import Architecture
from model.designfile import atomic_write_text, dump_design, load_design, loads_design, save_design
from model.errors import StratusError

MAX_RECENT = 10
RECENT_KEY = "files/recent"
DEFAULT_AUTOSAVE_S = 60
RECOVERY_MARK = "# stratus-recovery "
DESIGN_FILTER = "Stratus designs (*.yaml *.yml);;All files (*)"


# --------------------------------------------------------------------------------------
# Asking the user


class Prompter:
    """Every question the document asks, as real dialogs. Tests pass a subclass."""

    def ask_save_changes(self, parent: QWidget, name: str) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                          f"Save the changes to “{name}” before closing it?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, parent)
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def ask_recover(self, parent: QWidget, document: str, saved_at: str) -> bool:
        answer = QMessageBox.question(
            parent, "Recover unsaved changes?",
            f"Stratus closed unexpectedly while “{document}” had unsaved changes.\n\n"
            f"Recover the copy autosaved at {saved_at}?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def error(self, parent: QWidget, title: str, text: str) -> None:
        QMessageBox.critical(parent, title, text)

    def open_path(self, parent: QWidget, directory: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open design", directory, DESIGN_FILTER)
        return path or None

    def save_path(self, parent: QWidget, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, "Save design as", suggested, DESIGN_FILTER)
        if path and not Path(path).suffix:
            path += ".yaml"
        return path or None


# --------------------------------------------------------------------------------------
# Recovery files


@dataclass(frozen=True)
class Recovery:
    path: Path  # the recovery file
    document: str | None  # the design file it belongs to (None: never saved)
    pid: int
    saved_at: dt.datetime

    def describe(self) -> str:
        return Path(self.document).name if self.document else "an unsaved design"


def recovery_dir() -> Path:
    override = os.environ.get("STRATUS_AUTOSAVE_DIR")
    base = Path(override) if override else (
        Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)) / "recovery")
    return base


def _read_recovery(path: Path) -> Recovery | None:
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
        meta = json.loads(first[len(RECOVERY_MARK):]) if first.startswith(RECOVERY_MARK) else None
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return Recovery(path, meta.get("document"), int(meta.get("pid", 0)),
                    dt.datetime.fromtimestamp(path.stat().st_mtime))


def _process_alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pending_recoveries() -> list[Recovery]:
    """Recovery files left by a crash and newer than their document, newest first.

    Files of a still-running Stratus are not offered (that window owns them); files older
    than their document are stale (the document was saved since) and are deleted.
    """
    folder = recovery_dir()
    found = []
    for path in folder.glob("*.yaml") if folder.is_dir() else ():
        recovery = _read_recovery(path)
        if recovery is None or _process_alive(recovery.pid):
            continue
        document = Path(recovery.document) if recovery.document else None
        if document is not None and document.exists() and document.stat().st_mtime >= path.stat().st_mtime:
            path.unlink(missing_ok=True)
            continue
        found.append(recovery)
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


# --------------------------------------------------------------------------------------
# The controller


class DocumentController(QObject):
    path_changed = Signal(object)  # str | None
    recent_changed = Signal()
    message = Signal(str)  # for the status bar

    def __init__(self, parent: QWidget, arch: Architecture, undo_stack: QUndoStack,
                 settings: QSettings | None = None, prompter: Prompter | None = None,
                 autosave_interval_s: float | None = None) -> None:
        super().__init__(parent)
        self.window, self.arch, self.stack = parent, arch, undo_stack
        self.settings = settings if settings is not None else QSettings()
        self.prompter = prompter or Prompter()
        self.path: str | None = None
        self._session = uuid.uuid4().hex[:12]  # names the recovery file of an unsaved design
        self._recovery_file: Path | None = None
        if autosave_interval_s is None:
            autosave_interval_s = float(os.environ.get(
                "STRATUS_AUTOSAVE_SECONDS", self.settings.value("autosave/interval_s", DEFAULT_AUTOSAVE_S)))
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(max(1, int(autosave_interval_s * 1000)))
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.autosave_timer.start()

    # -- state ---------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return not self.stack.isClean()

    def display_name(self) -> str:
        return Path(self.path).name if self.path else "unsaved"

    def base_dir(self) -> str | None:
        return str(Path(self.path).parent) if self.path else None

    def _set_path(self, path: str | None) -> None:
        self.path = str(Path(path).resolve()) if path else None
        self.path_changed.emit(self.path)

    def _take(self, arch: Architecture, path: str | None, modified: bool = False) -> None:
        """Show another design: one model for the window's life, so listeners stay."""
        self._discard_recovery()
        self.stack.clear()
        self.arch.replace_with(arch)
        self.stack.clear()
        self.stack.setClean()
        if modified:
            self.stack.resetClean()
        self._set_path(path)

    def show_design(self, arch: Architecture, path: str | None) -> None:
        """Show an already loaded design as saved in `path` (the screenshot command)."""
        self._take(arch, path)

    # -- commands ------------------------------------------------------------------------

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self._take(Architecture(), None)
        self.message.emit("New design")
        return True

    def new_from(self, template_path: str) -> bool:
        """A copy of an example as a new, never-saved design."""
        if not self.maybe_save():
            return False
        arch = self._read(template_path)
        if arch is None:
            return False
        self._take(arch, None)
        self.message.emit(f"New design from {Path(template_path).name}")
        return True

    def open(self, path: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        if path is None:
            path = self.prompter.open_path(self.window, self.base_dir() or str(Path.home()))
            if not path:
                return False
        return self.load(path)

    def load(self, path: str) -> bool:
        """Open `path` now (no unsaved-changes question): errors go to a dialog."""
        arch = self._read(path)
        if arch is None:
            self.forget_recent(path)
            return False
        self._take(arch, path)
        self.add_recent(self.path)
        self.message.emit(f"Opened {self.path}")
        return True

    def _read(self, path: str) -> Architecture | None:
        try:
            return load_design(path)
        except StratusError as exc:
            self.prompter.error(self.window, "Cannot open design",
                                f"Stratus could not open {path}:\n\n{exc}")
        except (OSError, ValueError) as exc:  # anything the reader did not foresee
            self.prompter.error(self.window, "Cannot open design",
                                f"Stratus could not open {path}:\n\n{exc}")
        return None

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        suggested = self.path or str(Path.home() / f"{_file_stem(self.arch.name)}.yaml")
        path = self.prompter.save_path(self.window, suggested)
        if not path:
            return False
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            save_design(self.arch, path)
        except (OSError, StratusError) as exc:
            self.prompter.error(self.window, "Cannot save design", f"Stratus could not save {path}:\n\n{exc}")
            return False
        self._discard_recovery()
        self.stack.setClean()
        self._set_path(path)
        self.add_recent(self.path)
        self.message.emit(f"Saved {self.path}")
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.modified:
            return True
        answer = self.prompter.ask_save_changes(self.window, self.arch.name or self.display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def close(self) -> bool:
        """The window is closing: False keeps it open."""
        if not self.maybe_save():
            return False
        self.autosave_timer.stop()
        self._discard_recovery()
        return True

    # -- recent files --------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings gives a bare string for a one-item list
            value = [value]
        existing = [p for p in (value or []) if p and Path(p).is_file()]
        if existing != list(value or []):
            self._store_recent(existing)
        return existing

    def add_recent(self, path: str) -> None:
        files = [p for p in self.recent_files() if p != path]
        self._store_recent([path] + files)

    def forget_recent(self, path: str) -> None:
        resolved = str(Path(path).resolve())
        self._store_recent([p for p in self.recent_files() if p != resolved])

    def clear_recent(self) -> None:
        self._store_recent([])

    def _store_recent(self, files: list[str]) -> None:
        self.settings.setValue(RECENT_KEY, files[:MAX_RECENT])
        self.settings.sync()
        self.recent_changed.emit()

    # -- autosave and recovery -----------------------------------------------------------

    def recovery_path(self) -> Path:
        identity = self.path or f"unsaved-{self._session}"
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]
        return recovery_dir() / f"{digest}.yaml"

    def autosave_now(self) -> Path | None:
        """Write the recovery file if there is anything unsaved (the timer calls this)."""
        if not self.modified:
            return None
        path = self.recovery_path()
        if self._recovery_file is not None and self._recovery_file != path:
            self._discard_recovery()
        meta = {"document": self.path, "pid": os.getpid(), "name": self.arch.name}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, RECOVERY_MARK + json.dumps(meta) + "\n" + dump_design(self.arch))
        except OSError as exc:
            self.message.emit(f"Autosave failed: {exc}")
            return None
        self._recovery_file = path
        self.message.emit(f"Autosaved at {dt.datetime.now():%H:%M}")
        return path

    def _discard_recovery(self) -> None:
        if self._recovery_file is not None:
            self._recovery_file.unlink(missing_ok=True)
            self._recovery_file = None

    def offer_recovery(self) -> bool:
        """At start: offer the newest recovery file left by a crash. True if recovered."""
        for recovery in pending_recoveries():
            if self.prompter.ask_recover(self.window, recovery.describe(), f"{recovery.saved_at:%Y-%m-%d %H:%M}"):
                return self._recover(recovery)
            recovery.path.unlink(missing_ok=True)
        return False

    def _recover(self, recovery: Recovery) -> bool:
        try:
            arch = loads_design(recovery.path.read_bytes(), str(recovery.path))
        except (OSError, StratusError) as exc:
            self.prompter.error(self.window, "Cannot recover", f"The recovery file is unreadable:\n\n{exc}")
            recovery.path.unlink(missing_ok=True)
            return False
        self._take(arch, recovery.document, modified=True)
        # The recovered copy stays on disk until the user saves or closes cleanly.
        self._recovery_file = recovery.path
        self.message.emit(f"Recovered unsaved changes to {recovery.describe()}")
        return True


def _file_stem(name: str) -> str:
    stem = "".join(c.lower() if c.isalnum() else "_" for c in name).strip("_")
    return stem or "design"
