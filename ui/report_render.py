"""Offline rendering of the report's Vega-Lite specs to PNG (vl-convert), with a CJK font.

vl-convert bundles its own renderer and loads no fonts from the system by itself, so the CJK
font directory configured in ``report_templates/style.toml`` is registered once; the chart font
is the first configured family that fontconfig (``fc-list``) reports as installed. Charts are
rendered at a scale that gives at least ``dpi`` pixels per inch at the width the figure is
placed in the document. No Streamlit here: the CLI uses it too.
"""

from __future__ import annotations

import copy
import math
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import vl_convert as vlc

from analytics.report.templates import style

DEFAULT_DPI = 220
CHART_FALLBACK = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Font family names fontconfig knows on this machine (empty when fc-list is missing)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return frozenset()
    out = subprocess.run([exe, ":", "family"], capture_output=True, text=True, check=False).stdout
    names: set[str] = set()
    for line in out.splitlines():
        names.update(part.strip() for part in line.split(",") if part.strip())
    return frozenset(names)


def pick_font(preferences: list[str] | tuple[str, ...], fallback: str) -> str:
    """The first preferred family installed here, else the first preference, else ``fallback``."""
    have = installed_families()
    for name in preferences:
        if name in have:
            return name
    return preferences[0] if preferences else fallback


@lru_cache(maxsize=1)
def _setup() -> tuple[str, int]:
    """Register the CJK font directory with vl-convert once; (chart font family, dpi)."""
    cfg = style()
    charts = cfg.get("charts", {})
    for d in charts.get("font_dirs", ["/usr/share/fonts/opentype/noto"]):
        if Path(d).is_dir():
            vlc.register_font_directory(str(d))
            break
    family = pick_font(cfg.get("fonts", {}).get("chart", [CHART_FALLBACK]), CHART_FALLBACK)
    return family, int(charts.get("dpi", DEFAULT_DPI))


def chart_png(spec: dict[str, Any], width_cm: float) -> bytes:
    """PNG of a Vega-Lite spec, at least ``dpi`` px per inch when placed ``width_cm`` wide."""
    family, dpi = _setup()
    spec = copy.deepcopy(spec)
    cfg = spec.setdefault("config", {})
    cfg["font"] = family
    plot_px = float(spec.get("width") or 400)
    # The rendered image is wider than the plot (axes, legend), so this scale gives >= dpi.
    scale = max(1.0, math.ceil(dpi * width_cm / 2.54 / plot_px * 4) / 4)
    return vlc.vegalite_to_png(spec, scale=scale)
