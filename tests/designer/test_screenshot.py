"""`python main.py gui DESIGN --screenshot OUT.png`, run as a user would (a subprocess)."""

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tests.conftest import EXAMPLES_DIR, ROOT

pytestmark = pytest.mark.gui


def run_gui(*args, cwd=ROOT):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "gui", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_screenshot_writes_a_1400x900_picture_of_the_design(tmp_path):
    out = tmp_path / "out.png"
    result = run_gui(str(EXAMPLES_DIR / "orders_api.yaml"), "--screenshot", str(out), "--select", "create_order")
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    colours = {image.pixel(x, y) for x in range(0, 1400, 9) for y in range(0, 900, 9)}
    assert len(colours) > 200  # icons, text and cards, not a blank window
    # The Lambda orange of the node icons is there (the canvas drew the design).
    assert any(abs(((c >> 16) & 255) - 0xED) < 12 and abs(((c >> 8) & 255) - 0x71) < 24 and (c & 255) < 40
               for c in colours)
    assert not list(tmp_path.glob("*.ini"))  # the screenshot left no settings behind


def test_screenshot_of_a_bad_file_prints_an_error_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("stratus: 1\nname: [unclosed\n")
    out = tmp_path / "out.png"
    result = run_gui(str(bad), "--screenshot", str(out))
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_select_names_a_node_or_an_edge_and_says_what_it_did_not_find():
    from designer.app import _selection
    from model.designfile import load_design

    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    assert _selection(arch, "create_order") == ("node", "create_order")
    kind, edge = _selection(arch, "orders_api -> get_order")
    assert kind == "edge" and (edge.source, edge.target) == ("orders_api", "get_order")
    assert _selection(arch, "get_order->orders_api") == "no such edge"
    assert _selection(arch, "nothing") == "no such node"


def test_a_selected_edge_is_found_in_the_windows_own_copy_and_shown(make_window):
    from designer.app import _in_window, _selection
    from model.designfile import load_design

    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    window = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))  # not the same objects
    window.select(_in_window(window.arch, _selection(arch, "orders_api->list_orders")))
    kind, edge = window.inspector.subject
    assert kind == "edge" and any(e is edge for e in window.arch.edges) and edge.target == "list_orders"


def test_screenshot_with_an_edge_selected_and_one_that_is_not_there(tmp_path):
    out = tmp_path / "edge.png"
    design = str(EXAMPLES_DIR / "orders_api.yaml")
    assert run_gui(design, "--screenshot", str(out), "--select", "orders_api->list_orders").returncode == 0
    assert QImage(str(out)).width() == 1400
    missing = run_gui(design, "--screenshot", str(tmp_path / "no.png"), "--select", "orders_api->nowhere")
    assert missing.returncode == 1
    assert "--select orders_api->nowhere: no such edge in" in missing.stderr
