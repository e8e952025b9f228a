"""Editable report configuration: the 对策建议 text blocks and the typography, from TOML files.

The files live in ``report_templates/`` at the project root, or in the directory named by the
environment variable ``SHUZHU_REPORT_TEMPLATES`` (a court keeps its own wording there, never in
code): ``<kind>.toml`` holds ``[[recommendations]]`` blocks, ``style.toml`` the fonts.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.settings import PROJECT_ROOT


@dataclass(frozen=True)
class Recommendation:
    """One 对策建议 block; ``when`` names an indicator that must be outside its range (or None)."""

    title: str
    text: str
    when: str | None = None


def templates_dir() -> Path:
    """The directory of the report TOML files."""
    env = os.environ.get("SHUZHU_REPORT_TEMPLATES")
    return Path(env).expanduser() if env else PROJECT_ROOT / "report_templates"


def _load(name: str) -> dict[str, Any]:
    """A TOML file from the templates directory ({} when absent)."""
    path = templates_dir() / name
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def recommendations(kind: str) -> list[Recommendation]:
    """The 对策建议 blocks configured for a report kind, in file order."""
    out = []
    for block in _load(f"{kind}.toml").get("recommendations", []):
        if isinstance(block, dict) and block.get("text"):
            out.append(Recommendation(str(block.get("title", "")), str(block["text"]),
                                      str(block["when"]) if block.get("when") else None))
    return out


def style() -> dict[str, Any]:
    """The typography settings (style.toml): font preference lists per role, chart settings."""
    return _load("style.toml")
