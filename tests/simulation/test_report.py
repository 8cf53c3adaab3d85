"""The HTML report: self-contained, one inline SVG per plot, user text escaped, well formed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from model.architecture import Architecture, Load, Node, Scenario
from simulation.cost import estimate_cost
from simulation.report import PLOTS, render_report, write_report

EVIL = "<script>alert('x')</script> & $5"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _arch() -> Architecture:
    arch = Architecture("Shop <b>&</b> co")
    arch.add_node(Node("api", "api_gateway", {"api_type": "http"}, label="Front door"))
    arch.add_node(Node("fn", "lambda", {"memory_mb": 512}, label=EVIL))
    arch.add_node(Node("queue", "sqs", {}))
    arch.add_node(Node("table", "dynamodb", {}))
    arch.add_scenario(Scenario("peak <hour>", 60, 3, [Load("api", "poisson", {"rate_rps": 20})]))
    return arch


def _node(requests: int) -> dict:
    return {"requests": requests, "completed": requests - 3, "throttled": 2, "errors": 1, "cold_starts": 4,
            "latency_ms": {"mean": 12.5, "p50": 10, "p95": 30, "p99": 60, "max": 200},
            "mean_concurrency": 1.5, "max_concurrency": 7, "mean_instances": 3.2}


def _result(arch: Architecture) -> dict:
    t = list(range(60))
    wave = [(i % 10) + 1 for i in t]
    series = {
        "api": {"throughput": [20] * 60, "concurrency": [0] * 60, "backlog": [0] * 60, "throttled": [0] * 60,
                "cold_starts": [0] * 60, "errors": [0] * 60},
        "fn": {"throughput": wave, "concurrency": [w / 2 for w in wave], "backlog": [0] * 60,
               "throttled": [0] * 60, "cold_starts": [1 if i % 15 == 0 else 0 for i in t], "errors": [0] * 60},
        "queue": {"throughput": wave, "concurrency": [0] * 60, "backlog": wave, "throttled": [0] * 60,
                  "cold_starts": [0] * 60, "errors": [0] * 60},
    }
    usage = {"api": {"requests": 1200}, "fn": {"requests": 1200, "duration_gb_s": 30.0},
             "queue": {"requests": 400}, "table": {"read_units": 2400}}
    return {
        "scenario": "peak <hour>", "seed": 3, "duration_s": 60,
        "nodes": {"api": _node(1200), "fn": _node(1200), "queue": dict(_node(400), max_backlog=10),
                  "table": _node(2400)},
        "entries": {"api": {"requests": 1200, "succeeded": 1190, "failed": 10,
                            "latency_ms": {"mean": 40, "p50": 30, "p95": 90, "p99": 150, "max": 400},
                            "histogram": {"edges_ms": [1, 2, 5, 10, 20, 50, 100, 200, 500],
                                          "counts": [5, 40, 200, 500, 300, 100, 40, 15]}}},
        "cost": estimate_cost(arch, usage, 60).to_json(),
        "timeseries": {"bucket_s": 1.0, "t_s": t, "nodes": series},
        "assumptions": ["Lambda CPU share grows with memory_mb."],
        "limits": [{"limit": "api_gateway_account_rps", "scope": "account", "first_hit_s": 0.83,
                    "throttled": 25000},
                   {"limit": "lambda_concurrency", "scope": "fn", "first_hit_s": 12.5, "throttled": 7}],
    }


class _Balanced(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


@pytest.fixture(scope="module")
def page() -> str:
    arch = _arch()
    return render_report(_result(arch), arch)


def test_page_is_self_contained(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<link" not in page and "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # SVG's url(#clip-id) points inside the page
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", page)  # only in-page references
    assert "<script" not in page.lower()


def test_one_inline_svg_per_plot(page):
    figures = re.findall(r'<figure class="plot" id="plot-([\w-]+)">(.*?)</figure>', page, re.S)
    assert [plot_id for plot_id, _ in figures] == ["latency", "throughput", "concurrency", "backlog",
                                                   "cold-starts", "cost"]
    assert len(figures) == len(PLOTS)
    assert all(body.count("<svg") == 1 for _, body in figures)
    assert page.count("<svg") == len(PLOTS)
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_user_text_is_escaped_everywhere(page):
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page  # in the tables and, escaped by matplotlib, in the SVG legends
    assert "Shop &lt;b&gt;&amp;&lt;/b&gt; co" in page
    assert "peak &lt;hour&gt;" in page and "<hour>" not in page


def test_page_parses_as_balanced_html(page):
    parser = _Balanced()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert {"html", "head", "body", "table", "svg", "style"} <= set(parser.tags)


def test_page_shows_the_run_the_tables_and_the_assumptions(page):
    for text in ("Seed", "Simulated", "60 s", "p99 (ms)", "Max backlog (msgs)", "Cost ($/month)",
                 "Lambda CPU share grows with memory_mb.", "Free tier not applied", "poisson"):
        assert text in page, text
    total = re.search(r"Total: <strong>\$([\d,.]+)</strong>", page)
    assert total is not None and float(total.group(1).replace(",", "")) > 0


def test_missing_series_give_a_note_instead_of_a_plot():
    arch = _arch()
    data = _result(arch)
    del data["timeseries"]
    data["entries"]["api"].pop("histogram")
    page = render_report(data, arch)
    assert page.count("<svg") == 1  # only the cost chart is left
    assert "No latency histogram in this result." in page and "No cold starts in this run." in page


def test_write_report_accepts_a_result_object_and_is_deterministic(tmp_path):
    arch = _arch()
    data = _result(arch)

    class FakeResult:
        def to_json(self):
            return data

    first, second = tmp_path / "a.html", tmp_path / "b.html"
    write_report(FakeResult(), arch, str(first))
    write_report(data, arch, str(second))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert first.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_limits_hit_name_the_limit_its_scope_and_when(page):
    section = page.split("<h2>Limits hit</h2>")[1].split("</section>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    assert len(rows) == 2
    assert "<code>api_gateway_account_rps</code>" in rows[0] and "Account and region" in rows[0]
    assert "API Gateway account throttle" in rows[0] and "0.8" in rows[0] and "25,000" in rows[0]
    assert "lambda_concurrency" in rows[1] and "&lt;script&gt;alert(" in rows[1] and "12.5" in rows[1]


def test_no_limit_hit_says_so():
    arch = _arch()
    data = _result(arch)
    data["limits"] = []
    assert "None: no AWS limit refused or delayed work in this run." in render_report(data, arch)
