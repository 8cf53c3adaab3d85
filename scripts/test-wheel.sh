#!/usr/bin/env bash
# The product as a user installs it: build the wheel, install it into a fresh virtual
# environment outside the source tree, and from a directory that is not the source tree
#   1. `stratus simulate` an example taken from the installed package: the monthly cost is > 0
#      (so the price file shipped);
#   2. the designer finds every service icon and the example designs in the installed package.
# Usage: [PYTHON=python3] scripts/test-wheel.sh       (`make test-wheel`; `make test` runs it)
# Packages come from pip's configured index; pip's cache makes every run after the first fast.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/stratus-wheel.XXXXXX")
venv="$work/venv"
unset PYTHONPATH  # nothing may come from the source tree

fail() {
  echo "test-wheel FAILED: $*" >&2
  rm -rf "$venv"  # half a gigabyte; the wheel and the outputs are enough to look into it
  echo "test-wheel: the wheel and the outputs are kept in $work" >&2
  exit 1
}
step() { echo "test-wheel [${SECONDS}s]: $*"; }
trap 'status=$?; [ $status -eq 0 ] && rm -rf "$work"; exit $status' EXIT

step "creating a fresh virtual environment in $venv"
"$python" -m venv "$venv" || fail "'$python -m venv' failed (on Debian: apt-get install python3-venv)"

step "building the wheel"
# The fresh environment's pip builds it too, so this step needs nothing but $python.
wheel=$("$venv/bin/python" "$source_dir/scripts/build_wheel.py" "$work/dist") \
  || fail "the wheel did not build (pip's output above)"

step "installing $(basename "$wheel") and its dependencies"
# -qq: errors still show, not a warning per package about an index a machine lacks.
# --no-compile: bytecode is not what this checks, and compiling every dependency takes long.
"$venv/bin/python" -m pip install -qq --no-compile --disable-pip-version-check "$wheel" \
  || fail "pip could not install $wheel into a fresh environment (pip's output above)"

mkdir "$work/run"
cd "$work/run"

step "stratus simulate, from $work/run"
"$venv/bin/python" -c 'import shutil, assets; shutil.copy(assets.EXAMPLES_DIR / "orders_api.yaml", ".")' \
  || fail "the installed package has no assets/examples/orders_api.yaml"
"$venv/bin/stratus" simulate orders_api.yaml --json out.json >simulate.log 2>&1 \
  || { cat simulate.log >&2; fail "'stratus simulate orders_api.yaml --json out.json' failed from the installed wheel"; }
monthly=$("$venv/bin/python" -c 'import json; print(json.load(open("out.json"))["cost"]["monthly_usd"])') \
  || fail "out.json has no cost.monthly_usd"
"$venv/bin/python" -c "import sys; sys.exit(not float('$monthly') > 0)" \
  || fail "the installed stratus priced orders_api.yaml at \$$monthly a month (is the price file in the wheel?)"
step "orders_api.yaml costs \$$monthly a month"

step "the designer's icons and examples, from the installed package (Qt offscreen)"
QT_QPA_PLATFORM=offscreen "$venv/bin/python" - <<'EOF' || fail "the designer does not find its files in the installed package (above)"
import sys
import sysconfig
from pathlib import Path

from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

app = QApplication([])

import assets
from designer import icons, main_window
from designer.gallery import GalleryDialog
from model.catalogue import SERVICES

installed = Path(sysconfig.get_paths()["purelib"]).resolve()
problems = [f"{module.__name__} comes from {module.__file__}, not from {installed}"
            for module in (assets, icons, main_window)
            if installed not in Path(module.__file__).resolve().parents]
for key in SERVICES:
    path = icons.icon_path(key)
    if not path.is_file():
        problems.append(f"no icon for {key}: {path} is missing")
    elif not QSvgRenderer(str(path)).isValid():
        problems.append(f"the icon for {key} is not a valid SVG: {path}")
examples = sorted(main_window.EXAMPLES_DIR.glob("*.yaml"))
shown = GalleryDialog(main_window.EXAMPLES_DIR).list.count()
if not examples or shown != len(examples):
    problems.append(f"the example gallery shows {shown} of {len(examples)} designs in {main_window.EXAMPLES_DIR}")
for problem in problems:
    print(problem, file=sys.stderr)
if not problems:
    print(f"{len(SERVICES)} service icons and {shown} examples found in {assets.ASSETS_DIR}")
sys.exit(1 if problems else 0)
EOF

step "OK: the wheel installs, simulates with a price and shows its icons"
