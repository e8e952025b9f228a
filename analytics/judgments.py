"""Criminal judgment records in the CAIL2018 format: import into DuckDB and summarise by place and charge.

One JSON object a line: ``{"fact": ..., "meta": {"accusation": [...], "relevant_articles": [...],
"criminals": [...], "punish_of_money": n, "term_of_imprisonment": {"imprisonment": months,
"life_imprisonment": bool, "death_penalty": bool}}}``. Court names and judgment dates are
stripped from the data set, so the place of the offence is read from the fact text with the
``cpca`` package's division list, and the offence year from the first date stated in it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from analytics import store
from analytics.casenumber import Problem
from analytics.settings import PROJECT_ROOT

TABLE = "judgments"
UNKNOWN_PLACE = "未识别"
# The CAIL2018 development sample, where a developer machine has ../shared beside the checkout
# (never shipped: the data set may not be redistributed).
SAMPLE = PROJECT_ROOT.parent / "shared" / "data" / "cail2018" / "cail2018_sample_train_3675.jsonl"
# Chinese column headers for display (st.column_config / exports).
LABELS: dict[str, str] = {
    "province": "省份",
    "city": "城市",
    "records": "记录数",
    "share": "占比",
    "charge": "罪名",
    "fixed_term_records": "定期刑记录数(不含无期、死刑)",
    "mean_months": "平均刑期(月)",
    "median_months": "刑期中位数(月)",
    "life": "无期徒刑",
    "death": "死刑",
    "mean_fine": "平均罚金(元)",
}

DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  record_key VARCHAR PRIMARY KEY,  -- sha1 of the line + '#' + occurrence of that line in its file
  charges VARCHAR[] NOT NULL,
  articles INTEGER[] NOT NULL,
  imprisonment_months INTEGER,     -- fixed term; NULL when life imprisonment or death penalty
  life_imprisonment BOOLEAN NOT NULL,
  death_penalty BOOLEAN NOT NULL,
  fine DOUBLE,
  defendants INTEGER NOT NULL,
  province VARCHAR,
  city VARCHAR,
  county VARCHAR,
  adcode VARCHAR,
  offence_year INTEGER,
  source VARCHAR,
  fact VARCHAR
)"""

# --- place of offence ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Province, city and county named in a text (None where not stated), and the adcode."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None


@cache
def _cpca() -> tuple[object, dict[str, object]]:
    """cpca's name matcher and adcode table (loaded once: ~3,500 divisions)."""
    import warnings

    # cpca 0.5.5 reads its table with pkg_resources.resource_stream at import time; setuptools
    # 81+ no longer ships pkg_resources, so lend it a stand-in for that one call if needed.
    shim = None
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        import importlib.resources
        import sys
        import types

        shim = types.ModuleType("pkg_resources")
        shim.resource_stream = lambda pkg, name: importlib.resources.files(pkg).joinpath(name).open("rb")  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    try:
        with warnings.catch_warnings():  # pkg_resources warns that it is deprecated
            warnings.simplefilter("ignore")
            import cpca
    finally:
        if shim is not None:
            sys.modules.pop("pkg_resources", None)
    return cpca.matcher, cpca.ad_2_addr_dict


def _full_name_candidates(match: object) -> list[object]:
    """Divisions a matched name can stand for; bare short forms only for provinces.

    cpca also matches names with 省/市 stripped, so 海门 (海门镇 in 汕头) would become 海门市 and
    通州 (北京) would become a guess. Only full names (通州区, 海门市) and province short forms
    (江苏, 内蒙古), which are unambiguous, are taken.
    """
    infos = list(match.attr_infos)  # type: ignore[attr-defined]
    full = [a for a in infos if a.name == match.origin_value]  # type: ignore[attr-defined]
    if full:
        return full
    return [a for a in infos if a.rank == 0]


def _belongs(child: object, parent: object) -> bool:
    """Whether a division lies within another (by adcode prefix)."""
    return child.belong_to(parent)  # type: ignore[attr-defined]


def parse_place(text: str) -> Place:
    """The first place named down to county level in a text (else the deepest one found)."""
    matcher, ad_map = _cpca()
    best: list[object] = []
    chain: list[object] = []
    for m in matcher.iter(text):  # type: ignore[attr-defined]
        cands = _full_name_candidates(m)
        if not cands:
            continue
        if chain:
            inside = [c for c in cands if _belongs(c, chain[-1])]
            if inside:
                chain.append(inside[0])
                if inside[0].rank == 2:  # type: ignore[attr-defined]
                    best = chain
                    break
                continue
        # A new chain; an ambiguous county with no province/city before it is not guessed.
        if len(cands) > 1 and all(c.rank == 2 for c in cands):  # type: ignore[attr-defined]
            continue
        if len(chain) > len(best):
            best = chain
        chain = [cands[0]]
        if cands[0].rank == 2:  # type: ignore[attr-defined]
            best = chain
            break
    else:
        if len(chain) > len(best):
            best = chain
    if not best:
        return Place()
    code = best[-1].adcode  # type: ignore[attr-defined]

    def name(prefix: str) -> str | None:
        info = ad_map.get(prefix.ljust(12, "0"))
        return info.name if info is not None else None  # type: ignore[attr-defined]

    province = name(code[:2])
    city = name(code[:4]) if not code.endswith("0000") else None
    if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        city = province if code[:2] in ("11", "12", "31", "50") else None  # 直辖市: the city is itself
    county = name(code) if not code.endswith("00") else None
    return Place(province, city, county, code)


_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def offence_year(text: str, earliest: int = 1980, latest: int = 2030) -> int | None:
    """The first year stated in a fact text (e.g. 2016年3月), Chinese numerals included."""
    s = unicodedata.normalize("NFKC", text).translate(_CN_DIGITS)
    for m in _YEAR.finditer(s):
        y = int(m.group(1))
        if earliest <= y <= latest:
            return y
    return None


# --- import ------------------------------------------------------------------------------


@dataclass
class JudgmentImport:
    """What an import of judgment lines did."""

    lines: int = 0
    inserted: int = 0
    duplicates: int = 0  # already in the table
    bad: list[tuple[int, Problem]] = field(default_factory=list)  # (line number, why)

    @property
    def message(self) -> Problem:
        """One bilingual sentence."""
        return Problem(
            f"共 {self.lines} 行: 新增 {self.inserted}, 已存在 {self.duplicates}, 无法读取 {len(self.bad)}",
            f"{self.lines} lines: {self.inserted} added, {self.duplicates} already present, {len(self.bad)} unreadable",
        )


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the judgments table if absent."""
    con.execute(DDL)


def _int_list(values: object) -> list[int]:
    """Article numbers as ints (the data set stores them as ints or numeric strings)."""
    return [int(v) for v in values] if isinstance(values, list) else []  # type: ignore[union-attr]


def parse_record(obj: object, key: str, source: str) -> dict[str, object] | Problem:
    """One JSON object as a row of the judgments table, or why it is not a CAIL record."""
    if not isinstance(obj, dict) or not isinstance(obj.get("meta"), dict):
        return Problem("不是 CAIL 记录(缺少 meta)", "not a CAIL record (no meta)")
    meta, fact = obj["meta"], str(obj.get("fact") or "")
    term = meta.get("term_of_imprisonment") or {}
    charges = meta.get("accusation")
    if not isinstance(charges, list) or not charges or not isinstance(term, dict):
        return Problem("缺少罪名或刑期", "charges or sentence missing")
    try:
        life, death = bool(term.get("life_imprisonment")), bool(term.get("death_penalty"))
        months = None if life or death else int(term.get("imprisonment", 0))
        fine = meta.get("punish_of_money")
        row: dict[str, object] = {
            "record_key": key,
            "charges": [str(c) for c in charges],
            "articles": _int_list(meta.get("relevant_articles")),
            "imprisonment_months": months,
            "life_imprisonment": life,
            "death_penalty": death,
            "fine": None if fine is None else float(fine),
            "defendants": len(meta.get("criminals") or []),
        }
    except (TypeError, ValueError) as exc:
        return Problem(f"字段类型不正确: {exc}", f"field of the wrong type: {exc}")
    place = parse_place(fact)
    row.update(
        province=place.province,
        city=place.city,
        county=place.county,
        adcode=place.adcode,
        offence_year=offence_year(fact),
        source=source,
        fact=fact,
    )
    return row


def _lines(path_or_bytes: str | Path | bytes) -> tuple[Iterator[bytes], str]:
    """The raw lines of a JSONL file or byte string, and a source label."""
    if isinstance(path_or_bytes, bytes):
        return iter(io.BytesIO(path_or_bytes)), "upload"
    path = Path(path_or_bytes)
    return iter(path.read_bytes().splitlines()), path.name


def import_jsonl(
    con: duckdb.DuckDBPyConnection, path_or_bytes: str | Path | bytes, source: str | None = None
) -> JudgmentImport:
    """Import CAIL JSON lines into ``judgments`` (created if absent); re-importing adds nothing."""
    ensure_table(con)
    lines, label = _lines(path_or_bytes)
    source = source or label
    result = JudgmentImport()
    seen: dict[str, int] = {}
    rows = []
    for number, raw in enumerate(lines, start=1):
        raw = raw.strip()
        if not raw:
            continue
        result.lines += 1
        try:
            obj = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            result.bad.append((number, Problem(f"不是有效的 JSON: {exc}", f"not valid JSON: {exc}")))
            continue
        digest = hashlib.sha1(raw).hexdigest()
        # Identical lines are distinct records in CAIL (one per defendant/judgment copy): key
        # them by occurrence, so counts match the file and a re-import still adds nothing.
        seen[digest] = seen.get(digest, -1) + 1
        rec = parse_record(obj, f"{digest}#{seen[digest]}", source)
        if isinstance(rec, Problem):
            result.bad.append((number, rec))
        else:
            rows.append(rec)
    if rows:
        df = pd.DataFrame(rows)
        con.register("incoming_judgments", df)
        try:
            con.execute("BEGIN TRANSACTION")
            before = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]  # type: ignore[index]
            con.execute(
                f"""INSERT INTO {TABLE}
                    SELECT record_key, charges::VARCHAR[], articles::INTEGER[], imprisonment_months,
                           life_imprisonment, death_penalty, fine, defendants, province, city, county,
                           adcode, offence_year, source, fact
                    FROM incoming_judgments
                    WHERE record_key NOT IN (SELECT record_key FROM {TABLE})"""
            )
            after = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]  # type: ignore[index]
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("incoming_judgments")
        result.inserted = int(after - before)
    result.duplicates = len(rows) - result.inserted
    return result


def import_into(db_path: Path | str, path_or_bytes: str | Path | bytes, source: str | None = None) -> JudgmentImport:
    """``import_jsonl`` through a writable connection of its own (the app serves from another).

    Raises ``store.StoreError`` when the store cannot be opened or the insert fails (rolled back).
    """
    try:
        con = store.open_store(Path(db_path), read_only=False)
    except (OSError, duckdb.Error) as exc:
        raise store.StoreError(str(exc)) from exc
    try:
        return import_jsonl(con, path_or_bytes, source)
    except duckdb.Error as exc:
        raise store.StoreError(str(exc)) from exc
    finally:
        con.close()


# --- analysis ----------------------------------------------------------------------------


def sample_path() -> Path | None:
    """The CAIL2018 sample file when this machine has it, else None."""
    return SAMPLE if SAMPLE.is_file() else None


def record_count(con: duckdb.DuckDBPyConnection) -> int:
    """Number of judgment records in the store (0 without the table)."""
    if not has_table(con):
        return 0
    return int(con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])  # type: ignore[index]


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds a judgments table."""
    return bool(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]).fetchone()[0]  # type: ignore[index]
    )


def charges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every charge with its number of records, most frequent first."""
    if not has_table(con):
        return pd.DataFrame({"charge": pd.Series(dtype=str), "records": pd.Series(dtype="int64")})
    return con.execute(
        f"""SELECT charge, count(*) AS records
            FROM (SELECT unnest(charges) AS charge FROM {TABLE})
            GROUP BY charge ORDER BY records DESC, charge"""
    ).df()


def _by_place(
    con: duckdb.DuckDBPyConnection, level: str, charge: str | None, province: str | None = None
) -> pd.DataFrame:
    """Record counts and shares by a place column (province/city), unrecognised places last."""
    if not has_table(con):
        return pd.DataFrame(
            {
                level: pd.Series(dtype=str),
                "records": pd.Series(dtype="int64"),
                "share": pd.Series(dtype="float64"),
            }
        )
    conds, params = [], []
    if province is not None:
        conds.append("province = ?")
        params.append(province)
    if charge:
        conds.append("list_contains(charges, ?)")
        params.append(charge)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    return (
        con.execute(
            f"""SELECT coalesce({level}, '{UNKNOWN_PLACE}') AS place, count(*) AS records,
                   count(*) / sum(count(*)) OVER () AS share
            FROM {TABLE} {where}
            GROUP BY place
            ORDER BY place = '{UNKNOWN_PLACE}', records DESC, place""",
            params,
        )
        .df()
        .rename(columns={"place": level})
    )


def by_province(con: duckdb.DuckDBPyConnection, charge: str | None = None) -> pd.DataFrame:
    """Records per province of the offence with their share, optionally for one charge."""
    return _by_place(con, "province", charge)


def by_city(con: duckdb.DuckDBPyConnection, province: str = "江苏省", charge: str | None = None) -> pd.DataFrame:
    """Records per city within one province with their share, optionally for one charge."""
    return _by_place(con, "city", charge, province)


def sentence_stats(con: duckdb.DuckDBPyConnection, charge: str | None = None) -> pd.DataFrame:
    """Per charge: records, mean/median fixed-term imprisonment (months), life/death counts, mean fine.

    Fixed-term statistics leave out life imprisonment and death sentences (their month values
    are not terms). The share of suspended sentences is not given: CAIL's meta has no 缓刑 flag.
    """
    cols = [
        "charge",
        "records",
        "fixed_term_records",
        "mean_months",
        "median_months",
        "life",
        "death",
        "mean_fine",
    ]
    if not has_table(con):
        return pd.DataFrame(columns=cols)
    params: list[object] = [charge] if charge else []
    return con.execute(
        f"""SELECT charge, count(*) AS records,
                   count(imprisonment_months) AS fixed_term_records,
                   avg(imprisonment_months) AS mean_months,
                   median(imprisonment_months) AS median_months,
                   count(*) FILTER (WHERE life_imprisonment) AS life,
                   count(*) FILTER (WHERE death_penalty) AS death,
                   avg(fine) AS mean_fine
            FROM (SELECT unnest(charges) AS charge, * FROM {TABLE})
            {"WHERE charge = ?" if charge else ""}
            GROUP BY charge ORDER BY records DESC, charge""",
        params,
    ).df()[cols]


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A summary table with Chinese column headers, for display and download."""
    return df.rename(columns=LABELS)
