"""Limits hit: which AWS limit refused or delayed work in a run, where, and first when.

A run's `limits` list (DESIGN.md section 4) holds entries
`{"limit": "api_gateway_account_rps", "scope": "account" | NODE_ID, "first_hit_s": 61.2,
"throttled": 1234}`. `LimitsStrip` lists them above the dashboard's table, the first one
hit first; a node-scoped limit links to its node. The canvas overlay marks the nodes
(designer/overlay.py) from `limits_by_node`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from simulation.health import fmt_count

from . import theme

# Words a limit id is written with ("api_gateway_account_rps" -> "API Gateway account requests/s").
WORDS = {"api": "API", "gateway": "Gateway", "lambda": "Lambda", "dynamodb": "DynamoDB", "sqs": "SQS",
         "sns": "SNS", "s3": "S3", "kinesis": "Kinesis", "rps": "requests/s", "wcu": "WCU", "rcu": "RCU",
         "eventbridge": "EventBridge", "step": "Step", "functions": "Functions", "iops": "IOPS"}


def run_limits(result) -> list[dict]:
    """The run's `limits` (simulation.results.LimitHit records) in their JSON form, first
    hit first."""
    return sorted((hit.to_json() for hit in result.limits), key=lambda limit: limit["first_hit_s"])


def limit_words(limit_id: str) -> str:
    words = str(limit_id).split("_")
    return " ".join(WORDS.get(w, w) for w in words) if words else str(limit_id)


def describe(limit: dict, names: dict[str, str]) -> str:
    """'Lambda concurrency, account-wide: first hit at 61.2 s, 1,234 refused'."""
    scope = limit.get("scope", "account")
    where = "account-wide" if scope == "account" else f"at {names.get(scope, scope)}"
    return (f"{limit_words(limit.get('limit', '?'))}, {where}: first hit at {float(limit.get('first_hit_s', 0)):,.1f} s, "
            f"{fmt_count(limit.get('throttled', 0))} refused or delayed")


def limits_by_node(limits: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for limit in limits:
        scope = limit.get("scope", "account")
        if scope != "account":
            out.setdefault(scope, []).append(limit)
    return out


class LimitsStrip(QLabel):
    """'Limits hit: …' above the table; hidden when the run hit none. A node's name is a
    link: clicking it selects the node."""

    node_clicked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("limitsStrip")
        self.setWordWrap(True)
        self.setTextFormat(self.textFormat().RichText)
        self.linkActivated.connect(lambda href: self.node_clicked.emit(href.removeprefix("node:")))
        self.limits: list[dict] = []
        self.scale = 1.0
        self.restyle()
        self.hide()

    def set_limits(self, limits: list[dict], names: dict[str, str]) -> None:
        self.limits = list(limits)
        if not self.limits:
            self.clear()
            self.hide()
            return
        t = theme.current()
        parts = []
        for limit in self.limits[:4]:
            scope = limit.get("scope", "account")
            where = ("account-wide" if scope == "account" else
                     f"at <a style='color:{t.note_text}' href='node:{html.escape(scope)}'>"
                     f"{html.escape(names.get(scope, scope))}</a>")
            parts.append(f"<b>{html.escape(limit_words(limit.get('limit', '?')))}</b> {where} from "
                         f"{float(limit.get('first_hit_s', 0)):,.1f} s ({fmt_count(limit.get('throttled', 0))})")
        more = f" · and {len(self.limits) - 4} more" if len(self.limits) > 4 else ""
        self.setText("⚠ Limits hit, first first: " + " · ".join(parts) + more)
        self.setToolTip("\n".join(describe(limit, names) for limit in self.limits))
        self.show()

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.restyle()

    def restyle(self) -> None:
        t = theme.current()
        self.setStyleSheet(f"background: {t.note_fill}; color: {t.note_text}; padding: 4px 8px; border-radius: 4px;"
                           f" font-size: {9 * self.scale:.1f}pt;")
