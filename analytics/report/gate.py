"""The publication gate for a drafted report (users who may see aggregates only, 外部).

A report's content is already formatted text, so the gate works on the content model:

* **Tables**: columns whose every figure is a whole number (after removing thousands separators
  and a unit 件/条/人) and whose header names no rate, share, mean or score are counts; the other
  numeric columns depend on them. The table is gated by ``privacy.gate_frame`` (a row labelled
  合计/全市/总计 is the total row): small counts "<10", secondary suppression, dependent "—".
* **Figures** (charts, maps): a figure whose inline data hold a count below the threshold is
  left out, with a note in its place; Vega-Lite data cannot carry "<10".
* **Text**: a count written as "N 件/条/人" with N below the threshold becomes "<10 件".

Pure: no Streamlit, no store access.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pandas as pd

from analytics.privacy import DisclosureRules, Suppression, TableSpec, below_threshold, gate_frame
from analytics.report.model import Block, Figure, Grid, Paragraph, Report, Table

_TOTAL_LABELS = ("合计", "全市", "总计")
_DEPENDENT = ("率", "%", "比", "均", "天", "得分", "指数", "倍", "万元", "元", "同比", "环比", "增减", "中位")
_UNIT = re.compile(r"\s*(件|条|人|个)$")
_COUNT_IN_TEXT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*|\d+)(\s*)(件|条|人)")


def _number(text: str) -> float | None:
    t = _UNIT.sub("", text.strip()).replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


def gate_table(table: Table, rules: DisclosureRules) -> tuple[Table, tuple[Suppression, ...]]:
    """The table with small counts hidden (see the module docstring)."""
    if not table.rows:
        return table, ()
    header = list(table.header)
    cols = [f"c{i}" for i in range(len(header))]
    df = pd.DataFrame([list(r) for r in table.rows], columns=cols)
    counts, dependent = [], []
    for c, name in zip(cols[1:], header[1:], strict=True):
        nums = [_number(v) for v in df[c] if str(v).strip() not in ("", "—")]
        if not nums or any(n is None for n in nums):
            continue
        whole = all(float(n).is_integer() for n in nums)  # type: ignore[arg-type]
        (dependent if any(h in name for h in _DEPENDENT) or not whole else counts).append(c)
    if not counts:
        return table, ()
    values = df.copy()
    for c in counts:
        values[c] = [_number(v) or 0 for v in df[c]]
    total = next((str(v) for v in df[cols[0]] if str(v) in _TOTAL_LABELS), None)
    spec = TableSpec(counts=tuple(counts), dependent=tuple(dependent), public=(cols[0],),
                     total=(cols[0], total) if total else None)
    gated = gate_frame(values, rules, spec)
    rows = []
    for i in range(len(df)):
        row = []
        for c in cols:
            if gated.hidden.at[i, c]:
                row.append(str(gated.display.at[i, c]))
            else:
                row.append(str(df.at[i, c]))  # the original formatting
        rows.append(tuple(row))
    return replace(table, rows=tuple(rows)), gated.log


def _row_numbers(rows: object) -> Iterator[float]:
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict):
            yield from (float(v) for v in row.values() if isinstance(v, int | float) and not isinstance(v, bool))


def _values(spec: Any) -> Iterator[float]:
    """Every number in the inline data of a Vega-Lite spec (data.values and datasets, any depth)."""
    if isinstance(spec, dict):
        for key, v in spec.items():
            if key == "data" and isinstance(v, dict):
                yield from _row_numbers(v.get("values"))
            elif key == "datasets" and isinstance(v, dict):
                for rows in v.values():
                    yield from _row_numbers(rows)
            else:
                yield from _values(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _values(v)


def figure_is_safe(fig: Figure, rules: DisclosureRules) -> bool:
    """True when no whole number in the figure's data is a count below the threshold."""
    whole = [v for v in _values(fig.spec) if float(v).is_integer()]
    return not below_threshold(pd.Series(whole, dtype=float), rules).any() if whole else True


def gate_text(text: str, rules: DisclosureRules) -> tuple[str, int]:
    """Counts written as "N 件" below the threshold replaced by "<10 件"; how many."""
    n = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal n
        v = int(m.group(1).replace(",", ""))
        if 0 < v < rules.threshold:
            n += 1
            return f"{rules.hidden_label}{m.group(2)}{m.group(3)}"
        return m.group(0)

    return _COUNT_IN_TEXT.sub(sub, text), n


def protect(report: Report, rules: DisclosureRules | None = None) -> tuple[Report, int]:
    """A copy of the report fit for an aggregates-only reader, and the number of figures hidden
    (table cells, dropped charts, counts in the text)."""
    rules = rules or DisclosureRules()
    hidden = 0
    note = Paragraph(f"（本图含少于 {rules.threshold} 件的数值，按数据发布规则不提供。）")

    def one(block: Block) -> Block | None:
        nonlocal hidden
        if isinstance(block, Table):
            out, log = gate_table(block, rules)
            hidden += len(log)
            return out
        if isinstance(block, Figure):
            if figure_is_safe(block, rules):
                return block
            hidden += 1
            return note
        if isinstance(block, Paragraph):
            text, n = gate_text(block.text, rules)
            hidden += n
            return replace(block, text=text)
        if isinstance(block, Grid):
            cells: list[Figure | Table | None] = []
            for c in block.cells:
                got = one(c) if c is not None else None
                cells.append(got if isinstance(got, Figure | Table) else None)
            return replace(block, cells=tuple(cells))
        return block

    out = Report(report.kind, report.title, brief=report.brief, footer=report.footer,
                 indicators=list(report.indicators))
    out.add(*(one(b) for b in report.blocks))
    return out, hidden


# --- rates over a small numerator (issue 15: rates computed on suppressed cells are suppressed) -----


def hide_small_numerator_rates(df: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """An indicator frame with each rate whose numerator count is small (0 < n < threshold) missing.

    Frames of ``indicators.compare`` (a row per indicator: ``current``, ``yoy``, ``pop`` and the
    changes computed from them) and of ``summary``/``monthly_trend`` (a row per group or month, a
    column per indicator). A missing value reads "—" in the report and drops its sentence; the
    counts themselves are hidden by ``protect``.
    """
    from analytics.indicators import COUNT_NUMERATORS as pairs

    out = df.copy()
    if "indicator" in out.columns and "current" in out.columns:
        values = out.set_index("indicator")
        for col, changes in (("current", ("yoy_diff", "yoy_pct", "pop_diff", "pop_pct")),
                             ("yoy", ("yoy_diff", "yoy_pct")), ("pop", ("pop_diff", "pop_pct"))):
            for rate, num in pairs.items():
                if rate not in values.index or num not in values.index:
                    continue
                if below_threshold(pd.Series([values.at[num, col]], dtype=float).fillna(0), rules)[0]:
                    row = out["indicator"] == rate
                    for c in (col, *changes):
                        if c in out.columns:
                            out[c] = out[c].astype(object).where(~row, None)
        return out
    for rate, num in pairs.items():
        if rate in out.columns and num in out.columns:
            small = below_threshold(pd.to_numeric(out[num], errors="coerce").fillna(0), rules)
            out[rate] = out[rate].astype(object).where(~small, None)
    return out


def protected_runner(run: Any, rules: DisclosureRules) -> Any:
    """A report runner for aggregates-only readers: the indicator frames come back with the rates of
    small numerators missing (``hide_small_numerator_rates``), everything else unchanged."""
    from analytics import indicators as ind

    masked = {ind.compare, ind.summary, ind.monthly_trend}

    def wrapped(fn: Any, *args: Any, **kwargs: Any) -> Any:
        got = run(fn, *args, **kwargs)
        return hide_small_numerator_rates(got, rules) if fn in masked and isinstance(got, pd.DataFrame) else got

    return wrapped
