"""Convert a published report (web text, Word or PDF) into a report file.

The story: extract lines (text.py) → find the headings and the 落款 (sections.py) → read each table
by the format's labels (tables.py, digits.py) → read the metadata (metadata.py) → hand the data to
the canonical writer. Whatever cannot be determined is written ``待填`` and explained in a note, so
that validation points at it; nothing is guessed silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..formats import FORMATS, SECTIONS, FormatDef
from ..schema import TABLE_AFTER
from ..template import format_for_year
from ..writer import MISSING, render_report
from .html import attachments
from .labels import normalize
from .metadata import Metadata, read_metadata
from .sections import Parts, body_markdown, prose_width, split_report
from .stated import source_balance
from .tables import read_table, split_section
from .text import Document, Note, UnreadableInput, read_document

__all__ = ["Imported", "Note", "UnreadableInput", "import_report"]

# Table 1 header words only the 2019 试行 format prints: they tell the format when the year cannot.
_FORMAT_2019_WORDS = tuple(normalize(w) for w in ("本年新制作数量", "本年新公开数量", "对外公开总数量"))


@dataclass
class Imported:
    """A converted report: the data for the writer and the notes for the editor."""

    data: dict[str, Any]
    meta: Metadata
    format: FormatDef
    document: Document
    notes: list[Note] = field(default_factory=list)
    balance: list[Note] = field(default_factory=list)  # the source's own R1–R4 findings (stated.py)

    @property
    def cells(self) -> tuple[int, int]:
        """Return (cells read, cells left 待填) of the stated cells of every table."""
        values = [v for table in self.data["tables"].values() for v in table.values()]
        missing = sum(1 for v in values if v == MISSING)
        return len(values) - missing, missing

    def render(self, schema_path: str) -> str:
        """Return the report file's text."""
        return render_report(self.data, schema_path, with_totals=True)


def import_report(path: Path, agency_id: str | None = None, region: str | None = None, kind: str | None = None) -> Imported:
    """Read the published report at ``path``; raise UnreadableInput when it is no report at all."""
    document = read_document(path)
    parts = split_report(document)
    if not parts.bodies:
        linked = attachments(path.read_bytes()) if document.kind == "html" else []
        hint = f"；网页链接了附件 {'、'.join(linked[:3])}，报告可能以附件发布，请下载后导入附件" if linked else ""
        raise UnreadableInput(f"{path} 中没有找到年度报告的任何部分标题（如“一、总体情况”），无法导入{hint}")
    width = prose_width(parts.lead + [line for body in parts.bodies.values() for line in body]) if document.wrapped else 0.0
    lead = body_markdown(parts.lead, width)
    meta = read_metadata(parts, lead, path, agency_id, region, kind)
    fmt = _format(meta.year, parts)
    notes = list(parts.notes)
    if fmt.id != 2019 and _printed_in_2019_format(parts):
        notes.append(Note(f"原文表一按 2019 年试行格式印制，而 {meta.year} 年度应使用{fmt.name}（{fmt.document}），表一对应不上的格已写作“待填”"))
    data: dict[str, Any] = {
        "机关名称": meta.agency,
        "机关代码": meta.agency_id,
        "地区": meta.region,
        "机关类别": meta.kind,
        "年度": meta.year,
        "格式": fmt.id,
        "联系方式": meta.contact,
        "导语": lead,
        "落款": {"署名": meta.signature, "日期": meta.date},
    }
    if not lead:
        notes.append(Note("原文第一部分标题之前没有导语，“导语”已写作“待填”"))
    tables: dict[str, dict[tuple[str, ...], Any]] = {}
    for index, heading in enumerate(SECTIONS):
        body = parts.bodies.get(index, [])
        table_id = TABLE_AFTER.get(heading)
        if table_id is None:
            data[heading] = body_markdown(body, width)
            continue
        before, table_lines, after = split_section(body, fmt.table[table_id])
        data[heading] = body_markdown(before + after, width)
        result = read_table(fmt.table[table_id], fmt, table_lines, document.scattered)
        tables[table_id] = result.values
        notes += result.notes
    data["tables"] = tables
    if document.wrapped:
        notes.append(Note("PDF 的文字按行宽折行，段落已按行宽重新拼接，请核对分段"))
    return Imported(data, meta, fmt, document, meta.notes + notes, source_balance(fmt, tables))


def _format(year: int | None, parts: Parts) -> FormatDef:
    """Return the format of the report's year; without a year, the one its table 1 is printed in."""
    if year is not None:
        return format_for_year(year)
    return FORMATS[2019] if _printed_in_2019_format(parts) else FORMATS[2021]


def _printed_in_2019_format(parts: Parts) -> bool:
    table1 = normalize("".join(line.text for line in parts.bodies.get(1, [])))
    return any(word in table1 for word in _FORMAT_2019_WORDS)

