"""ui/admission.py: at most ``slots`` page runs at once, none waits past ``wait_s``; installed
around Streamlit's script runs."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from ui import admission


def _crowd(gate: admission.Gate, n: int) -> tuple[int, list[threading.Thread], threading.Event]:
    """Start ``n`` runs that hold until released; returns how many got inside after 0.3 s."""
    inside, lock, release = [0], threading.Lock(), threading.Event()

    def hold() -> None:
        with lock:
            inside[0] += 1
        release.wait(10)

    threads = [threading.Thread(target=gate.run, args=(hold,)) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    with lock:
        got = inside[0]
    return got, threads, release


def test_gate_admits_slots_runs_then_the_rest() -> None:
    gate = admission.Gate(2, wait_s=30)
    got, threads, release = _crowd(gate, 5)
    assert got == 2  # three wait for a slot
    release.set()
    for t in threads:
        t.join(10)
    assert gate.overruns == 0 and not any(t.is_alive() for t in threads)


def test_a_run_waits_at_most_wait_s() -> None:
    gate = admission.Gate(1, wait_s=0.05)
    got, threads, release = _crowd(gate, 3)
    assert got == 3 and gate.overruns == 2  # the slot is held: the others went ahead after 50 ms
    release.set()
    for t in threads:
        t.join(10)


def test_slots_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(admission.SLOTS_ENV, "3")
    assert admission.default_slots() == 3
    monkeypatch.setenv(admission.SLOTS_ENV, "0")
    assert admission.default_slots() == 0
    monkeypatch.delenv(admission.SLOTS_ENV)
    assert admission.default_slots() >= 2


def _page() -> None:
    import streamlit as st

    st.write("ok")


def test_every_script_run_passes_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    import ui.shell  # noqa: F401  (installs the gate, as every page does)

    gate = getattr(ScriptRunner._run_script, admission.GATE_ATTR)
    assert isinstance(gate, admission.Gate) and admission.install() is gate  # once per process
    calls = []
    real = gate.run
    monkeypatch.setattr(gate, "run", lambda fn: calls.append(1) or real(fn))
    at = AppTest.from_function(_page).run()
    assert not at.exception and at.markdown[0].value == "ok"
    assert calls == [1]
