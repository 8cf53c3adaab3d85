"""Where a sweep's replications run: any `concurrent.futures.Executor` will do; these are
the two Stratus opens itself.

- `local_executor()`: a process pool over this machine's cores, started with forkserver
  (or spawn) rather than fork, so it is safe when the caller has threads (the GUI, a Dask
  client); its workers leave Ctrl-C to the parent, which stops them (`stop_executor`).
- `dask_executor(address)`: the executor of a Dask distributed cluster, and a function
  that closes the connection.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from typing import Callable

from model.errors import StratusError

PRELOADED = ["simulation.engine", "simulation.sweep"]  # imported once by the forkserver


def _ignore_interrupts() -> None:
    """Pool workers leave Ctrl-C to the parent, which cancels the sweep and stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_executor(workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A process pool over `workers` cores (all by default), started with forkserver (or
    spawn) rather than fork: safe when the caller has threads (the GUI, a Dask client)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(PRELOADED)
    return cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context,
                                  initializer=_ignore_interrupts)


def stop_executor(executor: cf.Executor) -> None:
    """Cancel what has not started and stop a local pool's workers now (Ctrl-C)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # no public API in 3.11
    executor.shutdown(wait=False, cancel_futures=True)  # (this forgets the processes: list them first)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def dask_executor(address: str) -> tuple[cf.Executor, Callable[[], None]]:
    """(the executor of the Dask scheduler at `address`, a function that disconnects)."""
    try:
        from distributed import Client  # optional: only sweeps on a cluster need it
    except ImportError:
        raise StratusError("a Dask cluster needs the 'distributed' package (pip install distributed)") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise StratusError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    return client.get_executor(pure=False), client.close
