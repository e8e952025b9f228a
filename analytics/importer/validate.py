"""Validate rows: raw cells keyed by target -> schema records + one report line per row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analytics import codes, schema
from analytics.casenumber import CaseNumber, Problem, cross_check, parse_case_number
from analytics.dates import is_missing, parse_date
from analytics.importer import causes as standard
from analytics.importer import parties
from analytics.importer.columns import PARTY_NAME_TARGETS, TARGET_LABELS, check_mapping, guess_mapping
from analytics.importer.errors import ACCEPTED, CORRECTED, REJECTED
from analytics.importer.load import absent_columns, cases_frame
from analytics.importer.values import (
    _CATEGORY_ALIASES,
    _INDUSTRY_ALIASES,
    _OUTCOME_ALIASES,
    _PARTY_ALIASES,
    _PROCEDURE_ALIASES,
    _TRACK_ALIASES,
    LEGACY_ADCODES,
    NANTONG_ADCODES,
    SHORTEST_LIMIT,
    UNPLACED_ADCODE,
    UNPLACED_LABEL,
    _norm,
    _parse_int,
    _parse_number,
    _vocab,
    adcode_at,
    centralised_for,
    parse_amount,
    too_long,
)

Progress = Callable[[float, str], None]

# --- validation ----------------------------------------------------------------------------

STATUS_ZH = {ACCEPTED: "接受", CORRECTED: "已更正", REJECTED: "拒绝"}
REPORT_COLUMNS = ("row", "case_no", "status", "reason_zh", "reason_en")
UNCLASSIFIED_GROUP = "未归类"


@dataclass
class ValidationResult:
    """Rows ready for the store, and one report line for every row of the file."""

    accepted: pd.DataFrame  # schema columns, one row per case number
    report: pd.DataFrame  # REPORT_COLUMNS, one row per data row of the file
    problems: list[Problem] = field(default_factory=list)  # file-level: nothing can be imported
    notes: list[Problem] = field(default_factory=list)  # file-level remarks (units, unmapped columns)
    # Version stamp per accepted case (修改日期/导出日期 column), case_no -> date; empty without one.
    versions: dict[str, date] = field(default_factory=dict)
    # Schema columns the file does not carry (their stored values are kept on update).
    absent: frozenset[str] = frozenset()

    @property
    def counts(self) -> dict[str, int]:
        """Rows by status."""
        vc = self.report["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in (ACCEPTED, CORRECTED, REJECTED)}


@dataclass
class _Row:
    """Work state of one row during validation."""

    number: int | str
    raw_case_no: object
    rec: dict[str, object] = field(default_factory=dict)
    rejects: list[Problem] = field(default_factory=list)
    fixes: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    needs_origin: bool = False
    version: date | None = None

    def reject(self, zh: str, en: str) -> None:
        """Record why the row cannot be imported."""
        self.rejects.append(Problem(zh, en))

    def fix(self, zh: str, en: str) -> None:
        """Record a value the importer changed or filled in."""
        self.fixes.append(Problem(zh, en))

    def note(self, zh: str, en: str) -> None:
        """Record a remark that changes nothing."""
        self.notes.append(Problem(zh, en))


class _Validator:
    """Checks rows one by one against the schema, the case number and each other."""

    def __init__(
        self,
        causes: Mapping[str, str],
        today: date,
        mapped: set[str],
        scales: Mapping[str, float],
        first_year: int | None = None,
        secret: Callable[[], bytes] | None = None,
    ) -> None:
        self.causes = causes
        self.today = today
        self.mapped = mapped
        self.scales = scales
        self.first_year = first_year
        self._secret_source = secret or parties.load_secret
        self._secret: bytes | None = None
        self._dates_seen: dict[tuple[type, object], date | Problem] = {}
        self._known_causes = tuple(causes)

    @property
    def secret(self) -> bytes:
        """The party-key secret, read (or created) on first need only."""
        if self._secret is None:
            self._secret = self._secret_source()
        return self._secret

    def _date(self, value: object) -> date | Problem:
        """parse_date, each distinct cell parsed once (a file repeats its dates many times)."""
        key = (type(value), value)
        try:
            return self._dates_seen[key]
        except KeyError:
            got = self._dates_seen[key] = parse_date(value, latest=self.today)
            return got
        except TypeError:  # unhashable cell
            return parse_date(value, latest=self.today)

    def _enum(
        self,
        r: _Row,
        cells: Mapping[str, object],
        key: str,
        members: tuple[str, ...],
        aliases: Mapping[str, str],
        suffixes: tuple[str, ...] = (),
    ) -> str | None:
        """A controlled value, rejecting the row for an unknown one."""
        v = cells.get(key)
        if is_missing(v):
            return None
        got = _vocab(v, members, aliases, suffixes)
        if got is None:
            label = TARGET_LABELS[key]
            r.reject(
                f"{label}“{v}”不在允许值中({'、'.join(members)})",
                f"unknown {key} value '{v}' (allowed: {', '.join(members)})",
            )
        return got

    def _fill(self, r: _Row, cells: Mapping[str, object], key: str, implied: object) -> None:
        """Take a value implied by the case number; note it when the file's column was left blank."""
        if key in self.mapped and is_missing(cells.get(key)):
            r.fix(
                f"{TARGET_LABELS[key]}为空, 已按案号填为“{implied}”",
                f"empty {key} filled from the case number: {implied}",
            )
        r.rec[key] = implied

    def row(self, number: int | str, cells: Mapping[str, object], ragged: int | None, cleaned: int = 0) -> _Row:
        """Validate one row of raw cells keyed by import target."""
        r = _Row(number, cells.get("case_no"))
        if ragged is not None:
            r.reject(
                f"该行有 {ragged} 个字段, 多于表头(单元格内含分隔符?)",
                f"row has {ragged} fields, more than the header (delimiter inside a cell?)",
            )
        if cleaned:
            r.note(
                f"已删除 {cleaned} 个控制字符(如 NUL)",
                f"{cleaned} control character(s) (such as NUL) removed",
            )
        for key, value in cells.items():
            if type(value) is str and len(value) <= SHORTEST_LIMIT:
                continue  # (too_long's answer, without the call)
            long = too_long(key, value)
            if long is not None:
                r.rejects.append(long)
        if r.rejects and any("too long" in p.en for p in r.rejects):
            r.raw_case_no = None if too_long("case_no", r.raw_case_no) else r.raw_case_no
            return r
        parsed = parse_case_number(cells.get("case_no"), today=self.today, first_year=self.first_year)
        cn = parsed if isinstance(parsed, CaseNumber) and parsed.known_court else None
        if isinstance(parsed, Problem):
            r.rejects.append(parsed)
        elif not parsed.known_court:
            r.reject(
                f"法院代字 {parsed.court_code} 不是南通法院({parsed.court_name or '未知法院'})",
                f"court code {parsed.court_code} is not a Nantong court ({parsed.court_name or 'unknown court'})",
            )
        self._dates(r, cells)
        self._values(r, cells)
        self._parties(r, cells)
        self._cause(r, cells)
        if cn is not None:
            self._from_case_number(r, cells, cn)
        return r

    def version(self, cells: Mapping[str, object]) -> date | None:
        """The row's version stamp (修改日期/导出日期), None when absent or unreadable."""
        v = cells.get("modified_at")
        if is_missing(v):
            return None
        got = parse_date(v, latest=self.today)
        return got if isinstance(got, date) else None

    def _parties(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Party names/credit codes -> keyed pseudonyms; the names themselves go nowhere."""
        for side in ("plaintiff", "defendant"):
            name, code = cells.get(f"{side}_name"), cells.get(f"{side}_code")
            if is_missing(name) and is_missing(code):
                continue
            code_s = None
            if not is_missing(code):
                code_s = parties.normalise_code(str(code))
                if code_s is None:
                    r.note(
                        f"{TARGET_LABELS[side + '_code']}格式不正确, 未使用",
                        f"{side} credit code is not a valid 统一社会信用代码: not used",
                    )
            name_s = None if is_missing(name) else str(name)
            key = parties.party_key(name_s, code_s, self.secret)
            if key is None:
                continue
            if r.rec.get(f"{side}_key") is not None and r.rec[f"{side}_key"] != key:
                r.note(
                    f"{'原告' if side == 'plaintiff' else '被告'}标识列与名称不一致, 以名称为准",
                    f"the {side} key column disagrees with the name: the key from the name is kept",
                )
            r.rec[f"{side}_key"] = key
            if code_s is not None and r.rec.get(f"{side}_kind") is None:
                r.rec[f"{side}_kind"] = "企业"

    def _dates(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Filing (required) and closing dates, in order, not in the future."""
        got = self._date(cells.get("filed_date"))
        if isinstance(got, Problem):
            r.reject("立案日期: " + got.zh, "filing date: " + got.en)
        filed = got if isinstance(got, date) else None
        closed = None
        if not is_missing(cells.get("closed_date")):
            got = self._date(cells.get("closed_date"))
            if isinstance(got, Problem):
                r.reject("结案日期: " + got.zh, "closing date: " + got.en)
            closed = got if isinstance(got, date) else None
        if filed and closed and closed < filed:
            r.reject(
                f"结案日期 {closed} 早于立案日期 {filed}",
                f"closing date {closed} is before filing date {filed}",
            )
        r.rec["filed_date"], r.rec["closed_date"] = filed, closed

    def _values(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Outcome, track, party kinds, industry, amounts, coordinates, keys."""
        rec = r.rec
        outcome = self._enum(r, cells, "outcome", schema.OUTCOMES, _OUTCOME_ALIASES, ("结案",))
        if outcome and is_missing(cells.get("closed_date")):
            r.reject(f"有结案方式“{outcome}”但无结案日期", f"outcome '{outcome}' given without a closing date")
        if outcome is None and rec.get("closed_date") is not None and is_missing(cells.get("outcome")):
            outcome = "其他"
            r.fix("已结案但无结案方式, 记为“其他”", "closed without an outcome: recorded as 其他")
        rec["outcome"] = outcome
        # 审判程序 columns often hold the 适用程序 (普通/简易): route such values to track.
        proc_cell = cells.get("procedure")
        track_cell = cells.get("track")
        if not is_missing(proc_cell) and _vocab(proc_cell, schema.TRACKS, _TRACK_ALIASES) and is_missing(track_cell):
            track_cell, proc_cell = proc_cell, None
        # ... and 适用程序 columns of case-management exports hold 第二审程序 for an appeal: a stage,
        # which the case number implies anyway; it moves to procedure (and is cross-checked there).
        if (
            not is_missing(track_cell)
            and not _vocab(track_cell, schema.TRACKS, _TRACK_ALIASES)
            and _vocab(track_cell, schema.PROCEDURES, _PROCEDURE_ALIASES)
        ):
            if is_missing(proc_cell):
                proc_cell = track_cell
            track_cell = None
        rec["track"] = self._enum(r, {"track": track_cell}, "track", schema.TRACKS, _TRACK_ALIASES)
        rec["procedure"] = self._enum(r, {"procedure": proc_cell}, "procedure", schema.PROCEDURES, _PROCEDURE_ALIASES)
        rec["plaintiff_kind"] = self._enum(r, cells, "plaintiff_kind", schema.PARTY_KINDS, _PARTY_ALIASES)
        rec["defendant_kind"] = self._enum(r, cells, "defendant_kind", schema.PARTY_KINDS, _PARTY_ALIASES)
        for side in ("plaintiff", "defendant"):
            ind = cells.get(f"{side}_industry")
            rec[f"{side}_industry"] = None
            if not is_missing(ind):
                rec[f"{side}_industry"] = _vocab(ind, schema.INDUSTRIES, _INDUSTRY_ALIASES) or "其他行业"
                if rec[f"{side}_industry"] == "其他行业" and _norm(ind) != "其他行业":
                    r.fix(
                        f"行业“{ind}”不在分类中, 记为“其他行业”",
                        f"industry '{ind}' not in the list: recorded as 其他行业",
                    )
        for key in ("amount", "amount_recovered"):
            v = parse_amount(cells.get(key), key, self.scales.get(key, 1.0))
            if isinstance(v, Problem):
                r.rejects.append(v)
                v = None
            rec[key] = v
        for k in ("plaintiff_key", "defendant_key"):
            key_v = _parse_int(cells.get(k), k)
            if isinstance(key_v, Problem):
                r.rejects.append(key_v)
                key_v = None
            rec[k] = key_v
        self._coordinates(r, cells)
        origin = cells.get("origin_case_no")
        rec["origin_case_no"] = None
        if not is_missing(origin):
            o = parse_case_number(origin, today=self.today, first_year=self.first_year)
            if isinstance(o, Problem):
                rec["origin_case_no"] = str(origin).strip()
                r.note("原审案号无法解析, 按原样保存: " + o.zh, "origin case number kept as typed: " + o.en)
            else:
                rec["origin_case_no"] = o.canonical

    def _coordinates(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Longitude/latitude: numbers, in range, swapped back if typed the wrong way round."""
        lon = _parse_number(cells.get("lon"), "lon")
        lat = _parse_number(cells.get("lat"), "lat")
        for v in (lon, lat):
            if isinstance(v, Problem):
                r.rejects.append(v)
        if isinstance(lon, Problem) or isinstance(lat, Problem):
            lon = lat = None
        if (lon is None) != (lat is None):
            r.fix("经纬度只有一个, 已忽略", "only one of longitude/latitude given: ignored")
            lon = lat = None
        if lon is not None and lat is not None:
            if 3 <= lon <= 54 and 73 <= lat <= 136:  # China's latitude and longitude ranges, swapped
                lon, lat = lat, lon
                r.fix("经度与纬度填反, 已对调", "longitude and latitude were swapped: corrected")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                r.reject(f"经纬度超出范围: {lon}, {lat}", f"coordinates out of range: {lon}, {lat}")
                lon = lat = None
        r.rec["lon"], r.rec["lat"] = lon, lat

    def _from_case_number(self, r: _Row, cells: Mapping[str, object], cn: CaseNumber) -> None:
        """Fields the case number implies: fill gaps, reject contradictions, derive the district."""
        rec = r.rec
        rec["case_no"] = cn.canonical
        check = {k: cells.get(k) for k in ("court_code", "type_code", "category", "court_name")}
        if not is_missing(cells.get("category")):
            check["category"] = (
                _vocab(cells["category"], schema.CATEGORIES, _CATEGORY_ALIASES, ("案件", "类", "案"))
                or cells["category"]
            )
        check["procedure"] = rec.get("procedure")
        check["filed_date"] = rec.get("filed_date")
        for m in cross_check(cn, check):
            r.rejects.append(m.problem)
        if rec.get("track") and cn.procedure != "一审":
            r.fix(
                f"适用程序“{rec['track']}”仅用于一审, 已清除",
                f"track '{rec['track']}' applies to first instance only: cleared",
            )
            rec["track"] = None
        for key, implied in (
            ("court_code", cn.court_code),
            ("type_code", cn.type_code),
            ("category", cn.category),
            ("procedure", cn.procedure),
        ):
            self._fill(r, cells, key, implied)
        court = codes.court_for(cn.court_code)
        assert court is not None  # known_court was checked
        given = _parse_int(cells.get("adcode"), "adcode")
        if isinstance(given, Problem):
            r.rejects.append(given)
            given = None
        if given is not None:
            current = LEGACY_ADCODES.get(given, given)
            cause = rec.get("cause")
            centralised = centralised_for(
                cn.court_code, rec.get("filed_date"), cn.specialised, str(cause) if cause else None  # type: ignore[arg-type]
            )
            if current == UNPLACED_ADCODE and court.adcode is None:
                rec["adcode"] = current
                return
            if current not in NANTONG_ADCODES:
                r.reject(f"行政区划代码 {given} 不是南通的区县", f"adcode {given} is not a Nantong district")
            elif court.adcode is not None and current != court.adcode and not centralised:
                r.reject(
                    f"行政区划代码 {given} 与法院所在区县 {court.adcode} 不一致",
                    f"adcode {given} contradicts the court's district {court.adcode}",
                )
            elif current != given:
                r.fix(
                    f"旧区划代码 {given} 已更新为 {current}",
                    f"former division code {given} updated to {current}",
                )
            rec["adcode"] = current
            return
        if court.adcode is not None:
            rec["adcode"] = court.adcode
            return
        # Intermediate court: place of the dispute if known, else the court it came from.
        if rec.get("lon") is not None:
            a = adcode_at(float(rec["lon"]), float(rec["lat"]))  # type: ignore[arg-type]
            if a is not None:
                rec["adcode"] = a
                r.fix(
                    f"中院案件按经纬度归入区县 {a}",
                    f"intermediate-court case placed in district {a} by its coordinates",
                )
                return
        r.needs_origin = True

    def _cause_text(self, cause: str) -> str:
        """A cause as the store writes it: as held, else the standard list's spelling, else as typed."""
        if cause in self.causes:
            return cause
        std = standard.lookup(cause)
        return std.cause if std is not None else cause

    def _cause(self, r: _Row, cells: Mapping[str, object]) -> None:
        """Cause (required): the store's, else the standard list's; unknown ones rejected with suggestions.

        A case-management export has 立案案由 and 结案案由: a closed case is counted under its
        结案案由, a pending one under its 立案案由; the 立案案由 is kept as well (``cause_filed``).
        """
        cause, closed = cells.get("cause"), r.rec.get("closed_date") is not None
        filed_cell = cells.get("cause_filed")
        r.rec["cause_filed"] = None if is_missing(filed_cell) else self._cause_text(str(filed_cell).strip())
        if is_missing(cause):
            filed_c, closed_c = cells.get("cause_filed"), cells.get("cause_closed")
            if closed and not is_missing(closed_c):
                cause = closed_c
                if not is_missing(filed_c) and _norm(filed_c) != _norm(closed_c):
                    r.note(
                        f"立案案由“{filed_c}”与结案案由不同, 已结案按结案案由“{closed_c}”记",
                        f"filing cause '{filed_c}' differs: a closed case is recorded under its closing cause",
                    )
            else:
                cause = filed_c if not is_missing(filed_c) else closed_c
        if is_missing(cause):
            r.reject("案由为空", "cause (案由) is empty")
            return
        cause_s = str(cause).strip()
        group = cells.get("cause_group")
        group_s = None if is_missing(group) else str(group).strip()
        if cause_s not in self.causes:
            std = standard.lookup(cause_s)
            if std is None:
                similar = standard.suggest(cause_s, self._known_causes)
                hint_zh = f"; 相近的标准案由: {'、'.join(similar)}" if similar else ""
                hint_en = f"; similar to: {', '.join(similar)}" if similar else ""
                r.reject(
                    f"案由“{cause_s}”不在标准案由/罪名表中, 也不在案件库中{hint_zh}",
                    f"cause '{cause_s}' is neither a standard cause/charge nor in the store{hint_en}",
                )
                return
            if std.cause != cause_s:
                r.fix(
                    f"案由“{cause_s}”按标准写法记为“{std.cause}”", f"cause '{cause_s}' written as standard: {std.cause}"
                )
                cause_s = std.cause
            if cause_s not in self.causes:
                r.note(
                    f"新案由“{cause_s}”(标准案由表中有, 案件库中尚无)",
                    f"cause '{cause_s}' is new to the store (it is in the standard list)",
                )
                group_s = group_s or std.group
        r.rec["cause"] = cause_s
        r.rec["cause_group"] = group_s or self.causes.get(cause_s) or UNCLASSIFIED_GROUP


def origins_wanted(rows: list[_Row]) -> set[str]:
    """Case numbers whose district places pending intermediate-court rows: their origins, themselves."""
    pending = [r for r in rows if r.needs_origin and not r.rejects]
    wanted = {str(r.rec["origin_case_no"]) for r in pending if r.rec.get("origin_case_no")}
    return wanted | {str(r.rec["case_no"]) for r in pending}


def _resolve_origins(
    rows: list[_Row],
    lookup: Callable[[list[str]], Mapping[str, int]] | None,
    known: dict[str, int] | None = None,
) -> None:
    """Districts of intermediate-court cases from their origin case (in the file, the store, or its court).

    ``known``: districts the file gives (case_no -> adcode, the last valid row of a case number
    winning), at least for ``origins_wanted(rows)``; by default taken from ``rows``.
    """
    pending = [r for r in rows if r.needs_origin and not r.rejects]
    if known is None:
        known = {
            str(r.rec["case_no"]): int(r.rec["adcode"])  # type: ignore[call-overload]
            for r in rows
            if not r.rejects and r.rec.get("adcode") is not None
        }
    # Origins not placed by the file, and the pending cases themselves (the store may hold them).
    wanted = origins_wanted(rows)
    origins = sorted(wanted - set(known))
    if lookup and origins:
        known.update({k: int(v) for k, v in lookup(origins).items() if v is not None})
    for _ in range(3):  # chains: 中院 民再 -> 中院 民终 -> 基层 民初
        for r in pending:
            if r.rec.get("adcode") is not None:
                continue
            o = r.rec.get("origin_case_no")
            adcode = known.get(str(o)) if o else None
            if adcode is None and o:
                p = parse_case_number(o, first_year=1990)
                court = codes.court_for(p.court_code) if isinstance(p, CaseNumber) else None
                adcode = court.adcode if court else None
            if adcode is not None:
                r.rec["adcode"] = adcode
                known[str(r.rec["case_no"])] = adcode
                r.fix(
                    f"中院案件按原审案号 {o} 归入区县 {adcode}",
                    f"intermediate-court case placed in district {adcode} via origin case {o}",
                )
    for r in pending:
        if r.rec.get("adcode") is None:
            stored = known.get(str(r.rec["case_no"]))
            if stored is not None:
                r.rec["adcode"] = stored
                continue
            r.rec["adcode"] = UNPLACED_ADCODE
            r.fix(
                f"中院案件无法确定所属区县(无经纬度、无可用原审案号), 记为“{UNPLACED_LABEL}”({UNPLACED_ADCODE})",
                f"intermediate-court case not placed in a district (no coordinates or usable origin case): "
                f"recorded as city-wide/unplaced ({UNPLACED_ADCODE})",
            )


def unmapped_notes(mapping: Mapping[str, str], columns: Iterable[object]) -> list[Problem]:
    """The note listing the file's columns that are not imported (empty when all are)."""
    unmapped = [str(c) for c in columns if str(c) not in mapping or not mapping[str(c)]]
    if not unmapped:
        return []
    return [Problem(f"未导入的列: {', '.join(unmapped)}", f"columns not imported: {', '.join(unmapped)}")]


def prepare(
    mapping: Mapping[str, str],
    columns: Iterable[object],
    notes: list[Problem],
    causes: Mapping[str, str] | None,
    today: date,
    first_year: int | None,
    secret: Callable[[], bytes] | None,
) -> tuple[dict[str, str], _Validator]:
    """Target -> source column, and the row checker (amount units noted in ``notes``)."""
    cols = [str(c) for c in columns]
    src = {t: s for s, t in mapping.items() if t and s in cols}
    scales: dict[str, float] = {t: 1e4 for t in ("amount", "amount_recovered") if t in src and "万元" in str(src[t])}
    for t in scales:
        notes.append(
            Problem(f"列“{src[t]}”以万元计, 已换算为元", f"column '{src[t]}' is in 10,000 yuan: converted to yuan")
        )
    return src, _Validator(causes or {}, today, set(src), scales, first_year, secret)


def tail_notes(src: Mapping[str, str]) -> list[Problem]:
    """File-level notes that follow from the columns mapped (收案日期, two causes, party columns)."""
    notes: list[Problem] = []
    if "received_date" in src:
        notes.append(
            Problem(
                f"列“{src['received_date']}”(收案日期)未导入: 新收按立案日期统计",
                f"column '{src['received_date']}' (received date) not imported: new cases count on the filing date",
            )
        )
    if "cause_filed" in src and "cause_closed" in src:
        notes.append(
            Problem(
                "已结案件按结案案由、未结案件按立案案由统计; 立案案由另行保存",
                "closed cases are counted under the closing cause, pending ones under the filing cause; "
                "the filing cause is kept as well",
            )
        )
    party_cols = sorted(TARGET_LABELS[t] for t in PARTY_NAME_TARGETS if t in src)
    if party_cols:
        notes.append(
            Problem(
                f"当事人列({'、'.join(party_cols)})仅用于生成匿名标识, 名称不入库",
                f"party columns ({len(party_cols)}) only yield pseudonymous keys; no name is stored",
            )
        )
    return notes


def _reasons(problems: list[Problem]) -> tuple[str, str]:
    """Problems joined into one Chinese and one English text."""
    return "；".join(p.zh for p in problems), "; ".join(p.en for p in problems)


def validate(
    df: pd.DataFrame,
    mapping: Mapping[str, str] | None = None,
    *,
    causes: Mapping[str, str] | None = None,
    origin_lookup: Callable[[list[str]], Mapping[str, int]] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    first_year: int | None = None,
    secret: Callable[[], bytes] | None = None,
) -> ValidationResult:
    """Check every row of a read table; accepted + rejected always equals the number of rows.

    ``first_year``: earliest case-number year accepted (configuration and store, see load.py);
    ``secret``: where the party-key secret comes from (default: the installation's secret file).
    Rows are labelled by ``df.index``: the row number in the file, or "sheet!row" for workbooks
    read from several sheets.
    """
    progress = progress or (lambda _f, _m: None)
    mapping = dict(mapping) if mapping is not None else guess_mapping(df.columns)
    today = today or date.today()
    numbers = [i if isinstance(i, str) else int(i) for i in df.index]
    case_col = next((s for s, t in mapping.items() if t == "case_no" and s in df.columns), None)
    raw_case = df[case_col].tolist() if case_col else [None] * len(df)
    problems, notes = check_mapping(mapping, df.columns), unmapped_notes(mapping, df.columns)
    if problems:
        zh, en = _reasons(problems)
        report = pd.DataFrame(
            {"row": numbers, "case_no": raw_case, "status": REJECTED, "reason_zh": zh, "reason_en": en},
            columns=list(REPORT_COLUMNS),
        )
        return ValidationResult(cases_frame([]), report, problems, notes)
    src, checker = prepare(mapping, df.columns, notes, causes, today, first_year, secret)
    ragged: Mapping[int | str, int] = df.attrs.get("ragged", {}) or {}
    cleaned: Mapping[int | str, int] = df.attrs.get("cleaned", {}) or {}
    versions: dict[str, date] = {}
    targets = list(src)
    data = df[[src[t] for t in targets]].to_numpy(dtype=object)
    rows: list[_Row] = []
    step = max(1, len(numbers) // 20)
    for i, (num, values) in enumerate(zip(numbers, data, strict=True)):
        cells = dict(zip(targets, values, strict=True))
        row = checker.row(num, cells, ragged.get(num), cleaned.get(num, 0))
        stamp = checker.version(cells) if "modified_at" in cells else None
        if stamp is not None:
            row.version = stamp
        rows.append(row)
        if i % step == 0:
            progress(0.5 * i / max(1, len(numbers)), f"校验第 {i + 1} 行 / checking row {i + 1}")
    _resolve_origins(rows, origin_lookup)
    # Duplicates: the row with the latest version stamp (修改日期), else the last valid row of a
    # case number wins; earlier ones are reported.
    last: dict[str, _Row] = {}
    for r in rows:
        if r.rejects:
            continue
        key = str(r.rec["case_no"])
        held = last.get(key)
        if held is None or (r.version or date.min) >= (held.version or date.min):
            last[key] = r
    for r in rows:
        kept = last.get(str(r.rec.get("case_no"))) if not r.rejects else None
        if kept is not None and kept is not r:
            why_zh, why_en = ("最后出现", "last occurrence")
            if kept.version is not None:
                why_zh, why_en = ("修改日期较晚", "later modification date")
            r.reject(
                f"案号与第 {kept.number} 行重复, 保留{why_zh}的第 {kept.number} 行",
                f"same case number as row {kept.number}, which is kept ({why_en})",
            )
    report_rows, records = [], []
    for r in rows:
        if r.rejects:
            status, text = REJECTED, _reasons(r.rejects + r.notes)
        else:
            status = CORRECTED if r.fixes else ACCEPTED
            text = _reasons(r.fixes + r.notes)
            records.append(r.rec)
            if r.version is not None:
                versions[str(r.rec["case_no"])] = r.version
        case_no = r.rec.get("case_no", r.raw_case_no) if status != REJECTED else r.raw_case_no
        report_rows.append((r.number, None if is_missing(case_no) else str(case_no), status, *text))
    report = pd.DataFrame(report_rows, columns=list(REPORT_COLUMNS))
    progress(0.5, "校验完成 / validation done")
    notes += tail_notes(src)
    return ValidationResult(cases_frame(records), report, [], notes, versions, absent_columns(set(src)))

