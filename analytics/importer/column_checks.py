"""The column-wise checks of the importer: ``_Columns`` runs the checks of ``_Validator.row`` on
whole columns and marks the rows that need no message; ``columnar.validate_columns`` drives it.

Split from ``columnar.py`` (which keeps the orchestration: threads, duplicates, origins, the
report); the helpers below (Arrow/numpy conversions, grouping, H3 cells) serve both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import codes, h3vec, schema
from analytics.casenumber import SPECIALISED, TYPE_CODES, CaseNumber, Problem, parse_case_number
from analytics.importer.read import BLANK_RE
from analytics.importer.validate import (
    Progress,
    _Row,
    _Validator,
)
from analytics.importer.values import (
    CENTRALISED,
    DEFAULT_MAX_CHARS,
    FIELD_MAX_CHARS,
    MAX_AMOUNT,
    _parse_int,
    _parse_number,
    is_missing,
    parse_amount,
)

# Arrow types of the accepted table (the store's column types; ENUM columns as text).
_SQL_ARROW = {"INTEGER": pa.int32(), "BIGINT": pa.int64(), "UBIGINT": pa.uint64(), "DOUBLE": pa.float64(),
              "DATE": pa.date32()}
ARROW_SCHEMA = pa.schema([(c.name, _SQL_ARROW.get(c.sql_type, pa.string())) for c in schema.CASE_COLUMNS])


def _alternation(words: Sequence[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(sorted(words, key=len, reverse=True))


_TYPES = _alternation(tuple(TYPE_CODES))
_SPEC = _alternation(tuple(SPECIALISED))
# A Nantong case number exactly as parse_case_number writes it (its canonical form).
CASE_RE = rf"^\(\d{{4}}\)(?:{_alternation([c.code for c in codes.COURTS])})(?:{_SPEC})?(?:{_TYPES})[1-9]\d*号$"
# Any court's number in canonical form (蘇 and 號 are rewritten by the parser, so never plain).
ORIGIN_RE = (
    rf"^\(\d{{4}}\)(?:最高法|[\x{{4e00}}-\x{{8606}}\x{{8608}}-\x{{865e}}\x{{8660}}-\x{{9fff}}](?:\d{{4}}|\d{{2}})?)"
    rf"(?:{_SPEC})?(?:{_TYPES})[1-9]\d*号$"
)
_AMOUNT_RE = r"^\d{1,13}(?:\.\d{1,2})?$"  # float(s) is then already round(float(s), 2)
_INT_RE = r"^-?\d{1,18}$"
_COORD_RE = r"^-?\d{1,3}(?:\.\d{1,17})?$"
_EPOCH = date(1970, 1, 1)


# Text columns of ENUM type in the store: the column-wise path gives them dictionary-encoded
# (each distinct value once, 32-bit indices per row), which DuckDB reads as such; the row path's
# records come as plain text, and ``accepted_frame`` decodes both alike.
ENUM_COLUMNS = frozenset(c.name for c in schema.CASE_COLUMNS if c.sql_type.endswith("_t"))


def _dictionary(small: pa.Array, rows: np.ndarray) -> pa.Array:
    """``small.take(rows)`` of a text array as a dictionary array: no text copied per row."""
    enc = pc.dictionary_encode(small)  # distinct values (a dictionary must not repeat one); nulls as null codes
    codes = _np(pc.fill_null(enc.indices, -1)).astype(np.int32)[rows]
    null = codes < 0
    indices = pa.array(np.where(null, 0, codes), mask=null if null.any() else None, type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, enc.dictionary.cast(pa.string()))


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean or numeric Arrow array as numpy (nulls must be filled first)."""
    return arr.to_numpy(zero_copy_only=False)


def _array(col: pa.ChunkedArray) -> pa.Array:
    """A column as one array: its only chunk as it is (``combine_chunks`` would copy even that)."""
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def _encode(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of a string array and its distinct values."""
    d = pc.dictionary_encode(arr)
    return _np(d.indices), d.dictionary.to_pylist()


def _groups(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Group codes (0..k-1, in order of first appearance) of the combinations of several code arrays."""
    key = np.zeros(len(parts[0]) if parts else 0, dtype=np.int64)
    if not parts:
        return key
    bound = 1  # the key's values lie in [0, bound): one number per combination (mixed radix)
    for p in parts:
        radix = int(p.max(initial=0)) + 2
        if bound * radix >= 2**62:  # renumber the combinations so far before the key would overflow
            key = pd.factorize(key)[0].astype(np.int64)
            bound = int(key.max(initial=0)) + 1
        key = key * radix + (p + 1)
        bound *= radix
    return pd.factorize(key)[0].astype(np.int64)  # one hash pass, not one per part


def _first(groups: np.ndarray, k: int) -> np.ndarray:
    """Position (into ``groups``) of the first member of each group."""
    out = np.full(k, -1, dtype=np.int64)
    out[groups[::-1]] = np.arange(len(groups) - 1, -1, -1)
    return out


def _days(d: date) -> int:
    return (d - _EPOCH).days


def h3_column(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """H3 cells (resolution of the schema) of coordinates; null where one is missing (NaN, or infinite)."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    out = h3vec.latlng_to_cells(lat, lon, schema.H3_RESOLUTION)  # h3's cells, vectorised (0 where not ok)
    return pa.array(out, mask=~ok, type=pa.uint64())


class _Columns:
    """The checks of ``_Validator.row`` on whole columns; ``ok`` marks rows that need no message."""

    def __init__(self, checker: _Validator, cells: dict[str, pa.Array], n: int, *, table_wanted: bool = True) -> None:
        """``table_wanted``: ``table`` will be called (not on a dry run): its H3 cells are made during the checks."""
        self.v, self.cells, self.n = checker, cells, n
        self.table_wanted = table_wanted
        self.h3: pa.Array | None = None  # every row's cell (null where its coordinates are not valid)
        self.ok = np.ones(n, dtype=bool)
        self._lock = threading.Lock()  # the checks of independent columns run in two threads
        self.out: dict[str, pa.Array | np.ndarray] = {}  # full-length values of the ok rows
        # Corrections and notes of the ok rows, per step: (group of each row, fixes and notes per group).
        self.messages: list[tuple[np.ndarray, list[list[Problem]], list[list[Problem]]]] = []
        self._codes: dict[str, np.ndarray] = {}
        # Values of the group steps: (value per group, group of each row); the last step's wins.
        self.by_group: dict[str, tuple[pa.Array, np.ndarray]] = {}

    def keep(self, mask: np.ndarray) -> None:
        """Rows outside ``mask`` need the row path (``ok &= mask``, one thread at a time)."""
        with self._lock:
            self.ok &= mask

    def missing(self, key: str, plain: np.ndarray | None = None) -> np.ndarray:
        """Where a target's cell is empty (everywhere when the file has no such column).

        ``plain``: cells known to hold a value (matched by a pattern that needs a digit); the
        whitespace test then runs only on the other non-empty cells (few), not on the column.
        """
        if key not in self.cells:
            return np.ones(self.n, dtype=bool)
        arr = self.cells[key]
        if plain is None:
            return _np(pc.match_substring_regex(arr, BLANK_RE))
        miss = _np(pc.equal(pc.binary_length(arr), 0))
        where = np.flatnonzero(~miss & ~plain)
        if len(where):
            miss[where] = _np(pc.match_substring_regex(arr.take(pa.array(where)), BLANK_RE))
        return miss

    def codes(self, key: str) -> np.ndarray:
        """Dictionary codes of a target's cells (computed once)."""
        if key not in self._codes:
            self._codes[key] = _encode(self.cells[key])[0]
        return self._codes[key]

    def per_value(self, key: str, fn: Callable[[str], object]) -> tuple[np.ndarray, list[object]]:
        """``fn`` of each distinct cell of a target: (codes, results)."""
        idx, values = _encode(self.cells[key])
        return idx, [fn(v) for v in values]

    # --- cells with many distinct values ---

    def lengths(self) -> None:
        for key, arr in self.cells.items():
            limit = FIELD_MAX_CHARS.get(key, DEFAULT_MAX_CHARS)
            if (pc.max(pc.binary_length(arr)).as_py() or 0) <= limit:  # bytes >= characters: all short enough
                continue
            self.keep(_np(pc.less_equal(pc.utf8_length(arr), limit)))

    def parties(self) -> None:
        """Party names/credit codes -> keyed pseudonyms, once per distinct (name, code) of a side.

        Rows where the row path adds a note (a malformed credit code, a key column that
        disagrees with the name) go row by row; a valid code makes the party kind 企业 where the
        file gives none.
        """
        self.company: dict[str, np.ndarray] = {}
        for side in ("plaintiff", "defendant"):
            keys = [k for k in (f"{side}_name", f"{side}_code") if k in self.cells]
            if not keys:
                continue
            parts = [self.codes(k) for k in keys]
            groups = _groups(parts)
            k = int(groups.max(initial=-1)) + 1
            made, noted, company = [], [], []
            for at in _first(groups, k).tolist():
                r = _Row(0, None)
                self.v._parties(r, {key: self._cell(key, at) for key in keys})
                made.append(r.rec.get(f"{side}_key"))
                noted.append(bool(r.rejects or r.fixes or r.notes))
                company.append(r.rec.get(f"{side}_kind") == "企业")
            has = np.array([m is not None for m in made], dtype=bool)[groups]
            made_key = np.array([m if m is not None else 0 for m in made], dtype=np.int64)[groups]
            self.keep(~np.array(noted, dtype=bool)[groups])
            column = self.out[f"{side}_key"]
            given = ~_np(pc.is_null(column))
            stored = _np(pc.fill_null(column, 0))
            self.keep(~(has & given & (stored != made_key)))  # the row path notes the disagreement
            self.out[f"{side}_key"] = pa.array(np.where(has, made_key, stored), mask=~(has | given), type=pa.int64())
            self.company[side] = np.array(company, dtype=bool)[groups]

    def case_numbers(self) -> None:
        arr = self.cells["case_no"]
        plain = _np(pc.match_substring_regex(arr, CASE_RE))
        prefix = pc.if_else(pa.array(plain), pc.utf8_rtrim(arr, characters="0123456789号"), "")
        idx, values = _encode(prefix)
        v = self.v
        parsed = [parse_case_number(p + "1号", today=v.today, first_year=v.first_year) for p in values]
        good = np.array(
            [
                isinstance(c, CaseNumber) and c.known_court and c.canonical == p + "1号"
                for c, p in zip(parsed, values, strict=True)
            ]
        )
        self.keep(plain & good[idx])
        self.cn_idx, self.cn = idx, parsed
        self.cn_year = np.array([c.year if isinstance(c, CaseNumber) else 0 for c in parsed])[idx]

    def _number(
        self, key: str, pattern: str, typ: pa.DataType, parse: Callable[[str], object]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, present, ok) of a numeric target: plain cells cast, others parsed once per value."""
        dtype = np.float64 if pa.types.is_floating(typ) else np.int64
        values = np.zeros(self.n, dtype=dtype)
        if key not in self.cells:
            miss = self.missing(key)
            return values, ~miss, miss
        arr = self.cells[key]
        plain = _np(pc.match_substring_regex(arr, pattern))  # every pattern needs a digit: never blank
        miss = self.missing(key, plain)
        good = miss | plain
        if plain.any():
            values[plain] = _np(pc.cast(arr.filter(pa.array(plain)), typ))
        other = ~good
        if other.any():
            where = np.flatnonzero(other)
            idx, distinct = _encode(arr.take(pa.array(where)))
            got = [parse(s) for s in distinct]
            fine = np.array([isinstance(g, int | float) and not isinstance(g, bool) for g in got])
            if dtype is np.int64:
                fine &= np.array([isinstance(g, int) and -(2**63) <= g < 2**63 for g in got])
            vals = np.array([g if f else 0 for g, f in zip(got, fine, strict=True)], dtype=dtype)
            good[where] = fine[idx]
            values[where] = vals[idx]
        return values, ~miss, good

    def amounts(self) -> None:
        for key in ("amount", "amount_recovered"):
            scale = self.v.scales.get(key, 1.0)
            pattern = _AMOUNT_RE if scale == 1.0 else r"^$a"  # scaled amounts: parsed per value

            def parse(s: str, key: str = key, scale: float = scale) -> object:
                return parse_amount(s, key, scale)

            values, present, good = self._number(key, pattern, pa.float64(), parse)
            good &= ~present | (values <= MAX_AMOUNT)
            self.keep(good)
            self.out[key] = pa.array(values, mask=~present)

    def keys(self) -> None:
        for key in ("plaintiff_key", "defendant_key"):
            values, present, good = self._number(key, _INT_RE, pa.int64(), lambda s, k=key: _parse_int(s, k))
            self.keep(good)
            self.out[key] = pa.array(values, mask=~present, type=pa.int64())

    def coordinates(self) -> None:
        lon, lon_p, lon_ok = self._number("lon", _COORD_RE, pa.float64(), lambda s: _parse_number(s, "lon"))
        lat, lat_p, lat_ok = self._number("lat", _COORD_RE, pa.float64(), lambda s: _parse_number(s, "lat"))
        swapped = (lon >= 3) & (lon <= 54) & (lat >= 73) & (lat <= 136)
        inside = (lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)
        both = lon_p & lat_p
        self.keep(lon_ok & lat_ok & (both | (~lon_p & ~lat_p)) & (~both | (~swapped & inside)))
        self.lon_present = both
        self.lon = np.where(both, lon, np.nan)
        self.lat = np.where(both, lat, np.nan)
        if self.table_wanted:  # here, in the second thread, while the first checks other columns
            valid = both & ~swapped & inside
            self.h3 = h3_column(np.where(valid, lon, np.nan), np.where(valid, lat, np.nan))

    def origins(self) -> None:
        if "origin_case_no" not in self.cells:
            self.out["origin_case_no"] = pa.nulls(self.n, pa.string())
            return
        arr = self.cells["origin_case_no"]
        plain = _np(pc.match_substring_regex(arr, ORIGIN_RE))
        miss = self.missing("origin_case_no", plain)
        prefix = pc.if_else(pa.array(plain), pc.utf8_rtrim(arr, characters="0123456789号"), "")
        idx, values = _encode(prefix)
        v = self.v
        good = np.array(
            [isinstance(parse_case_number(p + "1号", today=v.today, first_year=v.first_year), CaseNumber)
             for p in values]
        )
        self.keep(miss | (plain & good[idx]))
        self.out["origin_case_no"] = pc.if_else(pa.array(miss), pa.scalar(None, pa.string()), arr)

    def dates(self) -> None:
        v = self.v
        idx, got = self.per_value("filed_date", v._date)
        fine = np.array([isinstance(g, date) for g in got])
        days = np.array([_days(g) if isinstance(g, date) else 0 for g in got], dtype=np.int64)
        years = np.array([g.year if isinstance(g, date) else 0 for g in got])
        self.keep(fine[idx] & (years[idx] == self.cn_year))
        self.filed_days = days[idx]
        self.filed_obj = (idx, got)
        self.closed_present = np.zeros(self.n, dtype=bool)
        self.closed_days = np.zeros(self.n, dtype=np.int64)
        if "closed_date" in self.cells:
            cidx, cgot = self.per_value("closed_date", lambda s: None if is_missing(s) else v._date(s))
            cfine = np.array([g is None or isinstance(g, date) for g in cgot])
            present = np.array([isinstance(g, date) for g in cgot])
            cdays = np.array([_days(g) if isinstance(g, date) else 0 for g in cgot], dtype=np.int64)
            self.closed_present, self.closed_days = present[cidx], cdays[cidx]
            self.keep(cfine[cidx] & (~self.closed_present | (self.closed_days >= self.filed_days)))

    def versions(self) -> None:
        self.version: tuple[np.ndarray, list[date | None]] | None = None
        if "modified_at" in self.cells:
            self.version = self.per_value("modified_at", lambda s: self.v.version({"modified_at": s}))

    # --- cells with few distinct values: one row of each combination through the row path ---

    def _combos(self, keys: Sequence[str], extra: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions of ok rows, their group, first position of each group) over cells + extra codes."""
        pos = np.flatnonzero(self.ok)
        parts = [self.codes(k)[pos] for k in keys if k in self.cells]
        parts += [e[pos].astype(np.int64) for e in extra]
        groups = _groups(parts) if parts else np.zeros(len(pos), dtype=np.int64)
        k = int(groups.max(initial=-1)) + 1
        return pos, groups, pos[_first(groups, k)]

    def value(self, col: str, at: int) -> object:
        """The value a group step gave a column at one row."""
        small, g = self.by_group[col]
        return small[int(g[at])].as_py()

    def _cell(self, key: str, at: int) -> object:
        return self.cells[key][int(at)].as_py() if key in self.cells else None

    def _filed(self, at: int) -> date:
        idx, got = self.filed_obj
        return got[idx[at]]  # type: ignore[return-value]

    def _closed(self, at: int) -> date | None:
        return date.fromordinal(_EPOCH.toordinal() + int(self.closed_days[at])) if self.closed_present[at] else None

    def _apply(
        self,
        pos: np.ndarray,
        groups: np.ndarray,
        reps: Sequence[_Row],
        results: list[dict[str, object]],
        columns: Sequence[str],
    ) -> None:
        """Keep the rows of groups without a rejection; their values and messages, by group."""
        clean = [not r.rejects and not r.needs_origin for r in reps]
        keep = np.array(clean, dtype=bool)[groups] if len(groups) else np.zeros(0, dtype=bool)
        self.ok[pos[~keep]] = False
        g = np.full(self.n, 0, dtype=np.int64)
        g[pos] = groups
        if any(r.fixes or r.notes for r in reps):
            self.messages.append((g, [r.fixes for r in reps], [r.notes for r in reps]))
        for col in columns:
            vals = [r[col] for r in results] or [None]  # one null to take from when no row is ok
            typ = pa.int32() if col == "adcode" else pa.string()
            self.by_group[col] = (pa.array(vals, type=typ), g)

    def _per_combo(self, keys: Sequence[str], check: Callable[[_Row, int], None], out: Sequence[str]) -> None:
        """A row-path step on one row of each combination of ``keys`` (and whether the case is
        closed): ``check(row, at)`` on a fresh row holding the closing date; ``out`` are the
        fields the step sets."""
        pos, groups, reps = self._combos(keys, [self.closed_present])
        done, results = [], []
        for at in reps:
            r = _Row(0, None)
            r.rec["closed_date"] = self._closed(at)
            check(r, at)
            done.append(r)
            results.append({k: r.rec.get(k) for k in out})
        self._apply(pos, groups, done, results, out)

    _VALUE_KEYS = ("outcome", "procedure", "track", "plaintiff_kind", "defendant_kind", "plaintiff_industry",
                   "defendant_industry")

    def values(self) -> None:
        """Outcome, procedure/track, party kinds and industries (``_Validator._values``)."""
        keys = (*self._VALUE_KEYS, "closed_date")
        self._per_combo(self._VALUE_KEYS, lambda r, at: self.v._values(r, {k: self._cell(k, at) for k in keys}),
                        self._VALUE_KEYS)

    _CAUSE_KEYS = ("cause", "cause_filed", "cause_closed", "cause_group")

    def causes(self) -> None:
        """Cause and cause group (``_Validator._cause``)."""
        self._per_combo(self._CAUSE_KEYS,
                        lambda r, at: self.v._cause(r, {k: self._cell(k, at) for k in self._CAUSE_KEYS}),
                        ("cause", "cause_group", "cause_filed"))

    _RESULT_KEYS = ("court_code", "type_code", "category", "procedure", "track", "adcode")
    _COURT_KEYS = ("court_code", "type_code", "category", "court_name", "adcode", "procedure")

    def case_fields(self) -> None:
        """What the case number implies, cross-checks and the district (``_Validator._from_case_number``)."""
        extra: list[np.ndarray] = [self.cn_idx, self.lon_present]
        for col in ("procedure", "track"):
            small, g = self.by_group[col]  # the value (not the group) of the step that gave it
            extra.append(_encode(pc.fill_null(small, ""))[0][g])
        # The cause matters here only through centralised jurisdiction (集中管辖): its flags suffice.
        causes, cause_group = self.by_group["cause"]
        for c in CENTRALISED:
            extra.append(self.filed_days >= _days(c.since))
            extra.append(np.array([x in c.causes for x in causes.to_pylist()], dtype=bool)[cause_group])
        pos, groups, reps = self._combos(self._COURT_KEYS, extra)
        done, results = [], []
        for at in reps:
            r = _Row(0, None)
            r.rec.update({k: self.value(k, at) for k in ("procedure", "track", "cause")})
            r.rec["filed_date"] = self._filed(at)
            lon, lat = self.lon[at], self.lat[at]
            r.rec["lon"], r.rec["lat"] = (None, None) if np.isnan(lon) else (float(lon), float(lat))
            cn = self.cn[self.cn_idx[at]]
            assert isinstance(cn, CaseNumber)
            cells = {k: self._cell(k, at) for k in self._COURT_KEYS}
            self.v._from_case_number(r, cells, cn)
            court = codes.court_for(cn.court_code)
            if court is not None and court.adcode is None and is_missing(cells["adcode"]) and r.rec["lon"] is not None:
                r.needs_origin = True  # placed by its own coordinates: row by row
            done.append(r)
            results.append({k: r.rec.get(k) for k in self._RESULT_KEYS})
        self._apply(pos, groups, done, results, self._RESULT_KEYS)

    def _encode_groups(self) -> None:
        """Dictionary codes of the cells the group steps combine (cached for them)."""
        for key in dict.fromkeys((*self._VALUE_KEYS, *self._CAUSE_KEYS, *self._COURT_KEYS)):
            if key in self.cells:
                self.codes(key)

    def run(self, progress: Progress, pool: ThreadPoolExecutor | None = None) -> None:
        """Every check; ``pool``: a second thread for the checks of independent columns.

        Those checks only narrow ``ok`` (an AND, in any order) and set values of their own
        columns; most of their time is in Arrow and numpy, which release the GIL. The group
        steps after them pick rows by ``ok`` and run one after another.
        """
        def first() -> None:
            self.case_numbers()
            self.dates()  # after case_numbers: the filing year must match the case number's
            self.versions()
            progress(0.15, "按列校验 / checking columns")
            self.origins()
            self.lengths()
            self._encode_groups()

        def second() -> None:
            self.amounts()
            self.keys()
            self.parties()  # after keys: a key column is compared with the name's pseudonym
            self.coordinates()

        if pool is None:
            first()
            second()
        else:
            other = pool.submit(second)
            first()
            other.result()
        progress(0.3, "按列校验 / checking columns")
        self.values()
        self.causes()
        self.case_fields()

    def table(self, positions: np.ndarray) -> pa.Table:
        """The accepted records of these ok rows, in the store's columns."""
        if self.h3 is None:
            raise RuntimeError("_Columns.table after the checks of a dry run (table_wanted=False)")
        take = pa.array(positions, type=pa.int64())
        filed = pa.array(self.filed_days[positions].astype("int32")).cast(pa.date32())
        closed = pa.array(self.closed_days[positions].astype("int32"), mask=~self.closed_present[positions])
        lon, lat = self.lon[positions], self.lat[positions]
        cols: dict[str, pa.Array] = {
            "case_no": self.cells["case_no"].take(take),
            "filed_date": filed,
            "closed_date": closed.cast(pa.date32()),
            "lon": pa.array(lon, mask=np.isnan(lon)),
            "lat": pa.array(lat, mask=np.isnan(lat)),
            "h3_r7": self.h3.take(take),  # made by ``coordinates`` (``table_wanted``)
            "source": _dictionary(pa.array(["import"]), np.zeros(len(positions), dtype=np.int64)),
        }
        for name, value in self.out.items():
            if name in ARROW_SCHEMA.names and name not in cols:
                cols[name] = value.take(take)  # type: ignore[union-attr]
        for name, (small, g) in self.by_group.items():
            rows = g[positions]
            cols[name] = _dictionary(small, rows) if name in ENUM_COLUMNS else small.take(pa.array(rows))
        for side, company in self.company.items():  # a valid credit code: an enterprise, unless given
            kind = cols[f"{side}_kind"]
            fill = company[positions] & _np(pc.is_null(kind))
            if fill.any():
                kind = kind.cast(pa.string())
                cols[f"{side}_kind"] = pc.if_else(pa.array(fill), pa.scalar("企业", pa.string()), kind)
        for f in ARROW_SCHEMA:  # no ok row reached the step that gives it
            cols.setdefault(f.name, pa.nulls(len(positions), f.type))
        typed = [cols[f.name] if pa.types.is_dictionary(cols[f.name].type) else cols[f.name].cast(f.type)
                 for f in ARROW_SCHEMA]
        return pa.table(typed, names=ARROW_SCHEMA.names)
