"""Load: accepted records -> the store, and what the store tells validation before that.

The store keeps one row per case; which of two versions is newer is decided in
``store.upsert_cases`` (closing date present beats absent, then 修改日期/导出日期, then "does not
lose information"). This module builds its input (the schema frame, the columns the file does
not carry), reads back what validation needs from the store (causes, districts of origin cases,
the earliest year held) and marks the rows the store kept in the report.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import schema, store
from analytics.importer.errors import REJECTED


def cases_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Accepted records as a frame with the schema's columns and stable dtypes."""
    df = pd.DataFrame.from_records(records, columns=[c for c in schema.CASE_COLUMN_NAMES if c != "h3_r7"])
    for col in ("filed_date", "closed_date"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
    for col in ("amount", "amount_recovered", "lon", "lat"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    df["adcode"] = df["adcode"].astype("int32")
    for col in ("plaintiff_key", "defendant_key"):  # 64-bit keys: never through a float (2**53)
        df[col] = pd.array([r.get(col) for r in records], dtype="Int64")
    df["source"] = "import"
    df["h3_r7"] = store.h3_cells(df["lon"], df["lat"])
    return df[list(schema.CASE_COLUMN_NAMES)]


# Schema columns every accepted row has, from the case number and the required fields.
_ALWAYS = frozenset(
    {"case_no", "court_code", "adcode", "category", "type_code", "procedure", "cause", "cause_group", "filed_date"}
)
# Schema columns filled from other targets too.
_ALSO_FROM: dict[str, tuple[str, ...]] = {
    "plaintiff_key": ("plaintiff_name", "plaintiff_code"),
    "defendant_key": ("defendant_name", "defendant_code"),
    "plaintiff_kind": ("plaintiff_code",),
    "defendant_kind": ("defendant_code",),
    "track": ("procedure",),
    "h3_r7": ("lon", "lat"),
    "outcome": ("closed_date",),
}


def absent_columns(mapped: set[str]) -> frozenset[str]:
    """Schema columns a file with these mapped targets does not carry at all."""
    out = set()
    for col in schema.CASE_COLUMN_NAMES:
        if col in _ALWAYS or col == "source" or col in mapped:
            continue
        if any(t in mapped for t in _ALSO_FROM.get(col, ())):
            continue
        out.add(col)
    return frozenset(out)


def store_causes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Cause -> cause group, as the store knows them (empty when the store has none)."""
    try:
        return dict(con.execute("SELECT cause, cause_group FROM causes").fetchall())
    except duckdb.Error:
        return {}


def store_adcodes(con: duckdb.DuckDBPyConnection, case_nos: list[str]) -> dict[str, int]:
    """Districts of cases already in the store, by case number."""
    try:
        rows = con.execute(
            "SELECT case_no, adcode FROM cases WHERE case_no IN (SELECT unnest(?::VARCHAR[]))", [case_nos]
        ).fetchall()
    except duckdb.Error:
        return {}
    return {str(k): int(v) for k, v in rows}


KEPT_ZH, KEPT_EN = "比案件库中的版本旧, 保留库中版本", "older than stored, kept stored"


def mark_kept(report: pd.DataFrame, case_nos: set[str]) -> pd.DataFrame:
    """The report with "older than stored, kept stored" added to the lines of those cases."""
    out = report.copy(deep=False)  # copy-on-write: only the two reason columns are copied, when written
    hit = out["case_no"].isin(case_nos) & (out["status"] != REJECTED)
    for col, text, sep in (("reason_zh", KEPT_ZH, "；"), ("reason_en", KEPT_EN, "; ")):
        old = out.loc[hit, col].fillna("")
        out.loc[hit, col] = [f"{o}{sep}{text}" if o else text for o in old]
    return out


def first_year(con: duckdb.DuckDBPyConnection | None) -> int:
    """Earliest case-number year accepted: the configured one, or the store's earliest if older."""
    from analytics.casenumber import FIRST_YEAR
    from analytics.settings import load_settings

    configured = int(getattr(load_settings(), "import_first_year", FIRST_YEAR) or FIRST_YEAR)
    if con is None:
        return configured
    try:
        rows = con.execute("SELECT min(year(filed_date)) FROM cases").fetchall()
    except duckdb.Error:
        return configured
    held = rows[0][0] if rows else None
    return min(configured, int(held)) if held is not None else configured
