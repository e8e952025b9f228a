"""Topic configuration: one TOML file per topic, parsed into frozen dataclasses and validated.

A topic (专题) is a case selection, the sections to show, risk rules, text rules and
recommendation blocks. Everything wrong in a file (unknown key, unknown section type, wrong type,
bad regular expression, reference to an undefined risk) raises ``TopicError`` naming the file and
the field, in Chinese and English. Values that depend on the store (causes, cause groups, type
codes, places) cannot be checked here; ``vocabulary_warnings`` compares them with a store's
filter options and returns warnings instead, since a topic may list causes a given store lacks.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analytics import schema
from analytics.settings import PROJECT_ROOT

TOPICS_ENV = "SHUZHU_TOPICS"  # folder of topic files (default: topics/ in the project root)

SIDES = ("plaintiff", "defendant", "either")
FREQS = ("month", "quarter", "year")
SPANS = ("all", "filter")
SCOPES = ("national", "local")
RISK_KINDS = ("rising", "level", "concentration")
MEASURES = ("count", "share")
DATES = ("filed", "closed")

# Section type -> (default Chinese title, {option: allowed values or a type}).
SECTION_TYPES: dict[str, tuple[str, dict[str, tuple[str, ...] | type]]] = {
    "trend": ("案件趋势", {"freq": FREQS, "span": SPANS, "markers": list}),
    "share": ("占本地区案件比重", {"span": SPANS}),
    "map": ("各区县分布", {"metric": ("cases", "per_10k", "share")}),
    "mix": ("纠纷类型构成", {"by": ("cause", "cause_group"), "top": int}),
    "roles": ("企业诉讼地位", {}),
    "amounts": ("标的金额", {}),
    "outcomes": ("执行结果（终本率）", {"span": SPANS}),
    "durations": ("审理/执行用时", {}),
    "repeat": ("反复涉诉企业", {"top": int}),
    "risks": ("风险点（按规则排序）", {}),
    "judgments_provinces": ("全国裁判文书：按省份", {}),
    "judgments_sentences": ("裁判文书：刑罚", {"scope": SCOPES}),
    "text_findings": ("裁判文书：作案工具与方式（规则识别）", {"scope": SCOPES}),
    "recommendations": ("对策建议", {}),
}


class TopicError(ValueError):
    """A topic file is invalid; names the file and the field, in Chinese and English."""

    def __init__(self, file: str, field_name: str, zh: str, en: str) -> None:
        self.file, self.field, self.zh, self.en = file, field_name, zh, en
        super().__init__(f"专题配置 {file} 字段 {field_name}：{zh} / topic config {file}, field {field_name}: {en}")


@dataclass(frozen=True)
class PartyRule:
    """Which party must match: side, party kinds (自然人/企业 ...) and GB/T 4754 industries."""

    side: str = "either"
    kinds: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """A case selection; empty tuples mean 'any'. Fields are ANDed, values within a field ORed."""

    causes: tuple[str, ...] = ()
    cause_groups: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    type_codes: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    places: tuple[int, ...] = ()
    party: PartyRule | None = None


@dataclass(frozen=True)
class Marker:
    """A dated event drawn on a trend chart (e.g. the fishing ban)."""

    on: date
    label: str


@dataclass(frozen=True)
class Section:
    """One section of a topic page: its type, title, note and options."""

    type: str
    title: str
    note: str = ""
    options: tuple[tuple[str, Any], ...] = ()

    def opt(self, name: str, default: Any = None) -> Any:
        """An option's value, or ``default``."""
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class Risk:
    """A risk rule: what is measured on which cases, and the threshold that raises it."""

    id: str
    title: str
    kind: str  # rising | level | concentration
    measure: str = "count"  # count | share
    part: Selection = field(default_factory=Selection)
    base: Selection = field(default_factory=Selection)
    date: str = "filed"
    min_change: float = 0.1  # rising/count: relative change
    min_points: float = 0.02  # rising/share: change of the share (0.02 = 2 percentage points)
    min_share: float = 0.1  # level/share
    max_key_share: float = 0.1  # concentration: keys holding half the cases / all keys
    min_cases: int = 10  # cases needed in the base (current window) for the rule to speak
    why: str = ""


@dataclass(frozen=True)
class TextRule:
    """A text finding: keywords (substrings) and regular expressions; ``exclude`` spans are blanked first."""

    id: str
    label: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgmentScope:
    """Which judgment records belong to the topic: charge names, and the local city."""

    charges: tuple[str, ...]
    local_city: str = ""


@dataclass(frozen=True)
class Recommendation:
    """A recommendation text block, optionally tied to a risk (emphasised when it is raised)."""

    title: str
    text: str
    risk: str = ""


@dataclass(frozen=True)
class Topic:
    """A validated topic."""

    id: str
    title: str
    title_en: str
    summary: str
    order: int
    focus_adcode: int | None
    base_categories: tuple[str, ...]
    base_procedures: tuple[str, ...]
    selection: Selection
    sections: tuple[Section, ...]
    risks: tuple[Risk, ...] = ()
    text_rules: tuple[TextRule, ...] = ()
    judgments: JudgmentScope | None = None
    recommendations: tuple[Recommendation, ...] = ()

    def section_types(self) -> tuple[str, ...]:
        """The section types, in page order."""
        return tuple(s.type for s in self.sections)


# --- parsing helpers -------------------------------------------------------------------------


class _Reader:
    """Typed access to one TOML table with errors that name the field."""

    def __init__(self, file: str, table: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> None:
        self.file, self.table, self.path = file, table, path
        if not isinstance(table, Mapping):
            self.fail("", "应为表（table）", "must be a table")
        unknown = [k for k in table if k not in allowed]
        if unknown:
            self.fail(unknown[0], f"未知的字段（可用：{', '.join(allowed)}）",
                      f"unknown key (allowed: {', '.join(allowed)})")

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path and key else (self.path or key)

    def fail(self, key: str, zh: str, en: str) -> None:
        raise TopicError(self.file, self.name(key), zh, en)

    def str(self, key: str, default: str | None = None) -> str:
        v = self.table.get(key, default)
        if v is None:
            self.fail(key, "缺少必填字段", "required field missing")
        if not isinstance(v, str):
            self.fail(key, f"应为字符串，实际为 {type(v).__name__}", f"must be a string, got {type(v).__name__}")
        return v

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        v = self.str(key, default)
        if v not in allowed:
            self.fail(key, f"无效的值 '{v}'（可选：{', '.join(allowed)}）",
                      f"invalid value '{v}' (allowed: {', '.join(allowed)})")
        return v

    def int(self, key: str, default: int | None = None) -> int | None:
        v = self.table.get(key, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(key, f"应为整数，实际为 {type(v).__name__}", f"must be an integer, got {type(v).__name__}")
        return v

    def num(self, key: str, default: float) -> float:
        v = self.table.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.fail(key, f"应为数值，实际为 {type(v).__name__}", f"must be a number, got {type(v).__name__}")
        return float(v)

    def strs(self, key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        v = self.table.get(key, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.fail(key, "应为字符串列表", "must be a list of strings")
        if allowed is not None:
            bad = [x for x in v if x not in allowed]
            if bad:
                self.fail(key, f"未知的值 {', '.join(bad)}（可选：{', '.join(allowed)}）",
                          f"unknown value(s) {', '.join(bad)} (allowed: {', '.join(allowed)})")
        return tuple(v)

    def ints(self, key: str) -> tuple[int, ...]:
        v = self.table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            self.fail(key, "应为整数列表（区划代码）", "must be a list of integers (adcodes)")
        return tuple(v)

    def tables(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        v = self.table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, Mapping) for x in v):
            self.fail(key, f"应为表数组（[[{key}]]）", f"must be an array of tables ([[{key}]])")
        return [(f"{self.name(key)}[{i}]", t) for i, t in enumerate(v)]


_SELECTION_KEYS = ("causes", "cause_groups", "categories", "type_codes", "procedures", "places", "party")


def _selection(file: str, table: Mapping[str, Any], path: str, outcomes: bool = False) -> Selection:
    keys = (*_SELECTION_KEYS, "outcomes") if outcomes else _SELECTION_KEYS
    r = _Reader(file, table, path, keys)
    party = None
    if "party" in table:
        p = _Reader(file, table["party"], r.name("party"), ("side", "kinds", "industries"))
        party = PartyRule(p.choice("side", SIDES, "either"), p.strs("kinds", schema.PARTY_KINDS),
                          p.strs("industries", schema.INDUSTRIES))
        if not party.kinds and not party.industries:
            p.fail("", "至少需要 kinds 或 industries 之一", "needs kinds or industries")
    return Selection(
        causes=r.strs("causes"),
        cause_groups=r.strs("cause_groups"),
        categories=r.strs("categories", schema.CATEGORIES),
        type_codes=r.strs("type_codes"),
        procedures=r.strs("procedures", schema.PROCEDURES),
        outcomes=r.strs("outcomes", schema.OUTCOMES) if outcomes else (),
        places=r.ints("places"),
        party=party,
    )


def _markers(r: _Reader, value: Any) -> tuple[Marker, ...]:
    if not isinstance(value, list):
        r.fail("markers", "应为表数组，如 [{date = 2020-01-01, label = \"…\"}]",
               "must be a list of tables like [{date = 2020-01-01, label = \"...\"}]")
    out = []
    for i, m in enumerate(value):
        mr = _Reader(r.file, m, r.name(f"markers[{i}]"), ("date", "label"))
        d = m.get("date")
        if isinstance(d, str):
            try:
                d = date.fromisoformat(d)
            except ValueError:
                d = None
        if not isinstance(d, date):
            mr.fail("date", "应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")
        out.append(Marker(d, mr.str("label")))
    return tuple(out)


def _section(file: str, table: Mapping[str, Any], path: str) -> Section:
    kind = table.get("type") if isinstance(table, Mapping) else None
    if kind not in SECTION_TYPES:
        raise TopicError(file, f"{path}.type", f"未知的栏目类型 '{kind}'（可选：{', '.join(SECTION_TYPES)}）",
                         f"unknown section type '{kind}' (allowed: {', '.join(SECTION_TYPES)})")
    default_title, spec = SECTION_TYPES[kind]
    r = _Reader(file, table, path, ("type", "title", "note", *spec))
    options: list[tuple[str, Any]] = []
    for name, allowed in spec.items():
        if name not in table:
            continue
        if allowed is list:
            options.append((name, _markers(r, table[name])))
        elif allowed is int:
            options.append((name, r.int(name)))
        else:
            options.append((name, r.choice(name, allowed, "")))  # type: ignore[arg-type]
    return Section(kind, r.str("title", default_title), r.str("note", ""), tuple(options))


def _risk(file: str, table: Mapping[str, Any], path: str) -> Risk:
    keys = ("id", "title", "kind", "measure", "part", "base", "date", "min_change", "min_points",
            "min_share", "max_key_share", "min_cases", "why")
    r = _Reader(file, table, path, keys)
    risk = Risk(
        id=r.str("id"), title=r.str("title"), kind=r.choice("kind", RISK_KINDS, ""),
        measure=r.choice("measure", MEASURES, "count"),
        part=_selection(file, table.get("part", {}), r.name("part"), outcomes=True),
        base=_selection(file, table.get("base", {}), r.name("base"), outcomes=True),
        date=r.choice("date", DATES, "filed"),
        min_change=r.num("min_change", 0.1), min_points=r.num("min_points", 0.02),
        min_share=r.num("min_share", 0.1), max_key_share=r.num("max_key_share", 0.1),
        min_cases=int(r.int("min_cases", 10) or 0), why=r.str("why", ""),
    )
    if risk.kind == "level" and risk.measure != "share":
        r.fail("measure", "level 规则只支持 measure = \"share\"", "a level rule needs measure = \"share\"")
    return risk


def _text_rule(file: str, table: Mapping[str, Any], path: str) -> TextRule:
    r = _Reader(file, table, path, ("id", "label", "keywords", "patterns", "exclude"))
    rule = TextRule(r.str("id"), r.str("label"), r.strs("keywords"), r.strs("patterns"), r.strs("exclude"))
    if not rule.keywords and not rule.patterns:
        r.fail("keywords", "至少需要一个关键词或正则表达式", "needs at least one keyword or pattern")
    for key in ("patterns", "exclude"):
        for i, p in enumerate(getattr(rule, key)):
            try:
                re.compile(p)
            except re.error as exc:
                r.fail(f"{key}[{i}]", f"正则表达式无效：{exc}", f"invalid regular expression: {exc}")
    return rule


TOP_KEYS = ("topic", "selection", "sections", "risks", "text_rules", "judgments", "recommendations")


def parse_topic(data: Mapping[str, Any], topic_id: str, file: str = "<topic>") -> Topic:
    """A topic from parsed TOML; raises ``TopicError`` naming the field at the first problem."""
    top = _Reader(file, data, "", TOP_KEYS)
    if "topic" not in data:
        top.fail("topic", "缺少 [topic] 表", "missing [topic] table")
    t = _Reader(file, data["topic"], "topic",
                ("title", "title_en", "summary", "order", "focus_adcode", "base_categories", "base_procedures"))
    selection = _selection(file, data.get("selection", {}), "selection")
    sections = tuple(_section(file, s, p) for p, s in top.tables("sections"))
    if not sections:
        top.fail("sections", "至少需要一个栏目 [[sections]]", "needs at least one [[sections]]")
    risks = tuple(_risk(file, s, p) for p, s in top.tables("risks"))
    rules = tuple(_text_rule(file, s, p) for p, s in top.tables("text_rules"))
    for what, items in (("risks", risks), ("text_rules", rules)):
        ids = [x.id for x in items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            top.fail(what, f"id 重复：{', '.join(dup)}", f"duplicate id(s): {', '.join(dup)}")
    judgments = None
    if "judgments" in data:
        j = _Reader(file, data["judgments"], "judgments", ("charges", "local_city"))
        judgments = JudgmentScope(j.strs("charges"), j.str("local_city", ""))
        if not judgments.charges:
            j.fail("charges", "至少需要一个罪名", "needs at least one charge")
    recs = []
    risk_ids = {x.id for x in risks}
    for p, s in top.tables("recommendations"):
        rr = _Reader(file, s, p, ("title", "text", "risk"))
        rec = Recommendation(rr.str("title"), rr.str("text"), rr.str("risk", ""))
        if rec.risk and rec.risk not in risk_ids:
            rr.fail("risk", f"引用了未定义的风险规则 '{rec.risk}'", f"refers to undefined risk '{rec.risk}'")
        recs.append(rec)
    topic = Topic(
        id=topic_id, title=t.str("title"), title_en=t.str("title_en", ""), summary=t.str("summary", ""),
        order=int(t.int("order", 100) or 0), focus_adcode=t.int("focus_adcode"),
        base_categories=t.strs("base_categories", schema.CATEGORIES),
        base_procedures=t.strs("base_procedures", schema.PROCEDURES),
        selection=selection, sections=sections, risks=risks, text_rules=rules,
        judgments=judgments, recommendations=tuple(recs),
    )
    _check_requirements(topic, file)
    return topic


def _check_requirements(topic: Topic, file: str) -> None:
    """Sections that need other parts of the file (party rule, risks, text rules, judgments)."""
    for i, s in enumerate(topic.sections):
        where = f"sections[{i}].type"

        def need(ok: bool, zh: str, en: str, where: str = where, s: Section = s) -> None:
            if not ok:
                raise TopicError(file, where, f"栏目 '{s.type}' {zh}", f"section '{s.type}' {en}")

        if s.type in ("roles", "repeat"):
            need(topic.selection.party is not None, "需要 [selection.party]", "needs [selection.party]")
        if s.type == "share":
            need(bool(topic.base_categories), "需要 topic.base_categories", "needs topic.base_categories")
        if s.type == "risks":
            need(bool(topic.risks), "需要至少一条 [[risks]]", "needs at least one [[risks]]")
        if s.type == "recommendations":
            need(bool(topic.recommendations), "需要 [[recommendations]]", "needs [[recommendations]]")
        if s.type.startswith("judgments_") or s.type == "text_findings":
            need(topic.judgments is not None, "需要 [judgments]", "needs [judgments]")
        if s.type == "text_findings":
            need(bool(topic.text_rules), "需要 [[text_rules]]", "needs [[text_rules]]")
        if s.opt("scope") == "local":
            need(bool(topic.judgments and topic.judgments.local_city), "的 scope = \"local\" 需要 judgments.local_city",
                 "with scope = \"local\" needs judgments.local_city")
    for i, r in enumerate(topic.risks):
        if r.kind == "concentration" and topic.selection.party is None:
            raise TopicError(file, f"risks[{i}].kind", "concentration 规则需要 [selection.party]",
                             "a concentration rule needs [selection.party]")


def load_topic(path: Path) -> Topic:
    """Read and validate one topic file (the file name without .toml is the topic id)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(path.name, "(TOML)", f"文件不是有效的 TOML：{exc}", f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise TopicError(path.name, "(file)", f"无法读取文件：{exc}", f"cannot read the file: {exc}") from exc
    return parse_topic(data, path.stem, path.name)


def topics_dir(env: Mapping[str, str] | None = None) -> Path:
    """Folder of topic files: ``SHUZHU_TOPICS`` or ``topics/`` in the project root."""
    env = os.environ if env is None else env
    return Path(env.get(TOPICS_ENV) or PROJECT_ROOT / "topics")


def load_topics(folder: Path | None = None) -> tuple[tuple[Topic, ...], tuple[TopicError, ...]]:
    """Every ``*.toml`` in the folder: the valid topics (by ``order``, then id) and the errors of the others."""
    folder = topics_dir() if folder is None else Path(folder)
    topics, errors = [], []
    for path in sorted(folder.glob("*.toml")):
        try:
            topics.append(load_topic(path))
        except TopicError as exc:
            errors.append(exc)
    return tuple(sorted(topics, key=lambda t: (t.order, t.id))), tuple(errors)


def vocabulary_warnings(topic: Topic, causes: tuple[str, ...], cause_groups: tuple[str, ...],
                        type_codes: tuple[str, ...], districts: tuple[int, ...]) -> list[str]:
    """Bilingual warnings for configured values that the store does not contain (not errors)."""
    selections = [("selection", topic.selection)]
    selections += [(f"risks[{i}].{k}", getattr(r, k)) for i, r in enumerate(topic.risks) for k in ("part", "base")]
    out = []
    for path, sel in selections:
        for key, have in (("causes", causes), ("cause_groups", cause_groups), ("type_codes", type_codes),
                          ("places", districts)):
            missing = [str(v) for v in getattr(sel, key) if v not in have]
            if missing:
                out.append(f"专题 {topic.id} 的 {path}.{key} 中有案件库没有的值：{'、'.join(missing)} / "
                           f"topic {topic.id}, {path}.{key}: value(s) not in this store: {', '.join(missing)}")
    return out
