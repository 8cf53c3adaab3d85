"""`sandbox`: run moto's AWS-compatible server on 127.0.0.1 in the foreground until Ctrl-C.

Deploy into it with `python main.py deploy DESIGN --endpoint-url URL`; the GUI can use the
same URL. It keeps its resources only while it runs (in memory).
"""

from __future__ import annotations

import time


def register(sub) -> None:
    parser = sub.add_parser("sandbox", help="run a local AWS sandbox (moto) until Ctrl-C")
    parser.add_argument("--port", type=int, default=5000, help="port on 127.0.0.1 (default 5000; 0: any free port)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from exporters.deploy import sandbox
    from model.errors import StratusError

    try:
        server, url = sandbox.start(args.port or None)
    except OSError as exc:
        raise StratusError(f"cannot start the sandbox on 127.0.0.1:{args.port}: {exc}") from exc
    print(f"Sandbox running at {url} (in memory; Ctrl-C stops it and forgets everything)\n"
          f"Deploy into it:  python main.py deploy DESIGN --endpoint-url {url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nSandbox stopped.")
    finally:
        server.stop()
    return 0
