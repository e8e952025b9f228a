"""评估报告: reports drafted from the analytics functions, as an ordered list of blocks.

A report kind is registered in ``KINDS`` with the module that builds it and the analytics
modules it needs; ``available_kinds()`` lists the kinds whose modules are importable, so a kind
appears once its analytics exist. ``build_report`` returns a ``model.Report``; the writer
(``ui/docx_writer.py``, no Streamlit) turns it into a .docx. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from analytics.filters import CaseFilter
from analytics.report.model import Progress, Report, ReportRequest, Runner, no_progress

__all__ = ["KINDS", "ReportKind", "ReportRequest", "available_kinds", "build_report"]


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its key (CLI ``--kind``), Chinese label, builder and requirements."""

    key: str
    label: str
    builder: str  # module with ``build(con, req, progress) -> Report``
    requires: tuple[str, ...] = ()  # analytics modules that must be importable


KINDS: tuple[ReportKind, ...] = (
    ReportKind("trial", "审判执行运行情况", "analytics.report.trial"),
    ReportKind("index", "经济社会运行情况", "analytics.report.index_report", ("analytics.index.assess",)),
    # one kind per topic file (topic:<id>), listed by the builder's ``variants()``
    ReportKind("topic", "专题研究", "analytics.report.topic_report",
               ("analytics.topics.config", "analytics.topics.sections", "analytics.topics.risks")),
)


def _importable(module: str) -> bool:
    """Whether a module can be found (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def available_kinds() -> dict[str, ReportKind]:
    """The kinds whose builder and required analytics modules exist, by key, in order.

    A builder with a ``variants()`` function (key -> label) stands for several kinds, e.g. one
    report per topic file.
    """
    out: dict[str, ReportKind] = {}
    for k in KINDS:
        if not (_importable(k.builder) and all(_importable(m) for m in k.requires)):
            continue
        variants = getattr(importlib.import_module(k.builder), "variants", None)
        if callable(variants):
            out.update({key: ReportKind(key, label, k.builder, k.requires) for key, label in variants().items()})
        else:
            out[k.key] = k
    return out


def build_report(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    flt: CaseFilter,
    start: dt.date,
    end: dt.date,
    *,
    brief: bool = False,
    meta: Mapping[str, str] | None = None,
    ranges: Mapping[str, tuple[float | None, float | None]] | None = None,
    issued: dt.date | None = None,
    progress: Progress = no_progress,
    run: Runner | None = None,
) -> Report:
    """Build the content of a report of ``kind`` for the filter and the period [start, end].

    ``meta`` is the store's metadata (the synthetic-data notice depends on it; read from the
    store when None); ``ranges`` overrides the indicators' reasonable ranges (shuzhu.toml);
    ``run(fn, *args, **kwargs)`` calls an analytics function (default: ``fn(con, *args, **kwargs)``;
    the page passes its cache, ``Ctx.run``).
    """
    kinds = available_kinds()
    if kind not in kinds:
        raise ValueError(f"未知的报告类型 / unknown report kind {kind!r}; choose from {list(kinds)}")
    if start > end:
        raise ValueError(f"起始日期晚于截止日期 / start {start} is after end {end}")
    if meta is None:
        from analytics.store import store_meta

        meta = store_meta(con)
    req = ReportRequest(kind, flt, start, end, brief, dict(meta), dict(ranges or {}), issued)
    module = importlib.import_module(kinds[kind].builder)

    def direct(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(con, *args, **kwargs)

    return module.build(req, run or direct, progress)
