"""Rendering test: the generated .docx converts to PDF (LibreOffice headless) and to PNG pages
(pdftoppm, poppler-utils), and no page is blank; the brief fits on one page.

Needs the Debian packages libreoffice-writer-nogui and poppler-utils (and fonts-noto-cjk). On a
workstation without them the test is skipped with a message; in CI (env CI set) it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from analytics.filters import CaseFilter
from analytics.report import build_report
from analytics.store import open_store
from ui.docx_writer import write_docx

TOOLS = ("soffice", "pdftoppm", "pdfinfo")


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    found = {t: shutil.which(t) for t in TOOLS}
    missing = [t for t, p in found.items() if p is None]
    if missing:
        msg = (f"{', '.join(missing)} not installed: apt-get install -y --no-install-recommends "
               "libreoffice-writer-nogui poppler-utils")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return {t: str(p) for t, p in found.items()}


def _render(tools: dict[str, str], docx_bytes: bytes, out: Path) -> tuple[int, list[Path]]:
    """(page count, PNG pages at 40 dpi) of a .docx."""
    src = out / "report.docx"
    src.write_bytes(docx_bytes)
    # A private LibreOffice profile: no clash with another running instance, nothing in $HOME.
    profile = f"-env:UserInstallation=file://{out / 'lo_profile'}"
    subprocess.run([tools["soffice"], profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    pdf = out / "report.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    info = subprocess.run([tools["pdfinfo"], str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    subprocess.run([tools["pdftoppm"], "-r", "40", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    return pages, sorted(out.glob("page-*.png"))


def _ink(png: Path) -> float:
    """Share of the page that is not white (0 = blank)."""
    gray = Image.open(png).convert("L")
    dark = gray.point(lambda v: 255 if v < 200 else 0)
    return ImageStat.Stat(dark).mean[0] / 255


@pytest.fixture(scope="module")
def con(small_store: Path):
    c = open_store(small_store, read_only=False)  # as the app does: one configuration per file
    yield c
    c.close()


def test_full_report_pages_are_not_blank(tools, con, tmp_path: Path) -> None:
    rep = build_report(con, "trial", CaseFilter(2025, 2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    pages, pngs = _render(tools, write_docx(rep), tmp_path)
    assert pages >= 5 and len(pngs) == pages
    for png in pngs:
        assert _ink(png) > 0.003, f"{png.name} is blank"


def test_brief_is_one_page(tools, con, tmp_path: Path) -> None:
    rep = build_report(con, "trial", CaseFilter(2025, 2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31), brief=True)
    pages, pngs = _render(tools, write_docx(rep), tmp_path)
    assert pages == 1
    assert _ink(pngs[0]) > 0.05  # four charts and a map fill the page
