"""The report as a Word document (python-docx): A4 portrait, official fonts, numbered headings,
figure tables, a chart of each report's figures (:mod:`xlperf.report.chart`, 图1 below 表1),
page numbers; byte-for-byte the same output for the same content.

Fonts follow the usual government report layout (GB/T 9704): title 方正小标宋简体, headings
黑体 / 楷体, body 仿宋 (all but the title ship with Windows). The font table names a free
alternative for each (``w:altName``: Noto Sans/Serif CJK SC), which office suites use where the
official font is missing; East Asian text is tagged zh-CN so that no Japanese glyph forms creep in.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from xlperf.report.blocks import Heading, Para, Report, ReportContent, Table
from xlperf.report.projects import is_figures_table

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
HEADING2_FONT = "楷体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
ALT_NAMES = {
    TITLE_FONT: "Noto Sans CJK SC",
    HEADING_FONT: "Noto Sans CJK SC",
    HEADING2_FONT: "Noto Serif CJK SC",
    BODY_FONT: "Noto Serif CJK SC",
}
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

BODY_PT, NOTE_PT, TABLE_PT, TITLE_PT = 16, 14, 8, 22
CELL_MARGIN_CM = 0.05
TEXT_WIDTH_CM = 21 - 2.8 - 2.6


def set_fonts(rpr_owner, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Set a run's or style's fonts, East Asian included, dropping theme fonts that override them."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style(doc, name: str, font: str, size: float, bold: bool = False):
    style = doc.styles[name]
    set_fonts(style.element, font)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    return style


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.2)
    normal = _style(doc, "Normal", BODY_FONT, BODY_PT)
    normal.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    # left, not justified: a line before a long figure ("100.00%）") would be spread thin
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    title = _style(doc, "Title", TITLE_FONT, TITLE_PT)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.space_after = Pt(6)
    _no_border(title)
    h1 = _style(doc, "Heading 1", HEADING_FONT, BODY_PT)
    h2 = _style(doc, "Heading 2", HEADING2_FONT, BODY_PT)
    for h in (h1, h2):
        h.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.space_before = Pt(6)
    _font_table_alt_names(doc)
    _chinese_language(doc)
    _page_number_footer(section)
    props = doc.core_properties
    props.author = props.last_modified_by = "xlperf"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.comments = "由 xlperf 根据自评表生成"


def _chinese_language(doc) -> None:
    """Tag East Asian text as zh-CN in the document defaults (the stock template says en-US)."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")  # digits and Latin: kept whole at line ends
    lang.set(qn("w:eastAsia"), "zh-CN")


def _no_border(style) -> None:
    """The default Title style draws a rule under itself; an official title has none."""
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _font_table_alt_names(doc) -> None:
    """Declare the official fonts with the Windows names Word substitutes when they are missing."""
    font_part = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")),
        None,
    )
    if font_part is None:
        return
    from lxml import etree

    root = etree.fromstring(font_part.blob)
    for name, alt in ALT_NAMES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name == HEADING_FONT else "roman")
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
        if kind == "separate":
            t = OxmlElement("w:t")
            t.text = "1"
            run._r.append(t)


def _page_number_footer(section) -> None:
    """— 1 — centred in the footer, as official documents number their pages."""
    p = section.footer.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    for piece in ("— ", None, " —"):
        if piece is None:
            _field(p, " PAGE ")
        else:
            p.add_run(piece)
    for run in p.runs:
        set_fonts(run._r, BODY_FONT)
        run.font.size = Pt(14)


def _add_para(doc, block: Para, keep_with_next: bool = False) -> None:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.keep_with_next = keep_with_next or None
    size = BODY_PT
    font = BODY_FONT
    if block.kind == "note":
        size, font = NOTE_PT, HEADING2_FONT
        fmt.line_spacing = Pt(24)
    elif block.kind == "finding":
        size = NOTE_PT
        fmt.line_spacing = Pt(24)
    elif block.kind == "sign":
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.first_line_indent = Pt(0)
    for span in block.spans:
        run = p.add_run(span.text)
        set_fonts(run._r, font)
        run.font.size = Pt(size)
        if span.blank:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _cell_text(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = align
    run = p.add_run(text)
    set_fonts(run._r, HEADING_FONT if bold else BODY_FONT)
    run.font.size = Pt(TABLE_PT)


def _cell_margins(table, margin) -> None:
    """Narrow left/right cell margins: eleven columns of figures have to fit a portrait page."""
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(margin.twips)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    look = tblpr.find(qn("w:tblLook"))  # schema order: …, tblLayout, tblCellMar, tblLook
    if look is not None:
        look.addprevious(mar)
    else:
        tblpr.append(mar)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _add_table(doc, block: Table) -> None:
    if block.appendix:  # 附表：on a page of its own after the signature
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    caption = doc.add_paragraph()
    fmt = caption.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True
    if block.appendix:  # captioned at the left, as 附表 are
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.space_after = Pt(6)
        size = 16
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_before = Pt(6)
        size = 12
    run = caption.add_run(block.caption)
    set_fonts(run._r, HEADING_FONT)
    run.font.size = Pt(size)
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table, Cm(CELL_MARGIN_CM))
    scale = min(1.0, TEXT_WIDTH_CM / sum(block.widths))
    widths = [Cm(w * scale) for w in block.widths]
    for i, text in enumerate(block.header):
        _cell_text(table.rows[0].cells[i], text, bold=True)
    _repeat_header(table.rows[0])
    for r, values in enumerate(block.rows, 1):
        last = block.total_row and r == len(block.rows)
        for c, text in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.LEFT if c == 1 and not last else WD_ALIGN_PARAGRAPH.CENTER
            if c >= 2 and c < len(values) - 1:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            if block.align:
                align = ALIGN[block.align[c]]
            _cell_text(table.rows[r].cells[c], text, bold=last, align=align)
    for row in table.rows:
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    grid = table._tbl.tblGrid
    for c, col in enumerate(grid.findall(qn("w:gridCol"))):
        col.set(qn("w:w"), str(int(widths[c].twips)))
    doc.add_paragraph().paragraph_format.line_spacing = Pt(12)


def _add_chart(doc, report: Report, table: Table, number: int) -> int:
    """The chart of ``table``'s figures below it (PNG, the text's width), captioned 图N (several
    charts, one page each, for many projects); how many charts were added: none where there is
    nothing to draw or no CJK font to draw it with."""
    from xlperf.report.chart import chart_caption, chart_parts, chart_png, chart_rows

    rows = chart_rows(table)
    parts = chart_parts(rows)
    added = 0
    for first, part in parts:
        png = chart_png(part, TEXT_WIDTH_CM)
        if png is None:
            continue
        span = (first, first + len(part) - 1) if len(parts) > 1 else None
        caption = chart_caption(number + added, report.title_lines[0], len(rows), span)
        picture = doc.add_paragraph()
        fmt = picture.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact 28 pt line would crop it
        fmt.keep_with_next = True
        shape = picture.add_run().add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM))
        shape._inline.docPr.set("descr", caption)
        below = doc.add_paragraph()
        fmt = below.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.first_line_indent = Pt(0)
        fmt.space_before = Pt(3)
        run = below.add_run(caption)
        set_fonts(run._r, HEADING_FONT)
        run.font.size = Pt(12)
        doc.add_paragraph().paragraph_format.line_spacing = Pt(12)
        added += 1
    return added


def _add_report(doc, report: Report, first: bool) -> None:
    title = doc.add_paragraph(style="Title")
    if not first:
        title.paragraph_format.page_break_before = True
    for i, line in enumerate(report.title_lines):
        run = title.add_run(line)
        if i < len(report.title_lines) - 1:
            run.add_break(WD_BREAK.LINE)
    sub = doc.add_paragraph()
    sub.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.first_line_indent = Pt(0)
    sub.paragraph_format.space_after = Pt(12)
    run = sub.add_run(f"（{report.subtitle}）")
    set_fonts(run._r, HEADING2_FONT)
    charts = 0
    blocks = report.blocks
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style="Heading 1" if block.level == 1 else "Heading 2")
        elif isinstance(block, Para):
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            # the signature does not stand alone on a page: the line before it goes along
            _add_para(doc, block, isinstance(after, Para) and after.kind == "sign")
        elif isinstance(block, Table):
            _add_table(doc, block)
            if is_figures_table(block):
                charts += _add_chart(doc, report, block, charts + 1)


def report_docx(content: ReportContent) -> bytes:
    """The whole report as .docx bytes (the same bytes for the same content)."""
    doc = Document()
    _setup(doc)
    for i, report in enumerate(content.reports):
        _add_report(doc, report, first=i == 0)
    if content.reports:
        doc.core_properties.title = content.reports[0].title
    raw = io.BytesIO()
    doc.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack with fixed timestamps, so that generating twice gives identical files."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(content: ReportContent, out: Path) -> None:
    """Write atomically: a temporary file beside ``out``, then renamed over it."""
    from xlperf.ops.files import atomic_write

    data = report_docx(content)
    atomic_write(out, lambda tmp: tmp.write_bytes(data))
