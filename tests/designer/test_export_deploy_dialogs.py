"""Export dialog writes templates that validate; deploy dialog plans, applies and destroys
against moto's server on 127.0.0.1."""

import pytest
import yaml

from model.designfile import load_design
from tests.conftest import EXAMPLES_DIR

from designer.export_dialog import ExportDialog, validate_output


@pytest.fixture
def orders():
    return load_design(EXAMPLES_DIR / "orders_api.yaml")


def test_export_cloudformation_writes_a_file_cfn_lint_accepts(qtbot, orders, tmp_path):
    dialog = ExportDialog(orders, str(EXAMPLES_DIR / "orders_api.yaml"))
    qtbot.addWidget(dialog)
    dialog.set_format("cloudformation")
    preview = dialog.preview.toPlainText()
    assert "AWSTemplateFormatVersion" in preview and "CreateOrder" in preview
    out = tmp_path / "orders.yaml"
    with qtbot.waitSignal(dialog.validated, timeout=60000) as blocker:
        assert dialog.export_to(str(out)) == [str(out)]
    assert out.read_text() == preview  # the preview is exactly what was written
    findings = blocker.args[0]
    assert findings[0].severity == "ok" and "cfn-lint" in findings[0].text
    assert not [f for f in findings if f.severity == "error"]
    assert dialog.results.count() == len(findings)


def test_export_validation_reports_a_broken_template(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                   "    Properties: {NoSuchProperty: 1}\n")
    findings = validate_output("cloudformation", [str(bad)])
    assert any(f.severity == "error" and "NoSuchProperty" in f.text for f in findings)


def test_export_terraform_folder_parses(qtbot, orders, tmp_path):
    dialog = ExportDialog(orders, None)
    qtbot.addWidget(dialog)
    dialog.set_format("terraform")
    assert "resource \"aws_lambda_function\"" in dialog.preview.toPlainText()
    with qtbot.waitSignal(dialog.validated, timeout=30000) as blocker:
        written = dialog.export_to(str(tmp_path / "tf"))
    assert written and all(p.startswith(str(tmp_path / "tf")) for p in written)
    assert blocker.args[0][0].severity == "ok" and "python-hcl2" in blocker.args[0][0].text
