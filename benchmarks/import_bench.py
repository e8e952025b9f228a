"""Import throughput of ``analytics.importer``, each import in a child process of its own.

* ``bench_import``: a valid CSV export of ``rows`` generated cases (the target: 1,000,000 rows at
  ≥ 150,000 rows/s) into a store of ~1,700 cases: validation alone (a dry run), then validation +
  load + summary refresh in one transaction, and the peak memory of that process;
* ``bench_import_into``: an export of ``rows`` cases (20,000 by default: about a month of a city's
  courts) into a copy of the largest store: what an analyst waits for when the store already holds
  10M cases. The summary tables are rebuilt from the whole store in the import's transaction, so
  this figure is dominated by the store's size, not the export's (``refresh_s``).

Both set DuckDB's memory limit as the command line does (``importer.limit_memory``).
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

from analytics import store
from seeds import catalog
from seeds.generate import generate_cases

ROOT = Path(__file__).resolve().parents[1]

# argv: CSV path, store path ("-": a dry run, no store), project root. Prints one JSON line. Each
# import runs in a fresh process, as the command line's does: a process that has already read and
# freed a file of this size would reuse that memory instead of asking the system for it.
_CHILD = """
import json, resource, sys, time
from pathlib import Path

def peak_mb():
    # VmHWM: this process's own peak (ru_maxrss keeps the parent's peak across fork + exec)
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(ln.split()[1]) / 1024 for ln in fh if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.path.insert(0, sys.argv[3])
from analytics import importer, store, summary
data = Path(sys.argv[1]).read_bytes()
if sys.argv[2] == "-":
    t0 = time.perf_counter()
    dry = importer.import_file(None, data, "cases.csv", dry_run=True, max_mb=10_000)
    print(json.dumps({"dry_s": time.perf_counter() - t0, "accepted": dry.accepted, "rejected": dry.rejected}))
    sys.exit(0)
refresh_s = []
real_refresh = summary.refresh
def timed_refresh(con):
    t = time.perf_counter()
    try:
        return real_refresh(con)
    finally:
        refresh_s.append(time.perf_counter() - t)
summary.refresh = timed_refresh  # store.upsert_cases calls it inside the import's transaction
con = store.open_store(Path(sys.argv[2]), read_only=False)
importer.limit_memory(con)  # as shuzhu_import.py does
(limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
(before,) = con.execute("SELECT count(*) FROM cases").fetchone()
t0 = time.perf_counter()
full = importer.import_file(con, data, "cases.csv", max_mb=10_000)
full_s = time.perf_counter() - t0
con.close()
print(json.dumps({"full_s": full_s, "refresh_s": sum(refresh_s), "before": before,
                  "full_accepted": full.accepted, "full_rejected": full.rejected, "report_rows": len(full.report),
                  "inserted": full.inserted, "replaced": full.replaced, "unchanged": full.unchanged,
                  "kept": full.kept, "memory_limit": str(limit), "peak_rss_mb": peak_mb()}))
"""


def _csv(rows: int, seed: int, rows_at_scale_1: int, path: Path) -> int:
    """A CSV export (schema headers) of about ``rows`` generated cases; returns its number of rows."""
    df = generate_cases(seed, rows / rows_at_scale_1)
    cols = [c for c in df.columns if c not in ("h3_r7", "source")]
    path.write_bytes(df[cols].to_csv(index=False).encode("utf-8"))
    n = len(df)
    del df
    gc.collect()
    return n


def _child(csv_path: Path, db: Path | None) -> dict | str:
    """The child's figures (``db`` None: a dry run), or the reason it failed."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(csv_path), "-" if db is None else str(db), str(ROOT)],
                         capture_output=True, text=True, timeout=3600, check=False)
    if out.returncode != 0:
        return f"import child failed: {out.stderr.strip().splitlines()[-1:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_import(rows: int, workdir: Path, rows_at_scale_1: int) -> dict:
    """Rows per second: validation only, and validation + load (summary refresh included); peak memory."""
    csv_path = workdir / "import_cases.csv"
    n = _csv(rows, catalog.SEED + 1, rows_at_scale_1, csv_path)
    base = store.build_store(workdir / "import_base.duckdb", generate_cases(catalog.SEED + 2, 0.001),
                             {"dataset": "benchmark"})
    dry = _child(csv_path, None)
    got = dry if isinstance(dry, str) else _child(csv_path, base)
    if isinstance(got, str) or isinstance(dry, str):
        return {"skipped": got}
    dry_s, full_s = dry["dry_s"], got["full_s"]
    return {
        "rows": n, "csv_bytes": csv_path.stat().st_size, "accepted": dry["accepted"], "rejected": dry["rejected"],
        "validate_s": round(dry_s, 2), "validate_rows_per_s": round(n / dry_s),
        "import_s": round(full_s, 2), "import_rows_per_s": round(n / full_s), "refresh_s": round(got["refresh_s"], 2),
        "import_accepted": got["full_accepted"], "import_rejected": got["full_rejected"],
        "report_rows": got["report_rows"], "peak_rss_mb": round(got["peak_rss_mb"]),
        "store_rows_before": int(got["before"]), "inserted": got["inserted"], "memory_limit": got["memory_limit"],
        "method": "CSV from seeds (schema headers); in a child process import_file dry_run (no store: every "
                  "row noted or rejected for the year), then in another child process into a store of "
                  f"{int(got['before']):,} cases (read + validate + upsert + summary refresh; DuckDB "
                  f"memory_limit {got['memory_limit']} as the command line sets it); peak RSS of that process",
    }


def bench_import_into(db: Path, rows: int, workdir: Path, rows_at_scale_1: int) -> dict:
    """An export of ``rows`` cases into a copy of the store ``db`` (the largest): seconds, and the refresh's part."""
    csv_path = workdir / "import_into.csv"
    n = _csv(rows, catalog.SEED + 3, rows_at_scale_1, csv_path)
    copy = workdir / "import_into.duckdb"
    shutil.copyfile(db, copy)
    try:
        got = _child(csv_path, copy)
    finally:
        copy.unlink(missing_ok=True)
        Path(f"{copy}.wal").unlink(missing_ok=True)
    if isinstance(got, str):
        return {"skipped": got}
    return {
        "rows": n, "store_rows_before": int(got["before"]), "import_s": round(got["full_s"], 2),
        "refresh_s": round(got["refresh_s"], 2), "rows_per_s": round(n / got["full_s"]),
        "inserted": got["inserted"], "replaced": got["replaced"], "unchanged": got["unchanged"], "kept": got["kept"],
        "rejected": got["full_rejected"], "peak_rss_mb": round(got["peak_rss_mb"]),
        "memory_limit": got["memory_limit"],
        "method": "CSV of generated cases (another seed: some case numbers are in the store, so some rows "
                  "replace or equal stored ones) into a copy of the largest store, in a child process; the "
                  "summary refresh (whole store, in the import's transaction) timed apart",
    }
