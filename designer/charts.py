"""Charts of a run: matplotlib `Figure`s on a `FigureCanvasQTAgg` (no pyplot global
state), styled like the rest of the window, and the plots the dashboard draws on them.

A `Chart` keeps the figures it has shown, one per *key* (which nodes, which chart, the
font scale and the theme): `present(key, plot)` builds a figure with `plot` the first time
and afterwards only swaps the cached figure back in, and puts back the pixels it last
rendered at the same size (pixels are kept within a memory budget shared by all charts).
`prefetch(key, plot)` builds and renders a figure off screen, so the dashboard can
prepare every node's chart while the user looks at the results: clicking from node to
node is then a swap of pictures, not a redraw. A figure's constrained layout is worked
out once per size, then frozen (it is half the cost of a draw).

Each plot takes a Figure and the nodes to draw with their display names and colours,
and returns how many series it drew (0: the chart says there is nothing to show).
Legends sit outside the plot, on its right; charts with a row per node (latency, cost)
show as many rows as fit their height, the slowest or costliest first, and say so.
Colours: each node gets a shade of its AWS category colour, so the charts read like
the canvas. Numbers are written by simulation.health's fmt_count, fmt_ms and fmt_usd.
"""

from __future__ import annotations

import colorsys
import warnings
from collections import OrderedDict
from typing import Callable, Hashable

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy, QWidget

from model.architecture import Architecture
from model.catalogue import CATEGORY_COLOURS, SERVICES
from simulation.health import fmt_ms, fmt_usd

from . import theme

# Charts on tabs not yet shown have no size; matplotlib's layout warns about it on every
# redraw, and lays them out properly once they are shown.
warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)

# Fixed colours of the light theme, kept for callers (compare) that predate the themes.
TEXT, MUTED, GRID = theme.LIGHT.text, theme.LIGHT.muted, theme.LIGHT.grid
THROTTLE_RED, COLD_BLUE = "#D92D20", "#2F80ED"
MAX_LINES = 8  # more lines than this on one chart is a tangle: the busiest ones are drawn
LEGEND_CHARS = 22  # legend labels longer than this are shortened (the table has the full name)
ROW_PX = 20  # height a row of the latency and cost charts needs at scale 1
FIGURES_KEPT = 40  # per chart (a figure is small: its pixels are not kept with it)
PIXEL_BUDGET = 96 * 2**20  # bytes of rendered pixels kept, all charts together


# --------------------------------------------------------------------------------------
# Colours and costs per node


def node_colours(arch: Architecture, node_ids) -> dict[str, str]:
    """A shade of its category colour per node, nodes of one category spread in lightness."""
    by_category: dict[str, list[str]] = {}
    for node_id in node_ids:
        node = arch.nodes.get(node_id)
        spec = SERVICES.get(node.service) if node else None
        by_category.setdefault(spec.category if spec else "", []).append(node_id)
    out = {}
    for category, ids in by_category.items():
        base = QColor(CATEGORY_COLOURS.get(category, "#5A6270"))
        h, l, s = colorsys.rgb_to_hls(base.redF(), base.greenF(), base.blueF())
        for i, node_id in enumerate(ids):
            shift = (i - (len(ids) - 1) / 2) * min(0.12, 0.36 / max(1, len(ids)))
            r, g, b = colorsys.hls_to_rgb(h, min(0.75, max(0.22, l + shift)), s)
            out[node_id] = QColor.fromRgbF(r, g, b).name()
    return out


def node_cost(result, node_id: str) -> float | None:
    return None if result.cost is None else float(result.cost.by_node.get(node_id, 0.0))


def short(text: str, limit: int = LEGEND_CHARS) -> str:
    return plain(text if len(text) <= limit else text[:limit - 1].rstrip() + "…")


def plain(text: str) -> str:
    """Text as matplotlib should show it: a `$` would start mathtext ("$726.50 a month")."""
    return text.replace("$", r"\$")


# --------------------------------------------------------------------------------------
# The canvas


class _Pixels:
    """Rendered chart pixels by (chart, key, width, height), least recently used dropped
    first beyond PIXEL_BUDGET bytes."""

    def __init__(self, budget: int) -> None:
        self.budget, self.used = budget, 0
        self.regions: OrderedDict = OrderedDict()  # key -> (BufferRegion, bytes)

    def get(self, key):
        entry = self.regions.get(key)
        if entry is None:
            return None
        self.regions.move_to_end(key)
        return entry[0]

    def put(self, key, region, size: int) -> None:
        self.drop(key)
        self.regions[key] = (region, size)
        self.used += size
        while self.used > self.budget and len(self.regions) > 1:
            _key, (_region, dropped) = self.regions.popitem(last=False)
            self.used -= dropped

    def drop(self, key) -> None:
        entry = self.regions.pop(key, None)
        if entry is not None:
            self.used -= entry[1]

    def drop_chart(self, chart_id: int) -> None:
        for key in [k for k in self.regions if k[0] == chart_id]:
            self.drop(key)


PIXELS = _Pixels(PIXEL_BUDGET)


class Chart(FigureCanvasQTAgg):
    """A matplotlib canvas that caches its figures (and their pixels) by key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self._new_figure())
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(150)
        self.scale = 1.0  # font scale (presentation mode)
        self.key: Hashable | None = None
        self.drawn = 0  # series drawn by the figure shown
        self.builds = self.renders = 0  # how often a figure was plotted / rendered (tests, benchmarks)
        self._plot: Callable[[Figure], int] | None = None
        self._figures: OrderedDict = OrderedDict()  # full key -> (Figure, series drawn, rows it fits)
        self._refit = QTimer(self)  # row charts rebuild when a resize changes how many rows fit
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self._rebuild_if_rows_changed)
        self.destroyed.connect(lambda _o=None, me=id(self): PIXELS.drop_chart(me))

    @staticmethod
    def _new_figure() -> Figure:
        return Figure(figsize=(5, 3), dpi=100, facecolor=theme.current().panel, layout="constrained")

    def _full_key(self, key: Hashable) -> tuple:
        return (key, self.scale, theme.current().name)

    # -- showing figures -------------------------------------------------------------

    def present(self, key: Hashable, plot: Callable[[Figure], int]) -> int:
        """Show the figure for `key`, built by `plot(figure)` the first time (it returns
        how many series it drew); returns that number."""
        full_key = self._full_key(key)
        if full_key == self.key:
            return self.drawn
        figure, count = self._figure_for(full_key, plot)
        self._show_figure(figure)
        self.key, self.drawn, self._plot = full_key, count, plot
        pixels = PIXELS.get(self._pixel_key(full_key))
        if pixels is not None:
            self.restore_region(pixels)
            self._draw_pending = False  # a draw asked for by the figure shown before is moot
            self.update()
        else:
            self.draw_idle()
        return count

    def prefetch(self, key: Hashable, plot: Callable[[Figure], int]) -> bool:
        """Build and render `key`'s figure off screen at this chart's size, unless it is
        ready already; True if there was work to do."""
        full_key = self._full_key(key)
        pixel_key = self._pixel_key(full_key)
        if full_key == self.key or PIXELS.get(pixel_key) is not None or self.width() < 50:
            return False
        figure, _count = self._figure_for(full_key, plot)
        if figure is self.figure:
            return False
        self._fit(figure)
        offscreen = FigureCanvasAgg(figure)
        offscreen.draw()
        self.renders += 1
        self._frozen(figure)
        PIXELS.put(pixel_key, offscreen.copy_from_bbox(figure.bbox), self._pixel_bytes())
        return True

    def _figure_for(self, full_key, plot) -> tuple[Figure, int]:
        entry = self._figures.get(full_key)
        if entry is None:
            figure = self._new_figure()
            self._fit(figure)
            self.builds += 1
            entry = (figure, plot(figure), self.rows_that_fit())
            self._figures[full_key] = entry
            while len(self._figures) > FIGURES_KEPT:
                self._forget(next(iter(self._figures)))
        self._figures.move_to_end(full_key)
        return entry[0], entry[1]

    def empty(self, text: str) -> int:
        """A chart that says there is nothing to show (also a plot's own way out)."""
        return self.present(("empty", text), lambda figure: say_empty(figure, text, self.scale))

    def forget_all(self) -> None:
        """Drop every cached figure (a new result, another theme)."""
        self._figures.clear()
        PIXELS.drop_chart(id(self))
        self.key = None

    def _forget(self, full_key) -> None:
        self._figures.pop(full_key, None)
        for pixel_key in [k for k in PIXELS.regions if k[0] == id(self) and k[1] == full_key]:
            PIXELS.drop(pixel_key)

    def _show_figure(self, figure: Figure) -> None:
        if figure is self.figure:
            return
        figure.set_canvas(self)
        self.figure = figure
        self._fit(figure)

    def _fit(self, figure: Figure) -> None:
        """Size a figure to this widget (as FigureCanvasQT.resizeEvent does for its own);
        a frozen layout thaws when the size changed."""
        ratio = self.device_pixel_ratio or 1
        figure.set_dpi(figure._original_dpi * ratio)  # noqa: SLF001 - what FigureCanvasQT itself uses
        width, height = max(1, self.width()) * ratio, max(1, self.height()) * ratio
        figure.set_size_inches(width / figure.dpi, height / figure.dpi, forward=False)
        if getattr(figure, "laid_out_at", None) not in (None, self._size()):
            figure.set_layout_engine("constrained")
            figure.laid_out_at = None

    @staticmethod
    def _frozen(figure: Figure) -> None:
        """After a draw: keep the layout it worked out until the size changes."""
        if figure.get_layout_engine() is not None and getattr(figure, "laid_out_at", None) is None:
            figure.laid_out_at = tuple(round(v) for v in figure.bbox.size)
            figure.set_layout_engine("none")

    def _size(self) -> tuple[int, int]:
        ratio = self.device_pixel_ratio or 1
        return (round(max(1, self.width()) * ratio), round(max(1, self.height()) * ratio))

    def _pixel_key(self, full_key=None) -> tuple:
        return (id(self), self.key if full_key is None else full_key, *self._size())

    def _pixel_bytes(self) -> int:
        width, height = self._size()
        return width * height * 4

    def draw(self) -> None:
        super().draw()
        self.renders += 1
        self._frozen(self.figure)
        if self.key is not None and self.width() > 1:
            PIXELS.put(self._pixel_key(), self.copy_from_bbox(self.figure.bbox), self._pixel_bytes())

    # -- row charts follow the height ------------------------------------------------

    def rows_that_fit(self) -> int:
        """Rows of a per-node chart that fit this widget's height, at least 3."""
        return max(3, int((self.height() - 80 * self.scale) / (ROW_PX * self.scale)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._fit(self.figure)
        super().resizeEvent(event)
        if self.key is not None:
            self._refit.start()

    def _rebuild_if_rows_changed(self) -> None:
        entry = self._figures.get(self.key)
        if entry is None or self._plot is None or entry[2] == self.rows_that_fit():
            return
        figure, _count, _rows = entry
        if not getattr(figure, "per_row", False):
            return
        key, plot = self.key[0], self._plot
        self._forget(self.key)
        self.key = None
        self.present(key, plot)


# --------------------------------------------------------------------------------------
# Building blocks of a plot


def axes(figure: Figure, scale: float = 1.0):
    """One plot on the figure, styled like the window."""
    t = theme.current()
    figure.set_facecolor(t.panel)
    ax = figure.add_subplot(111)
    ax.set_facecolor(t.panel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(t.border)
    ax.tick_params(colors=t.muted, labelsize=8.5 * scale)
    ax.grid(True, color=t.grid, linewidth=0.8)
    ax.set_axisbelow(True)
    return ax


def say_empty(figure: Figure, text: str, scale: float = 1.0) -> int:
    ax = axes(figure, scale)
    ax.axis("off")
    ax.text(0.5, 0.5, plain(text), ha="center", va="center", color=theme.current().muted, fontsize=10 * scale,
            transform=ax.transAxes, wrap=True)
    return 0


def title(ax, text: str, scale: float = 1.0) -> None:
    """The figure's title, over the plot and its legend (the layout gives it a row of
    its own, so a long title never runs into the legend); also the axes' title, for
    whoever reads the figure (tests, accessibility), but not drawn there."""
    figure = ax.get_figure()
    figure.suptitle(plain(text), x=0.01, ha="left", fontsize=10 * scale, color=theme.current().text, fontweight="bold")
    ax.set_title(plain(text), loc="left", visible=False)


def label_axes(ax, x: str, y: str, scale: float = 1.0) -> None:
    colour = theme.current().muted
    ax.set_xlabel(x, fontsize=8.5 * scale, color=colour)
    ax.set_ylabel(y, fontsize=8.5 * scale, color=colour)


def legend(figure: Figure, ax, scale: float = 1.0) -> None:
    """The legend outside the plot, on its right: never over the data or the axes."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        figure.legend(handles, [short(label) for label in labels], loc="outside right upper",
                      fontsize=8 * scale, frameon=False, labelcolor=theme.current().text,
                      handlelength=1.4)


# --------------------------------------------------------------------------------------
# The plots


def plot_series(figure: Figure, series: dict, times, node_ids, names: dict, colours: dict,
                key: str, heading: str, unit: str, scale: float = 1.0) -> int:
    """A line per node of series[node][key] over time (the busiest MAX_LINES)."""
    peaks = {n: max(series.get(n, {}).get(key, ()) or (0,)) for n in node_ids}
    ranked = sorted((n for n in node_ids if peaks[n] > 0), key=lambda n: -peaks[n])
    if not ranked:
        return say_empty(figure, f"No {heading.split(' —')[0].lower()} in this run", scale)
    shown = ranked[:MAX_LINES]
    ax = axes(figure, scale)
    for node_id in shown:
        ax.plot(times, series[node_id][key], color=colours.get(node_id, theme.current().muted),
                linewidth=1.6, label=names.get(node_id, node_id), drawstyle="steps-post")
    more = f" (busiest {len(shown)} of {len(ranked)})" if len(ranked) > len(shown) else ""
    title(ax, heading + more, scale)
    label_axes(ax, "simulated time (s)", unit, scale)
    ax.set_xlim(times[0] if times else 0, times[-1] if times else 1)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    legend(figure, ax, scale)
    return len(shown)


def plot_events(figure: Figure, series: dict, times, node_ids, heading: str, scale: float = 1.0) -> int:
    """Cold starts and throttles per bucket, summed over the chosen nodes."""
    count = len(times)
    cold, throttled = [0.0] * count, [0.0] * count
    for node_id in node_ids:
        named = series.get(node_id, {})
        for total, values in ((cold, named.get("cold_starts", ())), (throttled, named.get("throttled", ()))):
            for i, value in enumerate(values[:count]):
                total[i] += value
    if not any(cold) and not any(throttled):
        return say_empty(figure, "No cold starts and no throttling in this run", scale)
    t = theme.current()
    ax = axes(figure, scale)
    width = (times[1] - times[0]) * 0.9 if count > 1 else 0.9
    ax.bar(times, cold, width=width, align="edge", color=t.cold, label="cold starts")
    ax.bar(times, throttled, width=width, align="edge", bottom=cold, color=t.bad, label="throttled")
    title(ax, heading, scale)
    label_axes(ax, "simulated time (s)", "per bucket", scale)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    legend(figure, ax, scale)
    return 2


def _rows(figure: Figure, ranked: list[str], rows_fit: int) -> tuple[list[str], str]:
    """The rows a per-node chart shows (as many as fit) and the words saying what was left out."""
    figure.per_row = True  # the Chart rebuilds it when a resize changes how many rows fit
    shown = ranked[:rows_fit]
    return shown, (f" ({len(shown)} of {len(ranked)})" if len(shown) < len(ranked) else "")


def plot_latency(figure: Figure, result, node_ids, names: dict, colours: dict, heading: str,
                 rows_fit: int, scale: float = 1.0) -> int:
    """p50 to p99 per node as a range on a log scale (p50 ring, p95 tick, p99 dot), the
    slowest first, as many as fit: readable with many nodes in a short panel."""
    t = theme.current()
    ranked = sorted((n for n in node_ids if n in result.nodes and result.nodes[n].latency_ms.p99 > 0),
                    key=lambda n: -result.nodes[n].latency_ms.p99)
    if not ranked:
        return say_empty(figure, "No latency measured", scale)
    shown, more = _rows(figure, ranked, rows_fit)
    ax = axes(figure, scale)
    rows = shown[::-1]  # slowest on top
    for i, node_id in enumerate(rows):
        lat, colour = result.nodes[node_id].latency_ms, colours.get(node_id, t.muted)
        ax.plot([lat.p50, lat.p99], [i, i], color=colour, linewidth=3 * scale, alpha=0.35, solid_capstyle="round")
        ax.plot([lat.p50], [i], "o", markersize=7 * scale, markerfacecolor=t.panel, markeredgecolor=colour,
                markeredgewidth=1.8, label="p50" if i == 0 else None)
        ax.plot([lat.p95], [i], "|", markersize=11 * scale, color=colour, markeredgewidth=2,
                label="p95" if i == 0 else None)
        ax.plot([lat.p99], [i], "o", markersize=7 * scale, color=colour, label="p99" if i == 0 else None)
        ax.annotate(fmt_ms(lat.p99), (lat.p99, i), xytext=(7 * scale, 0), textcoords="offset points",
                    va="center", fontsize=8 * scale, color=t.text)
    ax.set_yticks(range(len(rows)), [short(names.get(n, n)) for n in rows], fontsize=8.5 * scale, color=t.text)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ax.set_xlim(low, high * 3)  # room for the p99 labels
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_ms(v)))
    ax.grid(False, axis="y")
    label_axes(ax, "latency, log scale", "", scale)
    title(ax, heading + (" — slowest first" + more if more else ""), scale)
    legend(figure, ax, scale)
    return len(rows)


def plot_cost(figure: Figure, result, node_ids, names: dict, colours: dict, heading: str,
              rows_fit: int, scale: float = 1.0) -> int:
    """Monthly cost per node, the costliest first, as many as fit; the values are written
    on the bars, so the axis carries no numbers to run together."""
    if result.cost is None:
        return say_empty(figure, "Cost could not be estimated", scale)
    ranked = sorted((n for n in node_ids if node_cost(result, n)), key=lambda n: -node_cost(result, n))
    if not ranked:
        return say_empty(figure, "No billable usage in this run", scale)
    t = theme.current()
    shown, more = _rows(figure, ranked, rows_fit)
    rest = sum(node_cost(result, n) for n in ranked[len(shown):])
    ax = axes(figure, scale)
    rows = shown[::-1]  # costliest on top
    values = [node_cost(result, n) for n in rows]
    bars = ax.barh(range(len(rows)), values, color=[colours.get(n, t.muted) for n in rows], height=0.6)
    ax.set_yticks(range(len(rows)), [short(names.get(n, n)) for n in rows], fontsize=8.5 * scale, color=t.text)
    ax.bar_label(bars, labels=[plain(fmt_usd(v)) for v in values], padding=3, fontsize=8 * scale, color=t.text)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.grid(False)
    ax.set_xlim(0, max(values) * 1.35)
    total = fmt_usd(result.cost.monthly_usd) if node_ids == list(result.nodes) else fmt_usd(
        sum(node_cost(result, n) or 0.0 for n in node_ids))
    others = f"; the other {len(ranked) - len(shown)} {fmt_usd(rest)}" if more else ""
    title(ax, f"{heading}: {total} a month{others}", scale)
    return len(rows)

