"""The monthly update as a PDF of two pages: page one the headline KPIs with their changes, plan
against actual and the alerts; page two the four charts and the founder's note; each page says
for whom it was made and how fresh the data is.

fpdf2 draws it: a well-kept, pure-Python PDF writer (no system libraries, unlike WeasyPrint or
wkhtmltopdf), with tables, embedded TrueType fonts and PNG images, which is all this needs. The
font is DejaVu Sans where the system has it (any name or note in any script), else Helvetica
with what Latin-1 cannot hold replaced."""

import io
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from expertnet.config import PRODUCT_NAME
from expertnet.metrics.privacy import MIN_EXPERTS, WITHHELD_TEXT
from expertnet.reports.update import Update

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARGIN_MM = 14
NOTE_LIMIT_MM = 95            # the note's room under the charts on page two
INK, GREY, LINE = (33, 37, 41), (110, 117, 125), (222, 226, 230)
FACES = {"": "", "B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}   # fpdf2's markdown uses all four
MAX_ALERTS = 8                # on page one; the Overview lists them all
FOOTER_NAME = 40              # characters of the audience's name in the footer


class _Pdf(FPDF):
    def __init__(self, update: Update):
        super().__init__(format="A4")
        self.update = update
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(False)
        self.unicode = all((FONT_DIR / f"DejaVuSans{face}.ttf").is_file() for face in FACES.values())
        if self.unicode:
            for style, face in FACES.items():
                self.add_font("Body", style, str(FONT_DIR / f"DejaVuSans{face}.ttf"))
        self.family = "Body" if self.unicode else "Helvetica"
        # what the regular face can draw (the other faces of DejaVu Sans cover the same characters)
        self.glyphs = set(self.fonts["body"].cmap) if self.unicode else set()
        self.undrawn = 0           # characters the font has no glyph for, drawn as "?"
        self.set_title(update.title)
        self.set_creator(PRODUCT_NAME)

    def text_of(self, text: str) -> str:
        """`text` as the font can draw it: a character it has no glyph for (Chinese, emoji, with
        DejaVu) becomes "?" and is counted, rather than silently left out of the page."""
        if not self.unicode:
            drawn = text.encode("latin-1", "replace").decode("latin-1")
        else:
            drawn = "".join(c if ord(c) in self.glyphs or c in "\n\t" else "?" for c in text)
        self.undrawn += sum(a != b for a, b in zip(text, drawn))
        return drawn

    def footer(self):
        self.set_y(-12)
        self.font(7, colour=GREY)
        name = self.update.audience.name
        name = name if len(name) <= FOOTER_NAME else name[:FOOTER_NAME - 1] + "…"
        self.cell(0, 4, self.text_of(f"{self.update.title} · for {name} · "
                                     f"{self.update.freshness} · page {self.page_no()} of 2"), align="C")

    def font(self, size: float, bold: bool = False, colour=INK):
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def heading(self, text: str, size: float = 12):
        self.ln(2)
        self.font(size, bold=True)
        self.cell(0, 7, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: _Pdf, update: Update) -> None:
    pdf.font(20, bold=True)
    pdf.cell(0, 10, pdf.text_of(update.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    audience = update.audience
    shown = audience.filters.describe()
    who = (f"Made for {audience.name} (share link {audience.link_id}): aggregates only, experts shown: {shown}."
           if audience.is_investor else f"Made for {audience.name}: every figure, experts shown: {shown}.")
    pdf.font(9, colour=GREY)
    pdf.multi_cell(0, 4.5, pdf.text_of(f"{who} {update.freshness}."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _kpi_table(pdf: _Pdf, update: Update) -> None:
    pdf.heading(f"Headline figures of {update.title.split(': ')[1]}")
    with_plan = any(row.plan for row in update.rows)
    header = ["Metric", "Value", "vs month before", "vs year before"] + (["Plan (variance)"] if with_plan else [])
    widths = (62, 38, 30, 30, 36) if with_plan else (72, 44, 33, 33)
    pdf.font(8.5)
    pdf.set_draw_color(*LINE)
    with pdf.table(col_widths=widths, text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")[:len(header)],
                   line_height=5.2, borders_layout="HORIZONTAL_LINES",
                   headings_style=FontFace(emphasis="BOLD", color=GREY)) as table:
        first = table.row()
        for text in header:
            first.cell(pdf.text_of(text))
        for row in update.rows:
            cells = table.row()
            for text in [row.label, row.value, row.vs_month_before, row.vs_year_before] + ([row.plan] if with_plan else []):
                cells.cell(pdf.text_of(text))
    if update.withheld_any:
        pdf.font(8, colour=GREY)
        pdf.multi_cell(0, 4, pdf.text_of(f"“{WITHHELD_TEXT}”: a figure drawn from fewer than {MIN_EXPERTS} experts, "
                                         "or one that would give such a figure away, is withheld."),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _alerts(pdf: _Pdf, update: Update) -> None:
    if update.audience.is_investor:
        return
    pdf.heading("Alerts")
    pdf.font(9)
    lines = [f"{fired.rule.name}: {fired.message} (rule: {fired.rule.describe()})" for fired in update.alerts]
    if len(lines) > MAX_ALERTS:
        lines = lines[:MAX_ALERTS - 1] + [f"and {len(lines) - MAX_ALERTS + 1} more: the Overview lists them all."]
    for line in lines or ["No alert rule holds for this month."]:
        pdf.multi_cell(0, 4.6, pdf.text_of(f"• {line}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _charts(pdf: _Pdf, update: Update) -> None:
    width = (pdf.w - 2 * MARGIN_MM - 6) / 2
    height = width * 0.62
    top = pdf.get_y()
    for n, (title, png, caption) in enumerate(update.charts[:4]):
        x = MARGIN_MM + (n % 2) * (width + 6)
        y = top + (n // 2) * (height + 14)
        pdf.set_xy(x, y)
        pdf.font(9.5, bold=True)
        pdf.cell(width, 5, pdf.text_of(title))
        if png:
            pdf.image(io.BytesIO(png), x=x, y=y + 5, w=width, h=height - 2, keep_aspect_ratio=True)
        pdf.set_xy(x, y + 5 + height - 1)
        pdf.font(7, colour=GREY)
        pdf.multi_cell(width, 3.2, pdf.text_of(caption if png else f"Not drawn: {caption}"))
    pdf.set_xy(MARGIN_MM, top + 2 * (height + 14))


def _note_blocks(note: str) -> list[tuple[str, str]]:
    """The note's markdown as (kind, text) blocks: 'heading', 'bullet' or 'paragraph'; **bold**
    and __italic__ stay for fpdf2's own markdown, whose "--" (underline) a note means as dashes."""
    note = note.replace("--", "-\u200b-")
    blocks = []
    for part in re.split(r"\n\s*\n", note.strip()):
        for line in part.splitlines() if re.match(r"\s*[-*] ", part) else [" ".join(part.split())]:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                blocks.append(("heading", line.lstrip("#").strip()))
            elif re.match(r"[-*] ", line):
                blocks.append(("bullet", line[2:].strip()))
            else:
                blocks.append(("paragraph", line))
    return blocks


def _fitted(pdf: _Pdf, body: str, room_mm: float) -> str | None:
    """`body`, or as many of its first words as fit in `room_mm` with an ellipsis; None if none do."""
    def height(text: str) -> float:
        return pdf.multi_cell(0, 4.6, text, markdown=True, dry_run=True, output="HEIGHT")
    if height(body) <= room_mm:
        return body
    words = body.split(" ")
    low, high = 0, len(words)          # the most words that fit, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if height(" ".join(words[:middle]) + " …") <= room_mm:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low]) + " …" if low else None


def _note(pdf: _Pdf, update: Update) -> None:
    if not update.note:
        return
    pdf.heading("Note from the founders", 11)
    bottom = min(pdf.get_y() + NOTE_LIMIT_MM, pdf.h - 16)
    for kind, text in _note_blocks(update.note):
        size, bold, prefix = (10, True, "") if kind == "heading" else (9, False, "• " if kind == "bullet" else "")
        pdf.font(size, bold=bold)
        body = _fitted(pdf, pdf.text_of(prefix + text), bottom - pdf.get_y() - 5)
        if body is not None:
            pdf.multi_cell(0, 4.6, body, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        if body is None or body.endswith(" …") and not (prefix + text).endswith(" …"):
            pdf.font(8, colour=GREY)
            pdf.multi_cell(0, 4, "(The note is longer than the update has room for; the email holds all of it.)",
                           new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return


def render(update: Update) -> bytes:
    """The update as PDF bytes: two A4 pages."""
    return render_counting(update)[0]


def render_counting(update: Update) -> tuple[bytes, int]:
    """The PDF, and how many characters its font could not draw (drawn as "?")."""
    pdf = _Pdf(update)
    pdf.add_page()
    _header(pdf, update)
    _kpi_table(pdf, update)
    _alerts(pdf, update)
    pdf.add_page()
    pdf.heading("Charts", 12)
    _charts(pdf, update)
    _note(pdf, update)
    return bytes(pdf.output()), pdf.undrawn
