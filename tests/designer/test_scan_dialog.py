"""File > Scan AWS Account…, driven through real clicks against moto's server on 127.0.0.1
with the orders_api example deployed: the scan runs in the background with a progress bar,
the scanned design opens in the window with its report; Cancel stops a scan and nothing is
written; a malformed form says what is wrong."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.moto_sandbox import moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    from tests.importers.account.helpers import deploy, put_metrics

    with moto_server() as url:
        arch = deploy(url, "orders_api", tmp_path_factory.mktemp("deployed"))
        put_metrics(url, arch)
        yield url, arch


def open_scan_dialog(qtbot, window):
    """Click File > Scan AWS Account… as a user would, and return the dialog it opens."""
    from designer.scan_dialog import ScanDialog

    file_menu = next(m for m in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
                     if m.title() == "&File")
    action = next(a for a in file_menu.actions() if a.text() == "Scan AWS &Account…")
    action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ScanDialog) and w.isVisible())
    qtbot.waitExposed(dialog)
    return dialog


def fill(qtbot, dialog, url: str, output, tag: str = "stratus:design=Orders API") -> None:
    qtbot.keyClicks(dialog.endpoint, url)
    qtbot.mouseClick(dialog.scope_buttons["tag"], Qt.LeftButton)
    qtbot.keyClicks(dialog.tag, tag)
    dialog.since.setValue(24)
    dialog.output.clear()
    qtbot.keyClicks(dialog.output, str(output))


def test_scan_opens_the_calibrated_design_with_its_report(qtbot, window, account, tmp_path):
    from designer.import_action import ImportReportDialog

    url, _arch = account
    dialog = open_scan_dialog(qtbot, window)
    assert not dialog.cancel_button.isEnabled()
    output = tmp_path / "orders.yaml"
    fill(qtbot, dialog, url, output)
    steps = []
    dialog.relay.progress.connect(lambda p: steps.append((p.step, p.total, dialog.progress.value())))
    with qtbot.waitSignal(dialog.scanned, timeout=120_000):
        qtbot.mouseClick(dialog.scan_button, Qt.LeftButton)
        assert dialog.cancel_button.isEnabled() and not dialog.scan_button.isEnabled()
    assert steps and steps[-1][0] == steps[-1][1]  # the bar reached its end
    assert output.exists() and (tmp_path / "orders.observed.orders_api.csv").exists()
    qtbot.waitUntil(lambda: window.documents.path == str(output.resolve()), timeout=5000)
    arch = window.arch
    assert len(arch.nodes) == 9 and len(arch.edges) == 11
    assert {s.name for s in arch.scenarios} == {"observed", "peak hour"}
    assert all(window.scene.node_item(n) is not None for n in arch.nodes)
    reports = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportReportDialog) and w.isVisible()]
    assert reports and any(line.startswith("Nodes created (9)") for line in reports[0].lines())
    for report in reports:
        report.close()


def test_cancel_stops_the_scan_and_writes_nothing(qtbot, window, account, tmp_path):
    url, _arch = account
    dialog = open_scan_dialog(qtbot, window)
    output = tmp_path / "cancelled.yaml"
    fill(qtbot, dialog, url, output)

    def cancel_on_first_step(progress) -> None:
        if progress.step == 1:
            qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)

    dialog.relay.progress.connect(cancel_on_first_step)
    with qtbot.waitSignal(dialog.scan_cancelled, timeout=120_000):
        qtbot.mouseClick(dialog.scan_button, Qt.LeftButton)
    assert "Cancelling at the next AWS call…" in dialog.log_text()
    assert "Scan cancelled: nothing was written" in dialog.log_text()
    assert not output.exists()
    qtbot.waitUntil(lambda: dialog.scan_button.isEnabled(), timeout=5000)
    assert not dialog.cancel_button.isEnabled()
    dialog.reject()


def test_a_malformed_tag_is_refused_before_anything_runs(qtbot, window, account, tmp_path):
    url, _arch = account
    dialog = open_scan_dialog(qtbot, window)
    fill(qtbot, dialog, url, tmp_path / "x.yaml", tag="no-equals-sign")
    qtbot.mouseClick(dialog.scan_button, Qt.LeftButton)
    assert not dialog.job.busy()
    assert "a tag to scan for is KEY=VALUE" in dialog.log_text()
    dialog.reject()
