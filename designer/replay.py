"""Teaching mode: an animated replay of requests flowing along the edges.

The simulator keeps no per-request traces, so which requests to show, on which edge and
when, is derived from the result by `simulation.replay.plan_replay` (seeded: the same
result always replays the same way; one dot may stand for several requests, and the
controls say how many). This module animates that plan on the canvas.

Departures follow the simulated clock (at 1x one simulated second takes one real second;
4x is four times faster); each dot then takes `TRAVEL_S` of wall time to cross its edge
so it stays visible whatever the speed. A throttled dot turns red and stops short of its
target.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QComboBox, QGraphicsEllipseItem, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout,
    QWidget,
)

from model.architecture import Architecture
from simulation.replay import Dot, ReplayPlan, plan_replay

from .overlay import edge_path

POOL = 250  # dots on screen at once at most
TRAVEL_S = 0.9
FRAME_MS = 33
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 16.0)
DOT_RADIUS = 4.0
DOT_COLOUR, THROTTLED_COLOUR = QColor("#2F80ED"), QColor("#D92D20")
THROTTLE_STOP = 0.82  # how far along its edge a refused request gets


class Replay:
    """Moves dots on a DiagramScene along the plan's edges as the clock advances."""

    def __init__(self, scene) -> None:
        self.scene = scene
        self.plan: ReplayPlan | None = None
        self.arch: Architecture | None = None
        self.clock = 0.0
        self.speed = 1.0
        self._pool: list[QGraphicsEllipseItem] = []
        self._paths: dict[int, object] = {}

    def load(self, arch: Architecture | None, plan: ReplayPlan | None) -> None:
        self.hide_dots()
        self.arch, self.plan = arch, plan
        self.clock = 0.0

    def _edge_paths(self) -> dict:
        live = self.scene.arch
        paths = {}
        for index in range(len(live.edges)):
            item = self.scene.edge_item(live.edges[index])
            if item is not None:
                paths[index] = edge_path(item)
        return paths

    def visible(self) -> list[tuple[Dot, float]]:
        """(dot, fraction along its edge) for every dot in flight at the clock."""
        if self.plan is None:
            return []
        return self.plan.in_flight(self.clock, TRAVEL_S * self.speed, POOL)

    def render(self) -> int:
        """Place the pool's dots for the current clock; returns how many are shown."""
        in_flight = self.visible()
        if not self._paths:
            self._paths = self._edge_paths()
        while len(self._pool) < len(in_flight):
            item = QGraphicsEllipseItem(-DOT_RADIUS, -DOT_RADIUS, 2 * DOT_RADIUS, 2 * DOT_RADIUS)
            item.setZValue(20)
            item.setPen(QPen(QColor("white"), 1.2))
            item.setAcceptedMouseButtons(Qt.NoButton)
            self.scene.addItem(item)
            self._pool.append(item)
        shown = 0
        for item, (dot, fraction) in zip(self._pool, in_flight):
            path = self._paths.get(dot.edge)
            if path is None:
                item.hide()
                continue
            if dot.throttled:
                fraction = min(fraction, THROTTLE_STOP)
                colour = THROTTLED_COLOUR if fraction >= THROTTLE_STOP * 0.6 else DOT_COLOUR
            else:
                colour = DOT_COLOUR
            item.setBrush(QBrush(colour))
            item.setPos(path.pointAtPercent(max(0.0, min(1.0, fraction))))
            item.show()
            shown += 1
        for item in self._pool[len(in_flight):]:
            item.hide()
        return shown

    def hide_dots(self) -> None:
        for item in self._pool:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._pool = []
        self._paths = {}


class ReplayControls(QWidget):
    """Play/pause, speed and a position slider for the replay (in the Simulation panel)."""

    position_changed = Signal(float)

    def __init__(self, scene, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay = Replay(scene)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._frame)
        self._elapsed = QElapsedTimer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Teaching mode: replay")
        title.setStyleSheet("font-weight: 600; color: #3D4654;")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.play_button = QPushButton("▶  Play")
        self.play_button.setObjectName("replayPlay")
        self.play_button.clicked.connect(self.toggle)
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(lambda _i: self._set_speed(self.speed_box.currentData()))
        row.addWidget(self.play_button, 1)
        row.addWidget(self.speed_box)
        layout.addLayout(row)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.sliderMoved.connect(self._seek)
        layout.addWidget(self.slider)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #5F6B7A;")
        layout.addWidget(self.label)
        self.set_outcome(None)

    def set_outcome(self, outcome) -> None:
        self.stop()
        if outcome is None:
            self.replay.load(None, None)
            self.label.setText("Run a scenario, then play the requests flowing through the design.")
            self.setEnabled(False)
            return
        plan = plan_replay(outcome.arch, outcome.result)
        self.replay.load(outcome.arch, plan)
        self.setEnabled(True)
        self._update_label()

    def toggle(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.replay.plan is None:
            return
        if self.replay.clock >= self.replay.plan.duration_s:
            self.replay.clock = 0.0
        self.replay._paths = {}  # nodes may have moved since the last play
        self._elapsed.start()
        self.timer.start()
        self.play_button.setText("❚❚  Pause")

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setText("▶  Play")

    def stop(self) -> None:
        self.pause()
        self.replay.hide_dots()

    def _set_speed(self, speed: float) -> None:
        self.replay.speed = float(speed)

    def _seek(self, value: int) -> None:
        if self.replay.plan is None:
            return
        self.replay.clock = self.replay.plan.duration_s * value / 1000
        self.replay.render()
        self._update_label()

    def advance(self, wall_s: float) -> int:
        """Move the clock on by `wall_s` of real time at the current speed; redraw."""
        plan = self.replay.plan
        if plan is None:
            return 0
        self.replay.clock += wall_s * self.replay.speed
        if self.replay.clock > plan.duration_s + TRAVEL_S * self.replay.speed:
            self.replay.clock = 0.0  # loop: a teacher lets it run
        shown = self.replay.render()
        self.slider.blockSignals(True)
        self.slider.setValue(int(1000 * min(1.0, self.replay.clock / plan.duration_s)))
        self.slider.blockSignals(False)
        self._update_label()
        return shown

    def _frame(self) -> None:
        wall = self._elapsed.restart() / 1000.0
        self.advance(min(wall, 0.25))

    def _update_label(self) -> None:
        plan = self.replay.plan
        if plan is None:
            return
        per = plan.requests_per_dot
        unit = "1 dot = 1 request" if per <= 1.0 else f"1 dot ≈ {per:,.0f} requests"
        self.label.setText(f"t = {self.replay.clock:,.1f} s of {plan.duration_s:g} s · {unit} · "
                           f"red = throttled")
