"""The index definitions (config/indices.toml) as typed values, with validation.

The file is the single place where the 15 indices, their dimensions, case selections,
denominators, directions and minimum counts are defined; nothing here names a cause.
``validate`` compares the selections with what a store holds: a cause or group the data do not
contain gives a warning (the index then counts the causes that exist), never an error.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics.settings import PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "indices.toml"

MEASURES = ("rate", "share")
DENOMINATORS = ("population", "enterprises")
DIRECTIONS = ("risk", "positive")
DATES = ("filed", "closed")
SELECTION_FIELDS = ("type_codes", "categories", "procedures", "cause_groups", "causes",
                    "defendant_kinds", "outcomes")


class ConfigError(ValueError):
    """The index configuration is malformed (bilingual message)."""


@dataclass(frozen=True)
class Selection:
    """One case selection: every non-empty field must match (AND); ``kind='series'`` adds the
    condition that the defendant has at least ``min_cases`` such cases in the city that year."""

    type_codes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    cause_groups: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    defendant_kinds: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    kind: str = "cases"
    min_cases: int = 0


@dataclass(frozen=True)
class IndexDef:
    """One index: what it counts, per what, in which direction, and from how many cases."""

    id: str
    name: str
    dimension: str
    measure: str
    denominator: str
    per: float
    direction: str
    min_count: int
    date: str
    count: tuple[Selection, ...]
    base: tuple[Selection, ...] = ()
    note: str = ""

    @property
    def unit(self) -> str:
        """Display unit of the raw value, e.g. '件/万人' or '%'."""
        if self.measure == "share":
            return "%"
        who = "万人" if self.denominator == "population" else "千户企业"
        if self.denominator == "population" and self.per != 10_000:
            who = f"{self.per:,.0f}人"
        if self.denominator == "enterprises" and self.per != 1_000:
            who = f"{self.per:,.0f}户企业"
        return f"件/{who}·年"


@dataclass(frozen=True)
class MonteCarlo:
    """What the uncertainty analysis varies (normalisation windows and goalposts, weights,
    aggregation) and its fixed seed."""

    draws: int = 500
    seed: int = 20261203
    windows: tuple[int, ...] = (2, 3, 4)
    percentiles: tuple[tuple[float, float], ...] = ((0.0, 100.0), (5.0, 95.0), (10.0, 90.0))
    weight_spread: float = 0.5
    aggregations: tuple[str, ...] = ("geometric", "arithmetic")


@dataclass(frozen=True)
class Method:
    """Normalisation, aggregation and reporting parameters."""

    reference_years: int = 3
    goalpost_low: float = 5.0
    goalpost_high: float = 95.0
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    interval: float = 0.95
    geo_floor: float = 1.0
    min_dimension_share: float = 0.5
    min_dimensions: int = 3
    unstable_band_share: float = 0.5
    monte_carlo: MonteCarlo = field(default_factory=MonteCarlo)
    weights: str = "equal"
    entropy_years: tuple[int, int] = (2022, 2024)


@dataclass(frozen=True)
class IndexConfig:
    """Dimensions (id -> name, in order), indices (in order) and the method."""

    dimensions: tuple[tuple[str, str], ...]
    indices: tuple[IndexDef, ...]
    method: Method

    def index(self, index_id: str) -> IndexDef:
        """The index with this id (KeyError when unknown)."""
        for ix in self.indices:
            if ix.id == index_id:
                return ix
        raise KeyError(index_id)

    @property
    def dimension_names(self) -> dict[str, str]:
        """Dimension id -> Chinese name."""
        return dict(self.dimensions)

    def members(self, dimension: str) -> tuple[IndexDef, ...]:
        """The indices of one dimension, in order."""
        return tuple(ix for ix in self.indices if ix.dimension == dimension)


def _tuple(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} 应为字符串列表 / {where} must be a list of strings")
    return tuple(value)


def _selection(raw: Mapping[str, Any], where: str) -> Selection:
    unknown = set(raw) - {*SELECTION_FIELDS, "kind", "min_cases"}
    if unknown:
        raise ConfigError(f"{where} 含未知字段 / unknown field(s) in {where}: {', '.join(sorted(unknown))}")
    kind = str(raw.get("kind", "cases"))
    if kind not in ("cases", "series"):
        raise ConfigError(f"{where}.kind 只能是 cases 或 series / {where}.kind must be cases or series")
    sel = Selection(**{f: _tuple(raw.get(f), f"{where}.{f}") for f in SELECTION_FIELDS},
                    kind=kind, min_cases=int(raw.get("min_cases", 0)))
    if kind == "series" and sel.min_cases < 2:
        raise ConfigError(f"{where}: series 需要 min_cases >= 2 / series needs min_cases >= 2")
    if not any(getattr(sel, f) for f in SELECTION_FIELDS) and kind == "cases":
        raise ConfigError(f"{where} 为空（会计入全部案件）/ {where} is empty (would count every case)")
    return sel


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = str(raw.get(key, default))
    if value not in allowed:
        raise ConfigError(f"{where}.{key}={value!r} 无效 / invalid, expected one of {', '.join(allowed)}")
    return value


def _index(raw: Mapping[str, Any], dims: set[str]) -> IndexDef:
    ix_id = str(raw.get("id", ""))
    where = f"index {ix_id or '?'}"
    if not ix_id or not raw.get("name"):
        raise ConfigError(f"{where}: 缺少 id 或 name / missing id or name")
    dim = str(raw.get("dimension", ""))
    if dim not in dims:
        raise ConfigError(f"{where}: 未知维度 {dim!r} / unknown dimension {dim!r}")
    measure = _choice(raw, "measure", MEASURES, "rate", where)
    count = tuple(_selection(s, f"{where}.count[{i}]") for i, s in enumerate(raw.get("count", [])))
    base = tuple(_selection(s, f"{where}.base[{i}]") for i, s in enumerate(raw.get("base", [])))
    if not count:
        raise ConfigError(f"{where}: 没有 count 选择 / no count selection")
    if sum(sel.kind == "series" for sel in (*count, *base)) > 1:
        raise ConfigError(f"{where}: 至多一个 series 选择 / at most one series selection per index")
    if measure == "share" and not base:
        raise ConfigError(f"{where}: share 需要 base 选择 / a share needs a base selection")
    per = float(raw.get("per", 10_000))
    if per <= 0:
        raise ConfigError(f"{where}.per 必须为正 / per must be positive")
    return IndexDef(
        id=ix_id, name=str(raw["name"]), dimension=dim, measure=measure,
        denominator=_choice(raw, "denominator", DENOMINATORS, "population", where), per=per,
        direction=_choice(raw, "direction", DIRECTIONS, "risk", where),
        min_count=int(raw.get("min_count", 10)), date=_choice(raw, "date", DATES, "filed", where),
        count=count, base=base, note=str(raw.get("note", "")),
    )


def _method(raw: Mapping[str, Any], weights: Mapping[str, Any]) -> Method:
    mc_raw = dict(raw.get("monte_carlo", {}))
    mc = MonteCarlo(
        draws=int(mc_raw.get("draws", 500)), seed=int(mc_raw.get("seed", 20261203)),
        windows=tuple(int(w) for w in mc_raw.get("windows", (2, 3, 4))),
        percentiles=tuple((float(a), float(b)) for a, b in mc_raw.get("percentiles", ((0, 100), (5, 95), (10, 90)))),
        weight_spread=float(mc_raw.get("weight_spread", 0.5)),
        aggregations=tuple(str(a) for a in mc_raw.get("aggregations", ("geometric", "arithmetic"))),
    )
    scalar = {k: v for k, v in raw.items() if k != "monte_carlo"}
    unknown = set(scalar) - set(Method.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"[method] 含未知字段 / unknown field(s): {', '.join(sorted(unknown))}")
    scheme = str(weights.get("default", "equal"))
    if scheme not in ("equal", "entropy"):
        raise ConfigError("[weights].default 只能是 equal 或 entropy / must be equal or entropy")
    years = tuple(int(y) for y in weights.get("entropy_years", (2022, 2024)))
    if len(years) != 2 or years[0] > years[1]:
        raise ConfigError("[weights].entropy_years 应为 [起, 止] / must be [first, last]")
    return Method(**scalar, monte_carlo=mc, weights=scheme, entropy_years=(years[0], years[1]))


def parse_config(raw: Mapping[str, Any]) -> IndexConfig:
    """An ``IndexConfig`` from the parsed TOML (raises ConfigError with a bilingual reason)."""
    dims = tuple((str(d["id"]), str(d["name"])) for d in raw.get("dimension", []))
    if not dims:
        raise ConfigError("没有定义维度 / no dimensions defined")
    indices = tuple(_index(r, {d for d, _ in dims}) for r in raw.get("index", []))
    ids = [ix.id for ix in indices]
    if len(set(ids)) != len(ids):
        raise ConfigError("指数 id 重复 / duplicate index ids")
    empty = [name for d, name in dims if not any(ix.dimension == d for ix in indices)]
    if empty:
        raise ConfigError(f"维度没有指数 / dimension(s) without indices: {', '.join(empty)}")
    return IndexConfig(dims, indices, _method(raw.get("method", {}), raw.get("weights", {})))


def load_config(path: Path | str = CONFIG_PATH) -> IndexConfig:
    """Read and parse the index configuration file."""
    try:
        with Path(path).open("rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"无法读取指数配置 {path} / cannot read the index configuration {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"指数配置格式错误 {path} / malformed index configuration {path}: {exc}") from exc
    return parse_config(raw)


def validate(cfg: IndexConfig, causes: Iterable[str], cause_groups: Iterable[str] = (),
             type_codes: Iterable[str] = ()) -> list[str]:
    """Warnings (bilingual) for selections naming values the store does not hold.

    An absent cause is not an error: the index counts the causes that exist, and real data
    imported later may hold the others. An index none of whose selections can match is named.
    """
    have_c, have_g, have_t = set(causes), set(cause_groups), set(type_codes)
    out: list[str] = []
    for ix in cfg.indices:
        missing_c: list[str] = []
        missing_g: list[str] = []
        live = 0
        for sel in (*ix.count, *ix.base):
            mc = [c for c in sel.causes if c not in have_c]
            mg = [g for g in sel.cause_groups if have_g and g not in have_g]
            mt = [t for t in sel.type_codes if have_t and t not in have_t]
            missing_c += mc
            missing_g += mg
            if (not sel.causes or len(mc) < len(sel.causes)) and (not sel.cause_groups or len(mg) < len(
                    sel.cause_groups)) and (not sel.type_codes or len(mt) < len(sel.type_codes)):
                live += 1
        if missing_c:
            out.append(f"{ix.name}：数据中没有这些案由/罪名（不计）{'、'.join(dict.fromkeys(missing_c))} / "
                       f"{ix.id}: causes absent from the data (not counted): {', '.join(dict.fromkeys(missing_c))}")
        if missing_g:
            out.append(f"{ix.name}：数据中没有这些案由分类 {'、'.join(dict.fromkeys(missing_g))} / "
                       f"{ix.id}: cause groups absent from the data: {', '.join(dict.fromkeys(missing_g))}")
        if not live:
            out.append(f"{ix.name}：所有选择在数据中均无对应案件 / {ix.id}: no selection can match the data")
    return out
