"""Seconds to plan, apply, re-plan and destroy each example in a local sandbox (run by hand).

    .venv/bin/python benchmarks/deploy_sandbox.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exporters.deploy import apply, destroy, plan, sandbox  # noqa: E402
from model.designfile import load_design  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


def main() -> None:
    print(f"{'example':<24}{'resources':>10}{'apply s':>9}{'replan s':>9}{'destroy s':>10}")
    with sandbox.running() as url, tempfile.TemporaryDirectory() as tmp:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            arch, session = load_design(path), sandbox.session()
            state = Path(tmp) / f"{path.stem}.json"
            t0 = time.perf_counter()
            result = apply(arch, session, state, endpoint_url=url, design_dir=EXAMPLES)
            t1 = time.perf_counter()
            again = plan(arch, session, state_path=state, endpoint_url=url, design_dir=EXAMPLES)
            t2 = time.perf_counter()
            gone = destroy(arch, session, state, endpoint_url=url)
            t3 = time.perf_counter()
            assert result.ok and not again.changes and gone.ok, (result.error, gone.errors)
            print(f"{path.stem:<24}{len(result.done):>10}{t1 - t0:>9.2f}{t2 - t1:>9.2f}{t3 - t2:>10.2f}")


if __name__ == "__main__":
    main()
