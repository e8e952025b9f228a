"""Drive a real ``streamlit run`` server with websocket clients (no browser, no network: 127.0.0.1).

Each client speaks Streamlit's own protocol: it connects to ``/_stcore/stream``, sends one
``rerun_script`` BackMsg (query string and page, as a browser does on load) and reads ForwardMsgs
until ``script_finished``. That yields what the page sends to the browser (bytes of every
message, uncompressed, plus a deflate estimate of the wire size) and, with the server's RSS read
from /proc, the memory cost of each open session. Clients stay connected, so their sessions
stay alive on the server, as open browser tabs would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# What a fresh checkout needs to run the app (no data, no caches).
APP_FILES = ("app.py", "analytics", "ui", "seeds", "geodata", "static", "pages", ".streamlit")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class PageLoad:
    """One page run as a browser session sees it."""

    seconds: float
    bytes: int  # every ForwardMsg, uncompressed
    deflate_bytes: int  # the same stream compressed with zlib (~ permessage-deflate on the wire)
    by_element: dict[str, int] = field(default_factory=dict)
    exception: str | None = None


class Server:
    """A ``streamlit run app.py`` subprocess on a free local port."""

    def __init__(self, cwd: Path, env: dict[str, str | None] | None = None, start_timeout: float = 120,
                 script: str = "app.py") -> None:
        """``env``: variables to set, or to remove (value None), for the server process;
        ``script``: the main script, relative to ``cwd``."""
        self.port = free_port()
        self.cwd = Path(cwd)
        full_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        self.t_launch = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=self.cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + start_timeout
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"streamlit exited: {err[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("streamlit did not start")
            time.sleep(0.05)
        self.ready_s = time.perf_counter() - self.t_launch
        self.sockets: list[object] = []
        self.deflate = False  # whether the websocket negotiated permessage-deflate (wire compression)

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def connect(self) -> Any:
        """A websocket speaking Streamlit's protocol, as a browser tab opens one."""
        import websockets

        ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=f"http://127.0.0.1:{self.port}", max_size=None, open_timeout=60,  # type: ignore[arg-type]
        )
        response = getattr(ws, "response", None)
        extensions = getattr(response, "headers", {}).get("Sec-WebSocket-Extensions", "")
        self.deflate = "permessage-deflate" in str(extensions)
        return ws

    async def run_page(self, ws: Any, query: str = "", page: str = "", timeout: float = 600) -> PageLoad:
        """Ask an open session to run a page (a navigation or a shared link); read until it finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        t0 = time.perf_counter()
        await ws.send(msg.SerializeToString())
        raw: list[bytes] = []
        by_element: dict[str, int] = {}
        exception = None
        while True:
            data = await asyncio.wait_for(ws.recv(), timeout)
            assert isinstance(data, bytes)
            raw.append(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element.WhichOneof("type") or "?"
                by_element[el] = by_element.get(el, 0) + len(data)
                if el == "exception":
                    exception = fm.delta.new_element.exception.message
            if kind == "page_not_found":
                exception = f"page not found: {page}"
            if kind == "script_finished":
                break
        seconds = time.perf_counter() - t0
        total = sum(len(b) for b in raw)
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = sum(len(comp.compress(b)) + len(comp.flush(zlib.Z_SYNC_FLUSH)) for b in raw)
        return PageLoad(seconds, total, deflated, by_element, exception)

    async def load(self, query: str = "", page: str = "", keep: bool = True, timeout: float = 600) -> PageLoad:
        """Open a session, run one page, return what was sent; the session stays open if ``keep``."""
        ws = await self.connect()
        page_load = await self.run_page(ws, query, page, timeout)
        if keep:
            self.sockets.append(ws)
        else:
            await ws.close()
        return page_load

    async def close_sessions(self) -> None:
        for ws in self.sockets:
            with contextlib.suppress(Exception):
                await ws.close()  # type: ignore[attr-defined]
        self.sockets.clear()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(20)


@contextlib.contextmanager
def running(cwd: Path, env: dict[str, str | None] | None = None) -> Iterator[Server]:
    server = Server(cwd, env)
    try:
        yield server
    finally:
        server.stop()


def _settle() -> None:
    time.sleep(0.3)


async def _sessions(server: Server, n: int, views: list[str]) -> dict:
    """RSS before any session, after one, after n on the same view, then n on distinct views."""
    rss0 = server.rss()
    first = await server.load()
    if first.exception:
        raise RuntimeError(f"map page failed: {first.exception}")
    _settle()
    rss1 = server.rss()
    for _ in range(n - 1):
        await server.load()
    _settle()
    rss_n = server.rss()
    for i in range(n):
        await server.load(views[i % len(views)])
    _settle()
    rss_2n = server.rss()
    hexes = await server.load("hex=1", keep=False)
    trial = await server.load(page="trial", keep=False)
    _settle()
    rss_trial = server.rss()  # the trial page scans the case table: DuckDB's buffer pool grows
    await server.close_sessions()
    mb = 1024 * 1024
    return {
        "sessions": n,
        "server_ready_s": round(server.ready_s, 3),
        "first_page_s": round(first.seconds, 3),
        "rss_idle_mb": round(rss0 / mb, 1),
        "rss_1_session_mb": round(rss1 / mb, 1),
        f"rss_{n}_sessions_mb": round(rss_n / mb, 1),
        "per_extra_session_mb": round((rss_n - rss1) / max(n - 1, 1) / mb, 2),
        f"rss_{2 * n}_sessions_distinct_views_mb": round(rss_2n / mb, 1),
        "per_extra_session_distinct_views_mb": round((rss_2n - rss_n) / n / mb, 2),
        "rss_after_trial_page_mb": round(rss_trial / mb, 1),
        "payload": {
            "websocket_permessage_deflate": server.deflate,
            "map_page_bytes": first.bytes,
            "map_page_deflate_bytes": first.deflate_bytes,
            "map_page_hex_bytes": hexes.bytes,
            "map_page_hex_deflate_bytes": hexes.deflate_bytes,
            "trial_page_bytes": trial.bytes,
            "trial_page_deflate_bytes": trial.deflate_bytes,
            "map_page_by_element": first.by_element,
            "map_page_hex_by_element": hexes.by_element,
            "trial_page_by_element": trial.by_element,
            "trial_page_seconds": round(trial.seconds, 3),
            "trial_page_error": trial.exception,
        },
    }


def measure_sessions(db: Path, n: int = 10, views: list[str] | None = None) -> dict:
    """Memory per session and page payloads on a real server serving the store ``db``."""
    views = views or ["y=2024"]
    with running(ROOT, {"SHUZHU_DB": str(db)}) as server:
        return asyncio.run(_sessions(server, n, views))


def copy_app(dest: Path) -> Path:
    """A fresh checkout of the app (code only, no data, no bytecode) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.duckdb*", "*.lock")
    for name in APP_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


async def _first_map(server: Server, timeout: float) -> PageLoad:
    page = await server.load(keep=False, timeout=timeout)
    if page.exception or "deck_gl_json_chart" not in page.by_element:
        raise RuntimeError(f"the map was not shown: {page.exception}")
    return page


def measure_startup(workdir: Path, scale: float = 1.0, timeout: float = 900) -> dict:
    """First start on a fresh checkout (store generated, map shown) and a later start.

    At scale 1.0 (the app's default data set) the first start is measured end to end: the
    server starts without a store, the first session generates it and draws the map. At another
    scale (quick runs) the store is generated with ``python -m seeds.generate --scale`` in a fresh
    interpreter and that time is added to the first server start ("composed").
    """
    app = copy_app(workdir / "app")
    # The copy must use its own default store (data/shuzhu.duckdb under the copy).
    env_clean: dict[str, str | None] = {"SHUZHU_DB": None, "SHUZHU_CONFIG": str(app / "absent.toml")}
    out: dict = {"scale": scale}
    if scale == 1.0:
        out["method"] = "server: first session generates the default store, then draws the map"
        with running(app, env_clean) as server:
            asyncio.run(_first_map(server, timeout))
            out["cold_start_s"] = round(time.perf_counter() - server.t_launch, 2)
    else:
        out["method"] = "composed: seeds.generate in a fresh interpreter + first server start"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "seeds.generate", "--scale", str(scale),
                        "--out", str(app / "data" / "shuzhu.duckdb")],
                       cwd=app, check=True, stdout=subprocess.DEVNULL, timeout=timeout)
        gen = time.perf_counter() - t0
        with running(app, env_clean) as server:
            asyncio.run(_first_map(server, timeout))
            out["cold_start_s"] = round(gen + time.perf_counter() - server.t_launch, 2)
        out["generate_s"] = round(gen, 2)
    # Later start: launch to the map sent (server stop not counted); the slower of two starts.
    warm = []
    for _ in range(2):
        with running(app, env_clean) as server:
            page = asyncio.run(_first_map(server, timeout))
            warm.append((time.perf_counter() - server.t_launch, server.ready_s, page.seconds))
    worst = max(warm)
    out["warm_start_s"] = round(worst[0], 2)
    out["warm_server_ready_s"] = round(worst[1], 2)
    out["warm_first_page_s"] = round(worst[2], 2)
    out["warm_starts_s"] = [round(w[0], 2) for w in warm]
    store = app / "data" / "shuzhu.duckdb"
    out["default_store_bytes"] = store.stat().st_size if store.is_file() else None
    return out
