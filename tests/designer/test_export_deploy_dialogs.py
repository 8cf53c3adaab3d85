"""Export dialog writes templates that validate; deploy dialog plans, applies and destroys
against moto's server on 127.0.0.1."""

import pytest

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


def test_deploy_dialog_plans_deploys_and_destroys_in_the_sandbox(qtbot, design):
    from designer.deploy_dialog import DeployDialog

    dialog = DeployDialog(design, None)
    qtbot.addWidget(dialog)
    assert dialog.target() == "sandbox"
    with qtbot.waitSignal(dialog.planned, timeout=60000) as blocker:
        assert dialog.run_plan()
    plan = blocker.args[0]
    assert dialog.plan_view.topLevelItemCount() == len(plan.items) > 0
    assert {dialog.plan_view.topLevelItem(i).text(0) for i in range(len(plan.items))} == {"create"}
    keys = {dialog.plan_view.topLevelItem(i).text(1) for i in range(len(plan.items))}
    assert any("handler" in k for k in keys) and any("orders" in k for k in keys)
    qtbot.waitUntil(lambda: dialog.deploy_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(dialog.applied, timeout=120000) as blocker:
        assert dialog.run_deploy()
    result = blocker.args[0]
    assert result.ok, result.error
    log = dialog.log_text()
    assert f"[{len(result.done)}/{len(result.done)}]" in log and "Deployed" in log
    # a second plan against the same sandbox finds everything in place
    qtbot.waitUntil(lambda: dialog.plan_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(dialog.planned, timeout=60000) as blocker:
        dialog.run_plan()
    assert not blocker.args[0].changes
    qtbot.waitUntil(lambda: dialog.destroy_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(dialog.destroyed, timeout=120000) as blocker:
        dialog.run_destroy()
    assert blocker.args[0].ok and len(blocker.args[0].deleted) == len(result.done)
    dialog.reject()


def test_deploy_to_aws_needs_typed_confirmation(qtbot, design):
    from designer.deploy_dialog import DeployDialog

    dialog = DeployDialog(design, None)
    qtbot.addWidget(dialog)
    dialog.set_target("aws", "nobody")
    assert not dialog.deploy_button.isEnabled() and not dialog.destroy_button.isEnabled()
    dialog.confirm.setText("wrong name")
    assert not dialog.deploy_button.isEnabled()
    dialog.confirm.setText(design.name)
    assert dialog.deploy_button.isEnabled() and dialog.destroy_button.isEnabled()
    dialog.reject()
