"""Column-wise validation of a CSV read by ``read.read_columns``: the row path only where needed.

``validate.validate`` checks a row at a time (~10k rows/s). Here the same checks run on whole
columns, and the row path (``_Validator.row``) runs only for the rows that need a message:

- cells of many distinct values (case number, amounts, keys, coordinates, origin case number)
  are checked with regular expressions and casts in Arrow; a row passes only in the plain form
  whose value the row path would take unchanged (``(2021)苏0682民初12号``, ``1234.5``);
- cells of few distinct values (dates, causes, vocabularies, courts, districts) are checked once
  per distinct value, or per distinct combination of the cells a check reads, by calling the
  row path's own methods on one row of each combination; a combination passes only when that
  row gets no message at all (no rejection, correction or note);
- every other row (anything unusual, every rejection and correction) goes through the row path,
  and the steps across rows (origins of intermediate-court cases, duplicate case numbers) take
  both kinds of rows together, in file order.

So a row accepted here is one the row path accepts silently with the same values; the oracle
test (tests/test_import_columnar.py) checks that both paths give the same accepted rows and the
same report on the bad-input corpus and on generated files with injected errors.

The checks on whole columns are ``column_checks._Columns``; this module drives them (two threads),
runs the row path, resolves duplicates and origins, and builds the report and the accepted table.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.casenumber import Problem
from analytics.importer.column_checks import ARROW_SCHEMA, _array, _Columns, _days, _first, _groups, _np, h3_column
from analytics.importer.columns import check_mapping, guess_mapping
from analytics.importer.errors import ACCEPTED, CORRECTED, REJECTED
from analytics.importer.load import absent_columns
from analytics.importer.read import Columns
from analytics.importer.validate import (
    REPORT_COLUMNS,
    Progress,
    ValidationResult,
    _reasons,
    _resolve_origins,
    _Row,
    origins_wanted,
    prepare,
    tail_notes,
    unmapped_notes,
    validate,
)
from analytics.importer.values import (
    is_missing,
)


def records_table(records: list[dict[str, object]]) -> pa.Table:
    """Accepted records of the row path as an Arrow table in the store's columns."""
    cols = []
    for f in ARROW_SCHEMA:
        if f.name == "h3_r7":
            lon = np.array([np.nan if r.get("lon") is None else r["lon"] for r in records], dtype=np.float64)
            lat = np.array([np.nan if r.get("lat") is None else r["lat"] for r in records], dtype=np.float64)
            cols.append(h3_column(lon, lat))
        elif f.name == "source":
            cols.append(pa.array(["import"] * len(records), type=pa.string()))
        else:
            cols.append(pa.array([r.get(f.name) for r in records], type=f.type))
    return pa.table(cols, schema=ARROW_SCHEMA)


def accepted_frame(table: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """An accepted Arrow table as ``load.cases_frame`` types it (for comparisons and display)."""
    if isinstance(table, pd.DataFrame):  # the row path's result (a file with nothing to check column-wise)
        return table
    plain = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    table = pa.table(plain, names=table.column_names)
    df = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.uint64(): pd.UInt64Dtype()}.get)
    for col in ("filed_date", "closed_date"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[s]")
    df["adcode"] = df["adcode"].astype("int32")
    return df


def validate_columns(
    cols: Columns,
    mapping: Mapping[str, str] | None = None,
    *,
    causes: Mapping[str, str] | None = None,
    origin_lookup: Callable[[list[str]], Mapping[str, int]] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    first_year: int | None = None,
    secret: Callable[[], bytes] | None = None,
    build_accepted: bool = True,
) -> ValidationResult:
    """``validate`` for a column-wise read file; the accepted rows come as an Arrow table.

    ``build_accepted`` False (a dry run: the report only): the accepted table comes empty.
    """
    progress = progress or (lambda _f, _m: None)
    names = cols.table.column_names
    mapping = dict(mapping) if mapping is not None else guess_mapping(names)
    today = today or date.today()
    n = cols.table.num_rows
    if check_mapping(mapping, names) or n == 0:  # nothing to check column-wise
        return validate(cols.frame(), mapping, causes=causes, origin_lookup=origin_lookup, today=today,
                        progress=progress, first_year=first_year, secret=secret)
    with _no_gc(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") as pool:
        return _validate_columns(cols, mapping, causes, origin_lookup, today, progress, first_year, secret, pool,
                                 build_accepted)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: the checks make millions of small acyclic objects
    (cells, dates, problems) and its passes over them cost ~5% of a 1M-row import for nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _validate_columns(
    cols: Columns,
    mapping: dict[str, str],
    causes: Mapping[str, str] | None,
    origin_lookup: Callable[[list[str]], Mapping[str, int]] | None,
    today: date,
    progress: Progress,
    first_year: int | None,
    secret: Callable[[], bytes] | None,
    pool: ThreadPoolExecutor,
    build_accepted: bool,
) -> ValidationResult:
    """``validate_columns`` after its checks of the mapping; ``pool``: a second core for Arrow work.

    While the row path (Python, holding the GIL) checks the rows that need a message and this
    thread then hashes the clean rows' case numbers, the second thread builds the accepted table
    of every clean row (Arrow, which releases the GIL); duplicates found later only filter that
    table.
    """
    names = cols.table.column_names
    n = cols.table.num_rows
    notes = unmapped_notes(mapping, names)
    src, checker = prepare(mapping, names, notes, causes, today, first_year, secret)
    cells = {t: _array(cols.table.column(s)) for t, s in src.items()}
    fast = _Columns(checker, cells, n, table_wanted=build_accepted)
    fast.run(progress, pool)
    labels = cols.labels
    # The row path for every row that needs a message.
    slow = np.flatnonzero(~fast.ok)
    clean = np.flatnonzero(fast.ok)
    table_job = pool.submit(fast.table, clean) if build_accepted else None
    clean_case = fast.cells["case_no"].take(pa.array(clean, type=pa.int64()))
    targets = list(src)
    rows: list[_Row] = []
    if len(slow):
        frame = cols.frame(slow)
        data = frame[[src[t] for t in targets]].to_numpy(dtype=object)
        step = max(1, len(slow) // 10)
        for i, (num, values) in enumerate(zip(labels[slow].tolist(), data, strict=True)):
            cell_map = dict(zip(targets, values, strict=True))
            row = checker.row(num, cell_map, None, 0)
            stamp = checker.version(cell_map) if "modified_at" in cell_map else None
            if stamp is not None:
                row.version = stamp
            rows.append(row)
            if i % step == 0:
                progress(0.35 + 0.4 * i / len(slow), f"逐行检查第 {i + 1}/{len(slow)} 行 / row {i + 1} of {len(slow)}")
    wanted = origins_wanted(rows)
    if wanted:
        _resolve_origins(rows, origin_lookup, _file_districts(wanted, clean, clean_case, fast, slow, rows))
    # Duplicate case numbers among valid rows: the latest version stamp, else the last row, wins.
    clean_days, clean_dates = _clean_versions(fast, clean)
    lost: dict[int, tuple[str, str]] = {}
    unique_clean = len(pc.unique(clean_case))  # here, while the second thread builds the accepted table
    for where, kept_label, by_version in _duplicates(clean, clean_case, clean_days, slow, rows, labels,
                                                     unique_clean):
        why_zh, why_en = ("修改日期较晚", "later modification date") if by_version else ("最后出现", "last occurrence")
        zh = f"案号与第 {kept_label} 行重复, 保留{why_zh}的第 {kept_label} 行"
        en = f"same case number as row {kept_label}, which is kept ({why_en})"
        if isinstance(where, _Row):
            where.reject(zh, en)
        else:
            lost[where] = (zh, en)
    progress(0.8, "生成报告 / building the report")
    n_clean = len(clean)
    kept_mask = np.ones(n_clean, dtype=bool)
    kept_mask[list(lost)] = False
    report, records, versions = _report(
        cols.labels, fast.cells["case_no"], clean, lost, slow, rows, _clean_messages(fast, clean)
    )
    if fast.version is not None:
        stamped = np.flatnonzero(kept_mask & np.array([d is not None for d in clean_dates], dtype=bool))
        for key, stamp in zip(clean_case.take(pa.array(stamped)).to_pylist(), clean_dates[stamped], strict=True):
            versions[key] = stamp
    kept_clean = clean[kept_mask]
    if table_job is None:  # a dry run: the report only
        accepted = ARROW_SCHEMA.empty_table()
    else:
        accepted = table_job.result()  # every clean row's record, built meanwhile
        if lost:
            if fast.company:  # the party kinds' type depends on the rows taken: built again for these
                del accepted
                accepted = fast.table(kept_clean)
            else:
                accepted = accepted.filter(pa.array(kept_mask))
        if records:  # row-path records go back to their place in the file, a column at a time
            slow_accepted = records_table([r.rec for _, r in records])
            order = pa.array(np.argsort(np.concatenate([kept_clean, [p for p, _ in records]]), kind="stable"))
            pairs: list[tuple[pa.ChunkedArray, pa.ChunkedArray] | None] = [
                (accepted.column(i), slow_accepted.column(i)) for i in range(accepted.num_columns)
            ]
            del accepted, slow_accepted
            merged: list[pa.ChunkedArray] = []
            for i, pair in enumerate(pairs):
                pairs[i] = None  # each column's parts freed once taken in file order
                assert pair is not None
                first, second = pair
                if second.type != first.type:  # plain text of the row path -> the dictionary of the column-wise part
                    second = second.cast(first.type)
                merged.append(pa.chunked_array([*first.chunks, *second.chunks], type=first.type).take(order))
                del pair, first, second
            accepted = pa.table(merged, names=ARROW_SCHEMA.names)
    del fast, cells, table_job
    pa.default_memory_pool().release_unused()  # the column checks' buffers, before the load needs memory
    progress(0.9, "校验完成 / validation done")
    return ValidationResult(accepted, report, [], notes + tail_notes(src), versions,  # type: ignore[arg-type]
                            absent_columns(set(src)))


def _clean_messages(
    fast: _Columns, clean: np.ndarray
) -> tuple[np.ndarray, list[tuple[list[Problem], list[Problem]]]] | None:
    """Corrections and notes of the clean rows: (combination of each row, (fixes, notes) per combination)."""
    if not fast.messages:
        return None
    parts = [g[clean] for g, _, _ in fast.messages]
    combo = _groups(parts)
    k = int(combo.max(initial=-1)) + 1
    texts = []
    for at in _first(combo, k).tolist():
        fixes = [p for (_, fx, _), part in zip(fast.messages, parts, strict=True) for p in fx[part[at]]]
        notes = [p for (_, _, nt), part in zip(fast.messages, parts, strict=True) for p in nt[part[at]]]
        texts.append((fixes, notes))
    return combo, texts


def _valid_slow(slow: np.ndarray, rows: list[_Row]) -> list[tuple[int, _Row]]:
    """(position, row) of the row-path rows without a rejection, in file order."""
    return [(int(p), r) for p, r in zip(slow.tolist(), rows, strict=True) if not r.rejects]


def _file_districts(
    wanted: set[str], clean: np.ndarray, clean_case: pa.Array, fast: _Columns, slow: np.ndarray, rows: list[_Row]
) -> dict[str, int]:
    """District of each wanted case number as the file gives it (the last valid row of it wins)."""
    hit = _np(pc.is_in(clean_case, value_set=pa.array(sorted(wanted), type=pa.string())))
    pos = clean[hit]
    small, group = fast.by_group["adcode"]
    adcodes = small.take(pa.array(group[pos])).to_pylist()
    entries = list(zip(pos.tolist(), clean_case.filter(pa.array(hit)).to_pylist(), adcodes, strict=True))
    entries += [
        (p, str(r.rec["case_no"]), int(r.rec["adcode"]))  # type: ignore[call-overload]
        for p, r in _valid_slow(slow, rows)
        if r.rec.get("adcode") is not None and str(r.rec["case_no"]) in wanted
    ]
    return {k: int(a) for _, k, a in sorted(entries)}


def _clean_versions(fast: _Columns, clean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Version stamps of the clean rows: (days for ordering, date.min when none; dates or None)."""
    none_days = _days(date.min)
    if fast.version is None:
        return np.full(len(clean), none_days, dtype=np.int64), np.full(len(clean), None, dtype=object)
    idx, got = fast.version
    days = np.array([_days(g) if g is not None else none_days for g in got], dtype=np.int64)
    objs = np.array([*got, None], dtype=object)[:-1]
    return days[idx[clean]], objs[idx[clean]]


def _duplicates(
    clean: np.ndarray,
    clean_case: pa.Array,
    clean_days: np.ndarray,
    slow: np.ndarray,
    rows: list[_Row],
    labels: np.ndarray,
    unique_clean: int | None = None,
) -> list[tuple[int | _Row, int, bool]]:
    """Rows that repeat a valid row's case number and lose to it: (clean index or row, kept label, by version).

    ``unique_clean``: the number of distinct ``clean_case`` when known (then no other hashing
    is needed when the row path accepted no row).
    """
    valid = _valid_slow(slow, rows)
    slow_keys = pa.array([str(r.rec["case_no"]) for _, r in valid], type=pa.string())
    # No repeat among the clean rows nor among the others, nor between them (a hash of the few only)?
    if (
        unique_clean == len(clean_case)
        and len(pc.unique(slow_keys)) == len(slow_keys)
        and (not valid or not pc.any(pc.is_in(clean_case, value_set=slow_keys)).as_py())
    ):
        return []
    keys = pa.concat_arrays([clean_case.cast(pa.string()), slow_keys])
    if len(pc.unique(keys)) == len(keys):  # (unique: ~3x faster than count_distinct on 1M case numbers)
        return []
    none_days = _days(date.min)
    frame = pd.DataFrame({
        "key": keys.to_pandas(),
        "days": np.concatenate([clean_days, [_days(r.version) if r.version else none_days for _, r in valid]]),
        "pos": np.concatenate([clean, [p for p, _ in valid]]).astype(np.int64),
        "item": np.arange(len(keys)),
    })
    frame = frame[frame["key"].duplicated(keep=False)].sort_values(["key", "days", "pos"])
    winners = frame.groupby("key", sort=False).tail(1).set_index("key")
    out: list[tuple[int | _Row, int, bool]] = []
    n_clean = len(clean)
    for key, pos, item in zip(frame["key"], frame["pos"], frame["item"], strict=True):
        win = winners.loc[key]
        if int(win["pos"]) == int(pos):
            continue
        where: int | _Row = int(item) if item < n_clean else valid[int(item) - n_clean][1]
        out.append((where, int(labels[int(win["pos"])]), int(win["days"]) != none_days))
    return out


class _Texts:
    """Distinct texts and, per report line, the code of its text (a column of few distinct values)."""

    def __init__(self, n: int, first: str) -> None:
        self.values, self.codes = [first], np.zeros(n, dtype=np.int64)
        self._index = {first: 0}

    def code(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.values)
            self.values.append(text)
        return self._index[text]

    def column(self) -> pd.Series:
        arr = pa.array(self.values, type=pa.string()).take(pa.array(self.codes))
        return arr.to_pandas(types_mapper=_STR.get)


_STR = {pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}


def _report(
    labels: np.ndarray,
    all_case: pa.Array,
    clean: np.ndarray,
    lost: Mapping[int, tuple[str, str]],
    slow: np.ndarray,
    rows: list[_Row],
    messages: tuple[np.ndarray, list[tuple[list[Problem], list[Problem]]]] | None,
) -> tuple[pd.DataFrame, list[tuple[int, _Row]], dict[str, date]]:
    """The report (one line per row, file order), the row-path records accepted, their versions."""
    n = len(labels)
    status, zh, en = _Texts(n, ACCEPTED), _Texts(n, ""), _Texts(n, "")
    if messages is not None:
        combo, texts = messages
        both = [_reasons(fixes + notes) for fixes, notes in texts]
        status.codes[clean] = np.array([status.code(CORRECTED if fx else ACCEPTED) for fx, _ in texts])[combo]
        zh.codes[clean] = np.array([zh.code(t[0]) for t in both])[combo]
        en.codes[clean] = np.array([en.code(t[1]) for t in both])[combo]
    for i, (text_zh, text_en) in lost.items():
        notes = texts[combo[i]][1] if messages is not None else []
        t_zh, t_en = _reasons([Problem(text_zh, text_en), *notes])
        at = clean[i]
        status.codes[at], zh.codes[at], en.codes[at] = status.code(REJECTED), zh.code(t_zh), en.code(t_en)
    records: list[tuple[int, _Row]] = []
    versions: dict[str, date] = {}
    slow_case: list[str | None] = []
    for p, r in zip(slow.tolist(), rows, strict=True):
        if r.rejects:
            st, text = REJECTED, _reasons(r.rejects + r.notes)
        else:
            st = CORRECTED if r.fixes else ACCEPTED
            text = _reasons(r.fixes + r.notes)
            records.append((p, r))
            if r.version is not None:
                versions[str(r.rec["case_no"])] = r.version
        case_no = r.rec.get("case_no", r.raw_case_no) if st != REJECTED else r.raw_case_no
        status.codes[p], zh.codes[p], en.codes[p] = status.code(st), zh.code(text[0]), en.code(text[1])
        slow_case.append(None if is_missing(case_no) else str(case_no))
    mask = np.zeros(n, dtype=bool)
    mask[slow] = True
    case = all_case
    if len(slow):
        case = pc.replace_with_mask(all_case, pa.array(mask), pa.array(slow_case, type=pa.string()))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="import") as texts:  # Arrow takes without the GIL
        zh_job, en_job = texts.submit(zh.column), texts.submit(en.column)
        case_col, status_col = case.to_pandas(types_mapper=_STR.get), status.column()
        report = pd.DataFrame(
            {"row": labels.astype(np.int64), "case_no": case_col, "status": status_col,
             "reason_zh": zh_job.result(), "reason_en": en_job.result()},
            columns=list(REPORT_COLUMNS),
        )
    return report, records, versions
