"""The contract as a PDF: the same case always gives the same bytes, so its SHA-256 identifies what was signed.

Chinese is set in STSong-Light, one of the Adobe CJK fonts every conforming PDF viewer supplies itself
(ReportLab's UnicodeCIDFont): no font file is shipped or embedded, and the text stays extractable.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.common.clock import SHANGHAI
from services.intake.contracts.templates import ContractTemplate, Terms

FONT = "STSong-Light"
MEDIA_TYPE = "application/pdf"


@dataclass(frozen=True)
class ContractCase:
    """Everything a contract says about its case, fixed when the case was accepted."""

    application_id: str
    number: str
    party_name: str
    contact_name: str
    contact_phone: str
    address: str
    region_name: str
    category: str
    access_voltage: str
    capacity_kva: Decimal
    zero_investment: bool
    grid_company: str
    ready_at: datetime


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    # CJK wrapping breaks lines between any two characters, as Chinese text has no spaces to break at.
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontSize=11, spaceBefore=3 * mm),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=12, textColor=colors.HexColor("#555555")),
    }


def chinese_date(day: date) -> str:
    """A date as a contract writes it: 2026年9月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _capacity(value: Decimal) -> str:
    # 8.00 kVA is written 8, 12.50 is written 12.5.
    return f"{value.normalize():f}"


def fields(case: ContractCase, terms: Terms) -> dict[str, str]:
    """The values a template's clauses may name."""
    return {
        "address": case.address,
        "region_name": case.region_name,
        "category_name": terms.category_names.get(case.category, case.category),
        "voltage": terms.voltages.get(case.access_voltage, case.access_voltage),
        "capacity_kva": _capacity(case.capacity_kva),
        "investment": terms.investment["true" if case.zero_investment else "false"],
        "grid_company_name": terms.grid_companies.get(case.grid_company, case.grid_company),
        "number": case.number,
    }


def _text(value: str) -> str:
    # Paragraphs read a markup language: what the applicant typed is text, never markup.
    return escape(value)


def _parties(case: ContractCase, values: dict[str, str], style: ParagraphStyle) -> Table:
    rows = [
        ("供电人", values["grid_company_name"]),
        ("用电人", case.party_name),
        ("联系人", f"{case.contact_name}（{case.contact_phone}）"),
        ("用电地址", case.address),
        ("申请编号", case.number),
        ("合同日期", chinese_date(case.ready_at.astimezone(SHANGHAI).date())),
    ]
    table = Table(
        [[Paragraph(_text(label), style), Paragraph(_text(value), style)] for label, value in rows],
        colWidths=[28 * mm, 132 * mm],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _story(case: ContractCase, template: ContractTemplate, terms: Terms) -> list[Any]:
    styles = _styles()
    values = fields(case, terms)
    story: list[Any] = [
        Paragraph(_text(template.title), styles["title"]),
        _parties(case, values, styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(_text(template.preamble), styles["body"]),
    ]
    for clause in template.clauses:
        story.append(Paragraph(_text(clause.heading), styles["heading"]))
        story.append(Paragraph(_text(clause.text.format(**values)), styles["body"]))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(_text(f"供电人：{values['grid_company_name']}"), styles["body"]),
        Paragraph(_text(f"用电人：{case.party_name}（在线确认签署）"), styles["body"]),
        Spacer(1, 6 * mm),
        Paragraph(_text(f"合同文本：{template.id}；申请编号：{case.number}"), styles["small"]),
    ]
    return story


def render(case: ContractCase, template: ContractTemplate, terms: Terms) -> bytes:
    """The contract's PDF; its creation date and file ID come from the case, so equal cases give equal bytes."""
    created = case.ready_at.astimezone(SHANGHAI)
    stamp = created.strftime("D:%Y%m%d%H%M%S+08'00'")
    # The file ID is normally a hash of the time of writing; here it is a hash of the case and the wording.
    identity = f"{case.application_id}|{template.id}|{created.isoformat()}"

    def fix_identity(canvas: Canvas, _document: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)
        # The document behind the canvas takes the seed of its ID; ReportLab's stubs do not declare it.
        cast(Any, canvas)._doc.updateSignature(hashlib.sha256(identity.encode("utf-8")).hexdigest())

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        invariant=1,
        title=template.title,
        author=fields(case, terms)["grid_company_name"],
        subject=case.number,
        creator="zerovisit",
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    document.build(_story(case, template, terms), onFirstPage=fix_identity)
    return buffer.getvalue()
