"""At most a few page runs at a time: when many sessions open a link together, they are served
nearly in turn instead of all at once.

Streamlit runs each session's page in its own thread; a page run is mostly Python holding the
GIL, so 20 runs started together share one core and all finish near the end (each waits for the
other 19). Admitting ``slots`` runs at a time (one per core by default) and queueing the rest
gives the same total but half the median wait: measured with 20 websocket sessions opening the
map, trial, map together on the 10M store (benchmarks/pageload.py, alternating runs with
``SHUZHU_CONCURRENT_RUNS=0``), medians of the first map 1.40 s and 0.86 s without the gate, 0.57 s
and 0.47 s with two slots; of the trial page 2.36 s and 1.90 s, then 1.35 s and 1.19 s; the last
map waits longer (0.73 and 0.78 s, then 1.53 and 1.78 s) and everything is done at the same time.

A run never waits longer than ``wait_s`` for a slot: a long run (a report, an import) cannot hold
the others back for more than that; after it the waiting run goes ahead anyway.

Streamlit has no public hook around a script run, so ``install`` wraps
``ScriptRunner._run_script`` (Streamlit is pinned in requirements.txt; tests/test_admission.py
fails if the method moves or the wrapper is not in place).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

SLOTS_ENV = "SHUZHU_CONCURRENT_RUNS"  # 0 turns the gate off
WAIT_S = 2.0


def default_slots() -> int:
    """Runs admitted at once: ``SHUZHU_CONCURRENT_RUNS``, else the number of CPUs (at least 2)."""
    raw = os.environ.get(SLOTS_ENV, "").strip()
    if raw.isdigit():
        return int(raw)
    return max(2, os.cpu_count() or 2)


class Gate:
    """A counting gate: ``run(fn)`` calls ``fn`` once one of ``slots`` is free, or after
    ``wait_s`` seconds without one; counts how many runs waited past the limit."""

    def __init__(self, slots: int, wait_s: float = WAIT_S) -> None:
        self.slots, self.wait_s = slots, wait_s
        self._sem = threading.BoundedSemaphore(slots)
        self.overruns = 0  # runs that went ahead without a slot after wait_s

    def run(self, fn: Callable[[], Any]) -> Any:
        got = self._sem.acquire(timeout=self.wait_s)
        if not got:
            self.overruns += 1
        try:
            return fn()
        finally:
            if got:
                self._sem.release()


GATE_ATTR = "__wrapped_by_shuzhu__"  # on the wrapped method: its gate


def install(slots: int | None = None, wait_s: float = WAIT_S) -> Gate | None:
    """Put every Streamlit script run of this process through one ``Gate`` (once; later calls
    return the installed gate). ``slots`` 0 installs nothing."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    installed: Gate | None = getattr(ScriptRunner._run_script, GATE_ATTR, None)
    if installed is not None:
        return installed
    slots = default_slots() if slots is None else slots
    if slots <= 0:
        return None
    gate = Gate(slots, wait_s)
    original = ScriptRunner._run_script

    @functools.wraps(original)
    def _run_script(self: ScriptRunner, rerun_data: Any) -> None:
        return gate.run(lambda: original(self, rerun_data))

    setattr(_run_script, GATE_ATTR, gate)
    ScriptRunner._run_script = _run_script  # type: ignore[method-assign]
    return gate
