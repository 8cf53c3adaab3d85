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
