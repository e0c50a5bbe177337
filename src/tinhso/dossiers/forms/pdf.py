"""PDFs of the forms with fpdf2 and the vendored DejaVu fonts (full Vietnamese alphabet).

`form_pdf(document)` draws a `FormDocument` (forms 01–06) on A5 portrait. `FormPdf` and
`TableWriter` are shared with the register (form 07, A4 landscape, see `register`): the table
writer wraps cell text itself, with a cache, so a register of thousands of rows is drawn row by
row without fpdf2's slower table layout.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

from tinhso.dossiers.forms.data import Field, FormDocument, Header, Paragraph, QrCode, Signatures, Table

# fontTools logs every font subset at INFO: keep the server log for what matters.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "fonts"
FAMILY = "DejaVu"
A5 = (148.0, 210.0)  # mm; fpdf2 warns on the name "A5" since it changed its size in 2.8.5


class FormPdf(FPDF):
    """An FPDF with the DejaVu Serif faces registered as family "DejaVu" and a footer line."""

    def __init__(self, *, orientation: str = "P", format: str | tuple[float, float] = "A4", footer_text: str = "") -> None:
        super().__init__(orientation=orientation, unit="mm", format=format)
        self.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSerif.ttf"))
        self.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
        self.add_font(FAMILY, "I", str(FONT_DIR / "DejaVuSerif-Italic.ttf"))
        self.footer_text = footer_text
        self.set_margins(12, 10, 12)
        self.set_auto_page_break(True, margin=12)
        self.alias_nb_pages()
        self.set_creator("tinhso")
        self._wrap_cache: dict[tuple[str, str, float, float], list[str]] = {}

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font(FAMILY, "I", 6.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.footer_text}   —   Trang {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def text_width(self, text: str) -> float:
        """Width of `text` in mm in the current font: a sum of the glyph advances, without the
        per-call parsing of `get_string_width` (no text shaping is used)."""
        widths: Any = self.current_font.cw  # type: ignore[union-attr]  # always a TTF font here
        return sum(widths[ord(c)] for c in text) * self.font_size_pt * 0.001 / self.k

    def wrap(self, text: str, width: float) -> list[str]:
        """Split `text` into lines no wider than `width` in the current font (cached)."""
        key = (text, self.font_style, self.font_size_pt, width)
        cached = self._wrap_cache.get(key)
        if cached is not None:
            return cached
        lines: list[str] = []
        for para in text.split("\n"):
            line = ""
            for word in para.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.text_width(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while word and self.text_width(word) > width:
                    k = len(word) - 1
                    while k > 1 and self.text_width(word[:k]) > width:
                        k -= 1
                    lines.append(word[:k])
                    word = word[k:]
                line = word
            lines.append(line)
        if len(self._wrap_cache) > 20000:
            self._wrap_cache.clear()
        self._wrap_cache[key] = lines
        return lines

    # --- shared pieces ---------------------------------------------------------------------

    def draw_header(self, header: Header, left_width: float) -> None:
        """Left: parent agency / agency (bold, short rule) / number; right: the national name."""
        x0, y0 = self.l_margin, self.get_y()
        right_width = self.w - self.l_margin - self.r_margin - left_width
        size = 8 if self.w < 200 else 10
        lh = size * 0.45
        # Left column.
        self.set_xy(x0, y0)
        if header.parent_name:
            self.set_font(FAMILY, "", size)
            self.multi_cell(left_width, lh, header.parent_name, align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, "B", size)
        self.multi_cell(left_width, lh, header.agency_name, align="C", new_x="LEFT", new_y="NEXT")
        rule_y = self.get_y() + 1.2
        self.line(x0 + left_width * 0.3, rule_y, x0 + left_width * 0.7, rule_y)
        self.set_y(rule_y + 1.2)
        if header.number:
            self.set_x(x0)
            self.set_font(FAMILY, "", size)
            self.multi_cell(left_width, lh, header.number, align="C", new_x="LEFT", new_y="NEXT")
        left_bottom = self.get_y()
        # Right column.
        xr = x0 + left_width
        self.set_xy(xr, y0)
        national_size: float = size
        self.set_font(FAMILY, "B", national_size)
        while self.get_string_width(header.national_name) > right_width - 2 * self.c_margin - 0.5 and national_size > 6:
            national_size -= 0.25
            self.set_font(FAMILY, "B", national_size)
        self.multi_cell(right_width, lh, header.national_name, align="C", new_x="LEFT", new_y="NEXT")
        self.set_font(FAMILY, "B", size)
        motto_width = self.get_string_width(header.national_motto)
        self.multi_cell(right_width, lh, header.national_motto, align="C", new_x="LEFT", new_y="NEXT")
        rule_y = self.get_y() + 0.5
        self.line(xr + (right_width - motto_width) / 2, rule_y, xr + (right_width + motto_width) / 2, rule_y)
        self.set_xy(xr, rule_y + 1.5)
        self.set_font(FAMILY, "I", size)
        self.multi_cell(right_width, lh, header.place_date, align="C", new_x="LEFT", new_y="NEXT")
        self.set_xy(x0, max(left_bottom, self.get_y()) + 3)

    def draw_title(self, title: str, subtitle: str = "", size: float = 11) -> None:
        self.set_x(self.l_margin)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, title, align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.set_font(FAMILY, "I", size - 2.5)
            self.multi_cell(0, (size - 2.5) * 0.5, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2.5)


class TableWriter:
    """Draws a bordered table row by row; the heading row repeats on every new page."""

    def __init__(
        self,
        pdf: FormPdf,
        columns: Sequence[tuple[str, float, str]],
        *,
        font_size: float = 7.5,
        width: float | None = None,
    ) -> None:
        self.pdf = pdf
        total = width if width is not None else pdf.w - pdf.l_margin - pdf.r_margin
        weight = sum(c[1] for c in columns)
        self.headings = [c[0] for c in columns]
        self.widths = [total * c[1] / weight for c in columns]
        self.aligns = [c[2] for c in columns]
        self.size = font_size
        self.lh = font_size * 0.42
        self.pad = 0.8

    def _draw(self, cells: Sequence[str], *, heading: bool) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if heading else "", self.size)
        wrapped = [pdf.wrap(str(text or ""), w - 2 * self.pad) for text, w in zip(cells, self.widths, strict=True)]
        height = max(len(lines) for lines in wrapped) * self.lh + 2 * self.pad
        if not heading and pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            self.heading()
            pdf.set_font(FAMILY, "", self.size)
        x, y = pdf.l_margin, pdf.get_y()
        for lines, w, align in zip(wrapped, self.widths, self.aligns, strict=True):
            if heading:
                pdf.set_fill_color(235, 235, 235)
                pdf.rect(x, y, w, height, style="DF")
            else:
                pdf.rect(x, y, w, height)
            for i, line in enumerate(lines):
                line_w = pdf.text_width(line)
                a = "C" if heading else align
                if a == "C":
                    tx = x + (w - line_w) / 2
                elif a == "R":
                    tx = x + w - self.pad - line_w
                else:
                    tx = x + self.pad
                pdf.text(tx, y + self.pad + i * self.lh + self.lh * 0.78, line)
            x += w
        pdf.set_xy(pdf.l_margin, y + height)

    def heading(self) -> None:
        self._draw(self.headings, heading=True)

    def row(self, cells: Sequence[str]) -> None:
        self._draw(cells, heading=False)


# --- forms 01–06 ---------------------------------------------------------------------------

BODY_SIZE = 9
LINE = 4.4


def _field(pdf: FormPdf, block: Field) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "", BODY_SIZE)
    pdf.write(LINE, f"{block.label}: ")
    pdf.set_font(FAMILY, "B" if block.bold_value else "", BODY_SIZE)
    pdf.write(LINE, block.value or "…")
    pdf.ln(LINE + 0.6)


def _paragraph(pdf: FormPdf, block: Paragraph) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, block.style, BODY_SIZE)
    pdf.multi_cell(0, LINE, block.text or "…", align=block.align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.6)


def _signatures(pdf: FormPdf, block: Signatures) -> None:
    pdf.ln(2)
    n = len(block.items)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / n
    needed = 36
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    y0 = pdf.get_y()
    for i, sig in enumerate(block.items):
        x = pdf.l_margin + i * width
        pdf.set_xy(x, y0)
        if sig.note:
            first, _, rest = sig.title.partition("\n")
            pdf.set_font(FAMILY, "B", 7.5)
            pdf.multi_cell(width, 3.4, first, align="L", new_x="LEFT", new_y="NEXT")
            pdf.set_font(FAMILY, "", 7)
            pdf.multi_cell(width, 3.2, rest, align="L", new_x="LEFT", new_y="NEXT")
            continue
        if sig.above:
            pdf.set_font(FAMILY, "B", BODY_SIZE)
            pdf.multi_cell(width, LINE, sig.above, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "B", BODY_SIZE)
        pdf.multi_cell(width, LINE, sig.title, align="C", new_x="LEFT", new_y="NEXT")
        if sig.hint:
            pdf.set_font(FAMILY, "I", 7.5)
            pdf.multi_cell(width, 3.6, sig.hint, align="C", new_x="LEFT", new_y="NEXT")
        if sig.name:
            pdf.set_xy(x, y0 + 28)
            pdf.set_font(FAMILY, "B", BODY_SIZE)
            pdf.multi_cell(width, LINE, sig.name, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, y0 + needed)


def form_pdf(document: FormDocument) -> bytes:
    """Form 01–06 on A5 portrait, as PDF bytes."""
    pdf = FormPdf(format=A5, footer_text=document.footer)
    pdf.set_title(f"{document.title} — {document.code}")
    pdf.set_subject(document.footer)
    pdf.add_page()
    pdf.draw_header(document.header, left_width=54)
    pdf.draw_title(document.title, document.subtitle)
    saved_margin = pdf.r_margin
    qr_bottom = 0.0
    for block in document.blocks:
        if isinstance(block, (Table, Signatures)) and qr_bottom:
            pdf.set_y(max(pdf.get_y(), qr_bottom))
        if qr_bottom and pdf.get_y() >= qr_bottom:
            pdf.set_right_margin(saved_margin)
            qr_bottom = 0.0
        if isinstance(block, QrCode):
            size = 22.0
            x = pdf.w - saved_margin - size
            y = pdf.get_y()
            pdf.image(io.BytesIO(block.png_bytes()), x=x, y=y, w=size, h=size)
            pdf.set_font(FAMILY, "I", 5.5)
            pdf.set_xy(x - 3, y + size)
            pdf.multi_cell(size + 6, 2.4, block.caption, align="C")
            pdf.set_xy(pdf.l_margin, y)
            pdf.set_right_margin(saved_margin + size + 3)
            qr_bottom = y + size + 5.5
        elif isinstance(block, Field):
            _field(pdf, block)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Table):
            writer = TableWriter(pdf, block.columns, font_size=7.5)
            writer.heading()
            for row in block.rows:
                writer.row(row)
            pdf.ln(1.5)
        elif isinstance(block, Signatures):
            _signatures(pdf, block)
    return bytes(pdf.output())
