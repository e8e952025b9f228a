"""Write a ``analytics.report.model.Report`` as a Word document (.docx) with python-docx.

Typography follows the conventions of government documents (GB/T 9704-2012): A4, the title in
方正小标宋, level-1 headings in 黑体, level-2 in 楷体, body in 仿宋 (16 pt, 三号), tables in 宋体, page
numbers in the footer ("— 1 —", a PAGE field). Each role's font is the first of its preference
list (``report_templates/style.toml``) installed on this machine, falling back to Noto CJK.
Word and WPS use ``w:eastAsia`` for Chinese characters and python-docx only sets the Latin
names, so the East Asian font is set explicitly on every style and every run.

The table of contents is a Word TOC field over the heading styles; its cached result lists the
headings, so it reads correctly before the field is updated (Word offers to update it on open).
No Streamlit here: the CLI uses this module too.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from analytics.report import model as M
from analytics.report.templates import style
from ui.report_render import chart_png, pick_font

FALLBACK = {"title": "Noto Serif CJK SC", "heading1": "Noto Sans CJK SC", "heading2": "Noto Serif CJK SC",
            "body": "Noto Serif CJK SC", "table": "Noto Serif CJK SC", "latin": "Times New Roman"}
BODY_PT, TABLE_PT, NOTE_PT = 16.0, 10.5, 10.5
BRIEF_BODY_PT = 11.0


def fonts() -> dict[str, str]:
    """The font family per role (title, heading1, heading2, body, table, latin)."""
    prefs = style().get("fonts", {})
    return {role: pick_font(prefs.get(role, [fb]), fb) for role, fb in FALLBACK.items()}


def _set_fonts(rpr_parent: object, east_asia: str, latin: str) -> None:
    """Set w:rFonts (ascii, hAnsi, eastAsia, cs) on a style or run, dropping theme fonts."""
    rpr = rpr_parent.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


class _Writer:
    """Stateful rendering of one report into one document."""

    def __init__(self, report: M.Report, progress: Callable[[float, str], None]) -> None:
        self.report = report
        self.progress = progress
        self.f = fonts()
        self.doc = Document()
        self.n_figures = len(report.figures())
        self.done_figures = 0
        self.body_pt = BRIEF_BODY_PT if report.brief else BODY_PT
        self._page_setup()
        self._styles()

    # --- document setup ------------------------------------------------------------------
    def _page_setup(self) -> None:
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        if self.report.brief:
            sec.top_margin = sec.bottom_margin = Mm(12)
            sec.left_margin = sec.right_margin = Mm(14)
            sec.footer_distance = Mm(6)
        else:  # GB/T 9704: 天头 37 mm, 订口 28 mm; the text block 156 × 225 mm
            sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
            sec.left_margin, sec.right_margin = Mm(28), Mm(26)
        # The cover has no page number (a first-page footer left empty).
        sec.different_first_page_header_footer = any(isinstance(b, M.TitlePage) for b in self.report.blocks)
        footer = sec.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(footer, "— ", "body", size=10.5 if self.report.brief else 14)
        self._field(footer, "PAGE", "1", size=10.5 if self.report.brief else 14)
        self._run(footer, " —", "body", size=10.5 if self.report.brief else 14)

    def _styles(self) -> None:
        st = self.doc.styles
        latin = self.f["latin"]
        normal = st["Normal"]
        normal.font.size = Pt(self.body_pt)
        _set_fonts(normal.element, self.f["body"], latin)
        pf = normal.paragraph_format
        pf.line_spacing = Pt(self.body_pt * 1.6) if not self.report.brief else Pt(self.body_pt * 1.4)
        pf.space_after = Pt(0)
        for name, role, size in (("Heading 1", "heading1", self.body_pt), ("Heading 2", "heading2", self.body_pt),
                                 ("Title", "title", 22.0)):
            s = st[name]
            s.font.size = Pt(size)
            s.font.bold = name != "Heading 1"
            s.font.italic = False
            s.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(s.element, self.f[role], latin)
            s.paragraph_format.space_before = Pt(6)
            s.paragraph_format.space_after = Pt(6)
            s.paragraph_format.keep_with_next = True
            ppr = s.element.get_or_add_pPr()
            for border in ppr.findall(qn("w:pBdr")):  # the default Title style is underlined
                ppr.remove(border)
        for name in ("Caption",):
            s = st[name]
            s.font.size = Pt(NOTE_PT)
            s.font.italic = False
            s.font.bold = True
            s.font.color.rgb = RGBColor(0, 0, 0)
            _set_fonts(s.element, self.f["heading1"], latin)
        _set_fonts(st["Table Grid"].element, self.f["table"], latin)
        # Ask Word/WPS to refresh fields (the table of contents, page numbers) when opening.
        settings = self.doc.settings.element
        upd = OxmlElement("w:updateFields")
        upd.set(qn("w:val"), "true")
        settings.append(upd)

    # --- runs and fields -----------------------------------------------------------------
    def _run(self, p: DocxParagraph, text: str, role: str, *, size: float | None = None,
             bold: bool | None = None) -> Run:
        run = p.add_run(text)
        _set_fonts(run._r, self.f[role], self.f["latin"])
        if size is not None:
            run.font.size = Pt(size)
        if bold is not None:
            run.font.bold = bold
        return run

    def _field(self, p: DocxParagraph, instr: str, cached: str | list[str], size: float | None = None) -> None:
        """A complex field (PAGE, TOC ...) with a cached result (text, or lines for a TOC)."""
        def fld(kind: str) -> Run:
            run = self._run(p, "", "body", size=size)
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
            return run

        fld("begin")
        run = self._run(p, "", "body", size=size)
        it = OxmlElement("w:instrText")
        it.set(qn("xml:space"), "preserve")
        it.text = f" {instr} "
        run._r.append(it)
        fld("separate")
        lines = [cached] if isinstance(cached, str) else cached
        for i, line in enumerate(lines):
            r = self._run(p, line, "body", size=size)
            if i < len(lines) - 1:
                r.add_break()
        fld("end")

    # --- blocks --------------------------------------------------------------------------
    def write(self) -> bytes:
        headings = [b for b in self.report.blocks if isinstance(b, M.Heading)]
        for block in self.report.blocks:
            if isinstance(block, M.TitlePage):
                self._title_page(block)
            elif isinstance(block, M.Toc):
                self._toc(block, headings)
            elif isinstance(block, M.Heading):
                p = self.doc.add_paragraph(style="Heading 1" if block.level == 1 else "Heading 2")
                self._run(p, block.text, "heading1" if block.level == 1 else "heading2")
            elif isinstance(block, M.Paragraph):
                self._paragraph(block)
            elif isinstance(block, M.Table):
                self._table(block)
            elif isinstance(block, M.Figure):
                self._figure(block)
            elif isinstance(block, M.Grid):
                self._grid(block)
            elif isinstance(block, M.PageBreak):
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def _title_page(self, b: M.TitlePage) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._run(p, b.classification, "heading1", size=16, bold=True)
        for _ in range(4):
            self.doc.add_paragraph()
        p = self.doc.add_paragraph(style="Title")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, b.title, "title", size=22)
        for line in (b.period, b.scope):
            if line:
                q = self.doc.add_paragraph()
                q.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._run(q, line, "heading2", size=16)
        for _ in range(6):
            self.doc.add_paragraph()
        for line in (b.court, b.date):
            q = self.doc.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(q, line, "body", size=16)
        if b.notice:
            q = self.doc.add_paragraph()
            q.alignment = WD_ALIGN_PARAGRAPH.CENTER
            q.paragraph_format.space_before = Pt(24)
            self._run(q, "【合成数据】" + b.notice, "heading1", size=12, bold=True).font.color.rgb = RGBColor(
                0xB0, 0x18, 0x2B)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _toc(self, b: M.Toc, headings: list[M.Heading]) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, b.title, "heading1", size=self.body_pt, bold=True)
        lines = [("    " if h.level == 2 else "") + h.text for h in headings if h.level <= b.levels]
        self._field(self.doc.add_paragraph(), f'TOC \\o "1-{b.levels}" \\h \\z \\u', lines)

    def _paragraph(self, b: M.Paragraph) -> None:
        p = self.doc.add_paragraph()
        if b.style == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, b.text, "title", size=20 if self.report.brief else 22)
        elif b.style == "subtitle":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(p, b.text, "heading2", size=self.body_pt)
        elif b.style == "note":
            self._run(p, b.text, "body", size=min(NOTE_PT, self.body_pt - 1))
        else:
            p.paragraph_format.first_line_indent = Pt(self.body_pt * 2)
            self._run(p, b.text, "body")

    def _caption(self, text: str, above: bool) -> None:
        p = self.doc.add_paragraph(style="Caption")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = above
        self._run(p, text, "heading1", size=NOTE_PT if not self.report.brief else 9.0, bold=True)

    def _fill_table(self, t: DocxTable, b: M.Table) -> None:
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for j, h in enumerate(b.header):
            cell = t.rows[0].cells[j]
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(cell.paragraphs[0], h, "heading1", size=b.font_pt, bold=True)
        for i, row in enumerate(b.rows, 1):
            for j, v in enumerate(row):
                para = t.rows[i].cells[j].paragraphs[0]
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 or len(v) > 12 else WD_ALIGN_PARAGRAPH.CENTER
                para.paragraph_format.first_line_indent = Pt(0)
                self._run(para, v, "table", size=b.font_pt)
        for row in t.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.line_spacing = 1.0

    def _table(self, b: M.Table) -> None:
        self._caption(b.caption, above=True)
        t = self.doc.add_table(rows=len(b.rows) + 1, cols=len(b.header))
        self._fill_table(t, b)
        if b.widths and len(b.widths) == len(b.header):
            sec = self.doc.sections[0]
            text_width = sec.page_width - sec.left_margin - sec.right_margin
            t.autofit = False
            for j, w in enumerate(b.widths):
                width = int(text_width * w / sum(b.widths))
                t.columns[j].width = width
                for cell in t.columns[j].cells:
                    cell.width = width
        if b.note:
            self._paragraph(M.Paragraph("注：" + b.note, "note"))

    def _png(self, fig: M.Figure) -> bytes:
        self.done_figures += 1
        self.progress(0.7 + 0.25 * self.done_figures / max(1, self.n_figures), f"绘制图表 {self.done_figures}/"
                      f"{self.n_figures} / rendering charts")
        return chart_png(fig.spec, fig.width_cm)

    def _figure(self, b: M.Figure) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing = 1.0  # an exact line height would clip the picture
        p.add_run().add_picture(io.BytesIO(self._png(b)), width=Cm(b.width_cm))
        self._caption(b.caption, above=False)
        if b.note:
            self._paragraph(M.Paragraph(b.note, "note"))

    def _grid(self, b: M.Grid) -> None:
        rows = (len(b.cells) + b.columns - 1) // b.columns
        t = self.doc.add_table(rows=rows, cols=b.columns)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for k, cell_block in enumerate(b.cells):
            cell = t.rows[k // b.columns].cells[k % b.columns]
            if isinstance(cell_block, M.Figure):
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._run(p, cell_block.caption, "heading1", size=9.0, bold=True)
                q = cell.add_paragraph()
                q.alignment = WD_ALIGN_PARAGRAPH.CENTER
                q.paragraph_format.line_spacing = 1.0
                q.add_run().add_picture(io.BytesIO(self._png(cell_block)), width=Cm(cell_block.width_cm))
            elif isinstance(cell_block, M.Table):
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._run(p, cell_block.caption, "heading1", size=9.0, bold=True)
                inner = cell.add_table(rows=len(cell_block.rows) + 1, cols=len(cell_block.header))
                self._fill_table(inner, cell_block)


def write_docx(report: M.Report, progress: Callable[[float, str], None] | None = None) -> bytes:
    """The report as .docx bytes; ``progress(fraction, message)`` is told about chart rendering."""
    return _Writer(report, progress or (lambda _f, _m: None)).write()
