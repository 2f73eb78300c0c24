"""Lay a referral pathway sheet out as an A4 PDF (ReportLab, no system libraries).

The text is set in Fira Sans, shipped in the `fontpkg-fira-sans` wheel (SIL Open Font
Licence 1.1): it carries French accents, arrows, ≤ and Sango's ɛ, and it is embedded in
the PDF, so the sheet prints the same everywhere and nothing is fetched at run time.
"""

from __future__ import annotations

import io
import threading
from importlib.resources import files
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from referral_api.domain.pathway import Block, Row, Sheet

REGULAR, BOLD = "FiraSans", "FiraSans-Bold"
_FONT_FILES = {REGULAR: "FiraSans-Regular.ttf", BOLD: "FiraSans-Bold.ttf"}
_registered = threading.Lock()

INK = colors.HexColor("#1f2933")
ACCENT = colors.HexColor("#6a1b9a")
BLOCK_COLOURS = {
    "entry_points": colors.HexColor("#6a1b9a"),
    "health": colors.HexColor("#b71c1c"),
    "psychosocial": colors.HexColor("#1565c0"),
    "legal": colors.HexColor("#2e7d32"),
    "safety": colors.HexColor("#ef6c00"),
    "police": colors.HexColor("#455a64"),
}
MARGIN = 12 * mm
# Provider, where, days and hours, contact, cost and eligibility, languages and access.
COLUMNS = (40 * mm, 31 * mm, 27 * mm, 33 * mm, 28 * mm, 27 * mm)


def font_path(name: str) -> str:
    """The path of a shipped font file."""
    return str(files("fontpkg_fira_sans") / "files" / _FONT_FILES[name])


def _register_fonts() -> None:
    with _registered:
        if REGULAR not in pdfmetrics.getRegisteredFontNames():
            for name in (REGULAR, BOLD):
                pdfmetrics.registerFont(TTFont(name, font_path(name)))
            pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def _style(
    name: str, size: float, *, bold: bool = False, colour: colors.Color = INK
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD if bold else REGULAR,
        fontSize=size,
        leading=size * 1.22,
        textColor=colour,
        alignment=TA_LEFT,
    )


TITLE = _style("title", 17, bold=True, colour=ACCENT)
SUBTITLE = _style("subtitle", 9)
HEADING = _style("heading", 11, bold=True, colour=colors.white)
NOTE = _style("note", 8, colour=colors.white)
CELL = _style("cell", 7.2)
CELL_BOLD = _style("cell-bold", 7.6, bold=True)
HEAD_CELL = _style("head-cell", 7, bold=True, colour=colors.HexColor("#52606d"))
STEP = _style("step", 8.2)
FOOT = _style("foot", 6.6, colour=colors.HexColor("#52606d"))


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _lines(*parts: tuple[str, ParagraphStyle]) -> list[Paragraph]:
    return [_p(text, style) for text, style in parts if text]


def _row_cells(row: Row, sheet: Sheet) -> list[list[Paragraph]]:
    mark = " *" if row.sample else ""
    verified = f"{sheet.labels['verified']} {row.verified}"
    return [
        _lines((row.provider + mark, CELL_BOLD), (row.services, CELL), (verified, FOOT)),
        _lines((row.where, CELL_BOLD if row.confidential else CELL)),
        _lines((row.hours, CELL)),
        _lines((row.phones, CELL_BOLD if row.has_phone else CELL), (row.focal_point, CELL)),
        _lines((row.cost, CELL), (row.eligibility, CELL)),
        _lines((row.languages, CELL), (row.access, CELL)),
    ]


def _block(block: Block, sheet: Sheet) -> list[Flowable]:
    colour = BLOCK_COLOURS.get(block.key, ACCENT)
    band = Table(
        [[[_p(block.heading, HEADING), _p(block.note, NOTE)]]],
        colWidths=[sum(COLUMNS)],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        ),
    )
    labels = sheet.labels
    header = [
        _p(labels[key], HEAD_CELL)
        for key in ("provider", "where", "hours", "contact", "terms", "access")
    ]
    if not block.rows:
        body = Table([[_p(labels["none"], CELL)]], colWidths=[sum(COLUMNS)])
        return [KeepTogether([band, body]), Spacer(1, 3 * mm)]
    table = Table(
        [header, *(_row_cells(row, sheet) for row in block.rows)],
        colWidths=COLUMNS,
        repeatRows=1,
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#cbd2d9")),
                ("LINEBEFORE", (0, 0), (0, -1), 2, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        ),
    )
    # A block of a few rows stays on one page, its heading with it.
    return [KeepTogether([band, table]), Spacer(1, 3 * mm)]


def _steps(sheet: Sheet) -> Table:
    numbered = [_p(f"{number}. {step}", STEP) for number, step in enumerate(sheet.steps, start=1)]
    return Table(
        [
            [[_p(sheet.steps_heading, _style("steps-heading", 10, bold=True, colour=ACCENT))]],
            *([[item] for item in numbered]),
        ],
        colWidths=[sum(COLUMNS)],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, ACCENT),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f6f0fa")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        ),
    )


def render_pdf(sheet: Sheet) -> bytes:
    """The sheet as a PDF document of one A4 page or more."""
    _register_fonts()
    buffer = io.BytesIO()
    footer = " ".join(sheet.footer)

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        paragraph = _p(f"{footer} · {document.page}", FOOT)
        _, height = paragraph.wrap(A4[0] - 2 * MARGIN, MARGIN)
        paragraph.drawOn(canvas, MARGIN, MARGIN + 7 * mm - height)
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 8 * mm,
        title=sheet.title,
        author="referral-api",
        lang=sheet.lang,
    )
    story: list[Flowable] = [
        _p(sheet.title, TITLE),
        Spacer(1, 1.5 * mm),
        _p(f"{sheet.area_line} · {sheet.printed_line}", SUBTITLE),
        Spacer(1, 4 * mm),
    ]
    first, *others = sheet.blocks
    story += _block(first, sheet)
    story += [_steps(sheet), Spacer(1, 4 * mm)]
    for block in others:
        story += _block(block, sheet)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
