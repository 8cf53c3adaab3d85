"""The deploy dialog's Cancel button, against moto's server the dialog starts on 127.0.0.1:
a deploy stops after the current resource, the log says so, and the buttons come back."""

import pytest

from model.designfile import load_design
from tests.conftest import EXAMPLES_DIR

pytestmark = pytest.mark.slow
DESIGN = EXAMPLES_DIR / "orders_api.yaml"


@pytest.fixture
def dialog(qtbot):
    from designer.deploy_dialog import DeployDialog

    dialog = DeployDialog(load_design(DESIGN), str(DESIGN))
    qtbot.addWidget(dialog)
    yield dialog
    dialog.reject()


def click_cancel_on_first_step(qtbot, dialog) -> None:
    """Press Cancel as soon as the first resource is reported done (events reach the GUI in order)."""
    from PySide6.QtCore import Qt

    from exporters.deploy.events import StepFinished

    def on_event(event) -> None:
        if isinstance(event, StepFinished) and dialog.cancel_button.isEnabled():
            dialog.relay.event.disconnect(on_event)  # once: later runs must go to the end
            qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)

    dialog.relay.event.connect(on_event)


def test_cancel_stops_a_deploy_after_the_current_resource(qtbot, dialog):
    assert not dialog.cancel_button.isEnabled()  # nothing runs yet
    click_cancel_on_first_step(qtbot, dialog)
    with qtbot.waitSignal(dialog.applied, timeout=120000) as blocker:
        assert dialog.run_deploy()
        assert dialog.cancel_button.isEnabled() and not dialog.deploy_button.isEnabled()
    result = blocker.args[0]
    total = len(dialog.plan.changes)
    assert result.cancelled and not result.ok and 1 <= len(result.done) < total
    log = dialog.log_text()
    assert "Cancelling after the current resource…" in log
    assert (f"Deploy cancelled after {len(result.done)} of {total} steps: run deploy again to finish, "
            "or destroy to remove what was created") in log
    assert log.count("cancelled after") == 1  # said once, by the finished handler
    qtbot.waitUntil(lambda: dialog.deploy_button.isEnabled(), timeout=5000)
    assert dialog.plan_button.isEnabled() and dialog.destroy_button.isEnabled()
    assert not dialog.cancel_button.isEnabled()
    # what the cancelled deploy made is in the state file: destroy removes exactly that
    with qtbot.waitSignal(dialog.destroyed, timeout=120000) as blocker:
        assert dialog.run_destroy()
    gone = blocker.args[0]
    assert gone.ok and len(gone.deleted) == len(result.done), (gone, result.done)


def test_closing_while_busy_asks_the_deploy_to_stop(qtbot, dialog):
    assert dialog.run_deploy()
    assert dialog.job.busy()
    dialog.reject()  # done(): requests cancel, then waits for the worker
    assert "Cancelling after the current resource…" in dialog.log_text()
    assert dialog.job.wait(0)  # the worker has ended
    assert not dialog.request_cancel()  # nothing left to cancel once it is over
