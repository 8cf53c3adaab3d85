"""checkov scans every export (all examples plus the every-edge designs, three formats) and
finds no failed check: what does not apply is skipped in the output with a written reason.

checkov runs from its own virtual environment (.venv-checkov, made by `make test`), offline,
once per framework over a folder holding every export: each run takes several seconds.
"""

from __future__ import annotations

import pytest

from exporters.cloudformation import export_template
from exporters.terraform import export_terraform
from tests.exporters.designs import every_edge_design, nasty_names_design
from tests.exporters.export_helpers import CHECKOV, examples, run_checkov

pytestmark = pytest.mark.slow

DESIGNS = examples() + [("every_edge_rest", every_edge_design("rest")), ("every_edge_http", every_edge_design("http")),
                        ("nasty_names", nasty_names_design())]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `make .venv-checkov/.installed` (make test does)")
    root = tmp_path_factory.mktemp("exports")
    for name, arch in DESIGNS:
        export_template(arch, str(root / "cloudformation" / f"{name}.yaml"))
        export_template(arch, str(root / "cloudformation" / f"{name}.sam.yaml"), sam=True)
        export_terraform(arch, str(root / "terraform" / name))
    return root


def _failures(report: dict) -> list[str]:
    return [f"{c['check_id']} {c['resource']} in {c['file_path']}: {c['check_name']}"
            for c in report["results"]["failed_checks"]]


def _skips_have_reasons(report: dict) -> None:
    for check in report["results"].get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) > 20, f"{check['check_id']} on {check['resource']} is skipped without a reason"


@pytest.mark.parametrize("framework", ["cloudformation", "terraform"])
def test_checkov_finds_no_failed_checks(exports, framework):
    report = run_checkov(exports / framework, framework)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] > 100  # it really read the exports
    assert report["summary"]["passed"] > 0
    assert _failures(report) == []
    _skips_have_reasons(report)
