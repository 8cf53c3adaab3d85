"""Charts of a run: matplotlib `Figure`s on `FigureCanvasQTAgg` (no pyplot global state),
styled like the rest of the window, and the plots the dashboard draws on them.

Each plot takes a Chart, the nodes to draw and their display names and colours, and
returns how many series it drew (0: the chart says there is nothing to show). Colours:
each node gets a shade of its AWS category colour, so the charts read like the canvas.
Numbers are written by simulation.health's fmt_count, fmt_ms and fmt_usd.
"""

from __future__ import annotations

import colorsys
import warnings

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy, QWidget

from model.architecture import Architecture
from model.catalogue import CATEGORY_COLOURS, SERVICES
from simulation.health import fmt_ms, fmt_usd

# Charts on tabs not yet shown have no size; matplotlib's layout warns about it on every
# redraw, and lays them out properly once they are shown.
warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)

TEXT, MUTED, GRID = "#1F2733", "#6B7380", "#E5E7EB"
THROTTLE_RED, COLD_BLUE = "#D92D20", "#2F80ED"
MAX_LINES = 8  # more lines than this on one chart is a tangle: the busiest ones are drawn


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


# --------------------------------------------------------------------------------------
# Charts


class Chart(FigureCanvasQTAgg):
    """One matplotlib figure, styled like the rest of the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.figure = Figure(figsize=(5, 3), dpi=100, facecolor="white", layout="constrained")
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(160)

    def axes(self):
        self.figure.clear()
        ax = self.figure.add_subplot(111)
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#C9CED6")
        ax.tick_params(colors=MUTED, labelsize=8.5)
        ax.grid(True, color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        return ax

    def empty(self, text: str) -> None:
        ax = self.axes()
        ax.axis("off")
        ax.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, fontsize=10, transform=ax.transAxes)
        self.draw_idle()


def _title(ax, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=10, color=TEXT, fontweight="bold", pad=6)


def _legend(ax, count: int) -> None:
    if count:  # below the plot: a side legend would take half of a narrow chart
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=min(count, 2), labelcolor=TEXT, handlelength=1.4, columnspacing=1.2)


def plot_series(chart: Chart, series: dict, times, node_ids, names: dict, colours: dict,
                key: str, title: str, unit: str) -> int:
    """A line per node of series[node][key] over time; returns how many were drawn."""
    ranked = sorted((n for n in node_ids if any(series.get(n, {}).get(key, ()))),
                    key=lambda n: -max(series[n][key]))[:MAX_LINES]
    if not ranked:
        chart.empty(f"No {title.lower()} in this run")
        return 0
    ax = chart.axes()
    for node_id in ranked:
        ax.plot(times, series[node_id][key], color=colours.get(node_id, MUTED), linewidth=1.6,
                label=names.get(node_id, node_id), drawstyle="steps-post")
    _title(ax, title)
    ax.set_xlabel("simulated time (s)", fontsize=8.5, color=MUTED)
    ax.set_ylabel(unit, fontsize=8.5, color=MUTED)
    ax.set_xlim(times[0] if times else 0, times[-1] if times else 1)
    ax.set_ylim(bottom=0)
    _legend(ax, len(ranked))
    chart.draw_idle()
    return len(ranked)


def plot_events(chart: Chart, series: dict, times, node_ids, names: dict) -> int:
    """Cold starts and throttles per bucket, summed over the chosen nodes."""
    cold = [sum(series.get(n, {}).get("cold_starts", [0] * len(times))[i] for n in node_ids)
            for i in range(len(times))]
    throttled = [sum(series.get(n, {}).get("throttled", [0] * len(times))[i] for n in node_ids)
                 for i in range(len(times))]
    if not any(cold) and not any(throttled):
        chart.empty("No cold starts and no throttling in this run")
        return 0
    ax = chart.axes()
    width = (times[1] - times[0]) * 0.9 if len(times) > 1 else 0.9
    ax.bar(times, cold, width=width, align="edge", color=COLD_BLUE, label="cold starts")
    ax.bar(times, throttled, width=width, align="edge", bottom=cold, color=THROTTLE_RED, label="throttled")
    _title(ax, "Cold starts and throttles")
    ax.set_xlabel("simulated time (s)", fontsize=8.5, color=MUTED)
    ax.set_ylabel("per bucket", fontsize=8.5, color=MUTED)
    _legend(ax, 2)
    chart.draw_idle()
    return 2


def plot_latency(chart: Chart, result, node_ids, names: dict, colours: dict) -> int:
    """p50 to p99 per node as a range on a log scale (p50 ring, p95 tick, p99 dot): it
    stays readable with many nodes in a short panel, where grouped bars would not."""
    rows = [n for n in node_ids if n in result.nodes and result.nodes[n].latency_ms.p99 > 0]
    if not rows:
        chart.empty("No latency measured")
        return 0
    ax = chart.axes()
    rows = rows[::-1]  # first node on top
    for i, node_id in enumerate(rows):
        lat, colour = result.nodes[node_id].latency_ms, colours.get(node_id, MUTED)
        ax.plot([lat.p50, lat.p99], [i, i], color=colour, linewidth=3, alpha=0.35, solid_capstyle="round")
        ax.plot([lat.p50], [i], "o", markersize=7, markerfacecolor="white", markeredgecolor=colour,
                markeredgewidth=1.8, label="p50" if i == 0 else None)
        ax.plot([lat.p95], [i], "|", markersize=11, color=colour, markeredgewidth=2,
                label="p95" if i == 0 else None)
        ax.plot([lat.p99], [i], "o", markersize=7, color=colour, label="p99" if i == 0 else None)
        ax.annotate(f"{fmt_ms(lat.p99)}", (lat.p99, i), xytext=(7, 0), textcoords="offset points",
                    va="center", fontsize=8, color=TEXT)
    ax.set_yticks(range(len(rows)), [names.get(n, n) for n in rows], fontsize=8.5, color=TEXT)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ax.set_xlim(low, high * 2.2)  # room for the p99 labels
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_ms(v)))
    ax.grid(False, axis="y")
    ax.set_xlabel("latency (ms, log scale): ○ p50   | p95   ● p99", fontsize=8.5, color=MUTED)
    _title(ax, "Latency percentiles")
    chart.draw_idle()
    return len(rows)


def plot_cost(chart: Chart, result, node_ids, names: dict, colours: dict) -> int:
    if result.cost is None:
        chart.empty("Cost could not be estimated")
        return 0
    rows = sorted((n for n in node_ids if node_cost(result, n)), key=lambda n: node_cost(result, n))
    if not rows:
        chart.empty("No billable usage in this run")
        return 0
    ax = chart.axes()
    values = [node_cost(result, n) for n in rows]
    bars = ax.barh(range(len(rows)), values, color=[colours.get(n, MUTED) for n in rows], height=0.6)
    ax.set_yticks(range(len(rows)), [names.get(n, n) for n in rows], fontsize=8.5, color=TEXT)
    ax.bar_label(bars, labels=[fmt_usd(v) for v in values], padding=3, fontsize=8, color=TEXT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_usd(v)))
    ax.grid(False, axis="y")
    ax.set_xlim(0, max(values) * 1.25)
    _title(ax, f"Monthly cost by node — total {fmt_usd(result.cost.monthly_usd)}")
    chart.draw_idle()
    return len(rows)
