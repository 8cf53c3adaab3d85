"""Teaching mode: the run's requests replayed moving through the design.

From real journeys (a Result's `traces`, simulation/traces.py): each sampled request is
one dot that goes where that request went, when it went there, at the simulated pace
(1x: one simulated second per second; slow motion down to 0.01x). It sits at a node
while the node has it, coloured by what is happening there: blue working, a white dot
ringed in blue during a cold start, amber waiting in a queue or a stream, orange while
the SDK retries, red when it was throttled or failed; it moves along the edge it took
when it goes on (a move is drawn over TRAVEL_WALL_S of wall time, whatever the speed),
and stays LINGER_WALL_S where it ended, fading. Click a dot, or a request in the list
under the controls, for its timeline (designer/timeline.py). `simulation.replay`
works out the trips; this module draws them.

A result without traces (read from older JSON, or run with tracing off) is replayed
from its per-edge rates instead (`plan_replay`: one dot may stand for several requests;
a throttled dot turns red and stops short of its target).
"""

from __future__ import annotations

import bisect
from math import cos, sin

from PySide6.QtCore import QElapsedTimer, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QComboBox, QGraphicsEllipseItem, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
    QSlider, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from simulation.health import fmt_ms
from simulation.replay import (
    COLD, FAILED, RETRYING, THROTTLED, WAITING, WORKING, Dot, ReplayPlan, Trip, journey_ms, plan_replay,
    plan_trips, response_ms,
)

from .overlay import edge_path

POOL = 250  # dots on screen at once at most
TRAVEL_S = 0.9  # rate-derived dots: wall time to cross an edge
TRAVEL_WALL_S = 0.35  # journeys: wall time of a move along an edge
LINGER_WALL_S = 0.8  # journeys: how long an ended request stays on screen
FRAME_MS = 33
SPEEDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 16.0)
DOT_RADIUS = 4.5
DOT_COLOUR, THROTTLED_COLOUR = QColor("#2F80ED"), QColor("#D92D20")
STATE_COLOURS = {WORKING: QColor("#2F80ED"), COLD: QColor("#FFFFFF"), WAITING: QColor("#F5A524"),
                 RETRYING: QColor("#F97316"), THROTTLED: QColor("#D92D20"), FAILED: QColor("#B42318")}
STATE_WORDS = {WORKING: "working", COLD: "cold start", WAITING: "waiting", RETRYING: "retrying",
               THROTTLED: "throttled", FAILED: "failed"}
THROTTLE_STOP = 0.82  # rate-derived: how far along its edge a refused request gets
SPREAD = 9.0  # dots at one node spread around its centre by up to this (a queue's crowd shows)


class TripDot(QGraphicsEllipseItem):
    """A dot on the canvas; clicking it asks for its request's timeline."""

    def __init__(self, on_click) -> None:
        super().__init__(-DOT_RADIUS, -DOT_RADIUS, 2 * DOT_RADIUS, 2 * DOT_RADIUS)
        self.on_click = on_click
        self.trip_index: int | None = None
        self.setZValue(20)
        self.setAcceptedMouseButtons(Qt.LeftButton)
        self.setCursor(Qt.PointingHandCursor)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.trip_index is not None:
            self.on_click(self.trip_index)
            event.accept()
        else:
            event.ignore()


class Replay:
    """Places dots on a DiagramScene for the clock: one per journey (or per rate-derived dot)."""

    def __init__(self, scene, on_click=lambda index: None) -> None:
        self.scene = scene
        self.on_click = on_click
        self.plan: ReplayPlan | None = None
        self.trips: tuple[Trip, ...] = ()
        self._starts: list[float] = []
        self.arch: Architecture | None = None
        self.clock = 0.0
        self.speed = 1.0
        self.duration_s = 0.0
        self._pool: list[TripDot] = []
        self._paths: dict[int, object] = {}
        self._centres: dict[str, QPointF] = {}

    def load(self, arch: Architecture | None, plan: ReplayPlan | None, trips: tuple[Trip, ...] = (),
             duration_s: float = 0.0) -> None:
        self.hide_dots()
        self.arch, self.plan, self.trips = arch, plan, trips
        self._starts = [trip.start for trip in trips]
        self.duration_s = plan.duration_s if plan is not None else duration_s
        self.clock = 0.0

    def loaded(self) -> bool:
        return self.plan is not None or bool(self.trips)

    def _geometry(self) -> None:
        live = self.scene.arch
        self._paths = {}
        for index in range(len(live.edges)):
            item = self.scene.edge_item(live.edges[index])
            if item is not None:
                self._paths[index] = edge_path(item)
        self._centres = {}
        for item in self.scene.node_items():
            self._centres[item.node_id] = item.mapToScene(item.card_rect().center())

    # -- journeys -----------------------------------------------------------------------

    def on_screen(self) -> list[tuple[Trip, tuple, float]]:
        """(trip, where it is, opacity) for the journeys on screen at the clock."""
        travel, linger = TRAVEL_WALL_S * self.speed, LINGER_WALL_S * self.speed
        last = bisect.bisect_right(self._starts, self.clock)
        out = []
        for trip in self.trips[:last]:
            if trip.end + linger < self.clock:
                continue
            where = trip.where(self.clock, travel)
            if where is None:
                continue
            fading = 1.0 if self.clock <= trip.end else max(0.15, 1.0 - (self.clock - trip.end) / linger)
            out.append((trip, where, fading))
        return out[-POOL:]

    def _trip_point(self, trip: Trip, where: tuple) -> QPointF | None:
        kind, subject, fraction, _state = where
        if kind == "edge":
            path = self._paths.get(subject)
            return None if path is None else path.pointAtPercent(max(0.0, min(1.0, fraction)))
        centre = self._centres.get(subject)
        if centre is None:
            return None
        # spread the crowd at a node so a queue's backlog is seen (a fixed place per request)
        angle = (trip.index * 2.399963) % 6.283185  # golden angle
        radius = SPREAD * ((trip.index % 7) / 6.0)
        return QPointF(centre.x() + radius * cos(angle), centre.y() + radius * sin(angle))

    # -- drawing -------------------------------------------------------------------------

    def visible(self) -> list[tuple[Dot, float]]:
        """Rate-derived: (dot, fraction along its edge) for every dot in flight at the clock."""
        if self.plan is None:
            return []
        return self.plan.in_flight(self.clock, TRAVEL_S * self.speed, POOL)

    def render(self) -> int:
        """Place the pool's dots for the current clock; returns how many are shown."""
        if not self._paths and not self._centres:
            self._geometry()
        if self.trips:
            placed = [(trip, self._trip_point(trip, where), where[3], fading)
                      for trip, where, fading in self.on_screen()]
            placed = [p for p in placed if p[1] is not None]
        else:
            placed = [(None, *self._rate_dot(dot, fraction), 1.0) for dot, fraction in self.visible()]
            placed = [p for p in placed if p[1] is not None]
        while len(self._pool) < len(placed):
            item = TripDot(self.on_click)
            self.scene.addItem(item)
            self._pool.append(item)
        for item, (trip, point, state, fading) in zip(self._pool, placed):
            self._style(item, state)
            item.trip_index = trip.index if trip is not None else None
            item.setToolTip(self._tip(trip, state) if trip is not None else "")
            item.setOpacity(fading)
            item.setPos(point)
            item.show()
        for item in self._pool[len(placed):]:
            item.hide()
        return len(placed)

    def _rate_dot(self, dot: Dot, fraction: float) -> tuple[QPointF | None, str]:
        path = self._paths.get(dot.edge)
        if path is None:
            return None, WORKING
        state = WORKING
        if dot.throttled:
            fraction = min(fraction, THROTTLE_STOP)
            state = THROTTLED if fraction >= THROTTLE_STOP * 0.6 else WORKING
        return path.pointAtPercent(max(0.0, min(1.0, fraction))), state

    @staticmethod
    def _style(item: QGraphicsEllipseItem, state: str) -> None:
        if state == COLD:
            item.setBrush(QBrush(STATE_COLOURS[COLD]))
            item.setPen(QPen(STATE_COLOURS[WORKING], 2.4))
        else:
            item.setBrush(QBrush(STATE_COLOURS.get(state, DOT_COLOUR)))
            item.setPen(QPen(QColor("white"), 1.2))

    def _tip(self, trip: Trip, state: str) -> str:
        return (f"Request into {self._name(trip.entry)} at {trip.start:,.3f} s, {trip.outcome} after "
                f"{fmt_ms((trip.end - trip.start) * 1000)}: now {STATE_WORDS.get(state, state)}. Click for its timeline.")

    def _name(self, node_id: str) -> str:
        node = self.arch.nodes.get(node_id) if self.arch is not None else None
        return node.display_name if node is not None else node_id

    def shown_dots(self) -> list[TripDot]:
        return [item for item in self._pool if item.isVisible()]

    def hide_dots(self) -> None:
        for item in self._pool:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._pool = []
        self._paths = {}
        self._centres = {}


# The request list's orders: a sort key of a journey each (sorted() is stable: ties stay
# in time order). The slowest answer is the report's order too.
REQUEST_ORDERS = {
    "slowest answer first": lambda journey: -response_ms(journey),
    "longest work first": lambda journey: -journey_ms(journey),
    "failed first": lambda journey: journey["outcome"] == "ok",
    "in time order": lambda journey: 0,
}


def request_line(journey) -> str:
    """A request in the list, short enough for a narrow panel: its mark, what its client
    waited, the outcome when it failed, when it started, and how long its work went on
    when that was longer than the answer ("✓ 25 ms · at 12.3 s · work 1,204 ms")."""
    ok = journey["outcome"] == "ok"
    answered, total = response_ms(journey), journey_ms(journey)
    parts = ["✓ " + fmt_ms(answered) if ok else f"✗ {fmt_ms(answered)} · {journey['outcome']}",
             f"at {journey['start_s']:,.1f} s"]
    if total > answered * 1.01:
        parts.append(f"work {fmt_ms(total)}")
    return " · ".join(parts)


def request_tooltip(journey) -> str:
    answered, total = response_ms(journey), journey_ms(journey)
    return (f"{journey['outcome']}: the client waited {fmt_ms(answered)}; the work went on until "
            f"{fmt_ms(total)}, over {len(journey['spans'])} spans.\nStarted at "
            f"{journey['start_s']:,.3f} s. Click for its timeline.")


class ReplayControls(QWidget):
    """Play/pause, speed and a position slider for the replay, and the sampled requests
    (in the Simulation panel)."""

    position_changed = Signal(float)
    timeline_requested = Signal(int)  # index in the result's traces

    def __init__(self, scene, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay = Replay(scene, self.timeline_requested.emit)
        self.outcome = None
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._frame)
        self._elapsed = QElapsedTimer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Teaching mode: replay")
        title.setStyleSheet("font-weight: 600;")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.play_button = QPushButton("▶  Play")
        self.play_button.setObjectName("replayPlay")
        self.play_button.clicked.connect(self.toggle)
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setToolTip("Simulated seconds per second: below 1× is slow motion")
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
        layout.addWidget(self.label)
        self.list_heading = QHBoxLayout()
        self.list_label = QLabel("Requests")
        self.list_label.setStyleSheet("font-weight: 600;")
        self.order_box = QComboBox()
        self.order_box.addItems(list(REQUEST_ORDERS))
        self.order_box.setToolTip("Slowest answer: what the client waited for. Longest work: "
                                  "until the last span ended, asynchronous work included")
        self.order_box.currentIndexChanged.connect(lambda _i: self._fill_list())
        self.list_heading.addWidget(self.list_label, 1)
        self.list_heading.addWidget(self.order_box)
        layout.addLayout(self.list_heading)
        self.requests = QListWidget()
        self.requests.setObjectName("replayRequests")
        self.requests.setToolTip("The sampled requests of this run: click one for its timeline")
        self.requests.setMinimumHeight(110)
        self.requests.itemActivated.connect(self._request_picked)
        self.requests.itemClicked.connect(self._request_picked)
        layout.addWidget(self.requests)
        self.set_outcome(None)

    def set_outcome(self, outcome) -> None:
        self.stop()
        self.outcome = outcome
        if outcome is None:
            self.replay.load(None, None)
            self.label.setText("Run a scenario, then play the requests flowing through the design.")
            self.requests.clear()
            self.setEnabled(False)
            return
        traces = outcome.result.traces
        if traces:
            self.replay.load(outcome.arch, None, plan_trips(outcome.arch, traces), float(outcome.result.duration_s))
        else:
            self.replay.load(outcome.arch, plan_replay(outcome.arch, outcome.result))
        self.setEnabled(True)
        self._fill_list()
        self._update_label()

    def _fill_list(self) -> None:
        self.requests.clear()
        traces = self.outcome.result.traces if self.outcome is not None else ()
        self.list_label.setVisible(bool(traces))
        self.order_box.setVisible(bool(traces))
        self.requests.setVisible(bool(traces))
        sort_key = REQUEST_ORDERS[self.order_box.currentText()]
        indexes = sorted(range(len(traces)), key=lambda i: sort_key(traces[i]))
        for index in indexes:
            journey = traces[index]
            item = QListWidgetItem(request_line(journey))
            item.setToolTip(request_tooltip(journey))
            item.setData(Qt.UserRole, index)
            if journey["outcome"] != "ok":
                item.setForeground(QBrush(THROTTLED_COLOUR))
            self.requests.addItem(item)

    def _request_picked(self, item: QListWidgetItem) -> None:
        self.timeline_requested.emit(item.data(Qt.UserRole))

    def toggle(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if not self.replay.loaded():
            return
        if self.replay.clock >= self.replay.duration_s:
            self.replay.clock = 0.0
        self.replay._paths, self.replay._centres = {}, {}  # nodes may have moved since the last play
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
        if not self.replay.loaded():
            return
        self.replay.clock = self.replay.duration_s * value / 1000
        self.replay.render()
        self._update_label()

    def seek(self, clock: float) -> int:
        """Put the clock at `clock` simulated seconds and draw (scripts, screenshots)."""
        self.replay.clock = max(0.0, min(clock, self.replay.duration_s))
        shown = self.replay.render()
        self._update_label()
        return shown

    def advance(self, wall_s: float) -> int:
        """Move the clock on by `wall_s` of real time at the current speed; redraw."""
        replay = self.replay
        if not replay.loaded():
            return 0
        replay.clock += wall_s * replay.speed
        if replay.clock > replay.duration_s + max(TRAVEL_S, LINGER_WALL_S) * replay.speed:
            replay.clock = 0.0  # loop: a teacher lets it run
        shown = replay.render()
        self.slider.blockSignals(True)
        self.slider.setValue(int(1000 * min(1.0, replay.clock / replay.duration_s)) if replay.duration_s else 0)
        self.slider.blockSignals(False)
        self._update_label()
        return shown

    def _frame(self) -> None:
        wall = self._elapsed.restart() / 1000.0
        self.advance(min(wall, 0.25))

    def _update_label(self) -> None:
        replay = self.replay
        if not replay.loaded():
            return
        where = f"t = {replay.clock:,.2f} s of {replay.duration_s:g} s"
        if replay.trips:
            arrived = sum(e.requests for e in self.outcome.result.entries.values())
            self.label.setText(f"{where} · {len(replay.trips)} real requests sampled of {arrived:,}: each dot is one "
                               "of them, at its real pace · blue working, ringed cold start, amber waiting, "
                               "red throttled or failed · click a dot for its timeline")
            return
        per = replay.plan.requests_per_dot
        unit = "1 dot = 1 request" if per <= 1.0 else f"1 dot ≈ {per:,.0f} requests"
        self.label.setText(f"{where} · {unit} · red = throttled (from per-edge rates: this result has no traces)")
