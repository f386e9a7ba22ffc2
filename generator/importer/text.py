"""Extract the lines of a published report from plain text, Word (.docx) or a text PDF.

Everything downstream works on lines as a web page's text extraction gives them: paragraphs one a
line, table cells one a line or a whole row on one line separated by tabs. A Word table row becomes
one tab-separated line (a vertically merged cell continues as an empty field, as HTML shows it); a
PDF keeps pypdf's lines, which wrap at the page width (``Document.wrapped``).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class UnreadableInput(Exception):
    """The input file cannot be read as a report (its message is for editors, in Chinese)."""


@dataclass(frozen=True)
class Note:
    """What the importer tells the editor about one place: a value it could not determine, say."""

    message: str
    line: int | None = None  # line of the extracted text


@dataclass(frozen=True)
class Line:
    """One line of the extracted text and its 1-based number."""

    text: str
    number: int
    indented: bool = False  # printed with a first-line indent: a PDF paragraph starts here


@dataclass
class Document:
    """The extracted lines of one input file."""

    lines: list[Line]
    kind: str  # text | html | docx | pdf
    wrapped: bool = False  # lines wrap at the page width: paragraphs must be rejoined
    # table cells come in reading order, not row by row (pdftotext without -layout): a row's
    # numbers are never those found further on, unless bands.py can put them back
    scattered: bool = False

    @property
    def numbered(self) -> bool:
        """Return True when line numbers point into the input file itself (plain text)."""
        return self.kind == "text"


# Page footers printed inside tables and prose: -4-, — 4 —, 第4页, 第 4 页 共 10 页, 4/10.
_FOOTER = re.compile(r"^\s*(?:[-—–－·]+\s*\d{1,3}\s*[-—–－]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2014\u2026〔〕]"
# pypdf puts spaces between runs of different fonts and around squeezed punctuation; Chinese text
# has none there, so a space next to a CJK character is an artefact of the extraction.
_PDF_SPACE = re.compile(rf"(?<={_CJK}) +| +(?={_CJK})")


def is_footer(text: str) -> bool:
    """Return True for a page footer line such as ``-4-``."""
    return bool(_FOOTER.match(unicodedata.normalize("NFKC", text)))


def read_document(path: Path) -> Document:
    """Return the lines of ``path`` (``.docx``, ``.pdf``, anything else read as text)."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    if suffix == ".docx":
        return _numbered(_docx_lines(data, path), "docx")
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return _numbered(_pdf_lines(data, path), "pdf", wrapped=True)
    if suffix == ".doc":
        raise UnreadableInput(f"{path} 是旧版 Word 文件（.doc），请在 Word 或 WPS 中另存为 .docx 后再导入")
    from .html import html_lines, is_html

    if is_html(data, suffix):
        from .running import split_running

        document = _numbered(html_lines(data, str(path)), "html")
        document.lines = split_running(document.lines)
        return document
    return read_text(_decode(data, path), suffix)


def read_text(text: str, suffix: str = ".txt") -> Document:
    """Return the lines of plain text: web text, PDF text (``pdftotext``, a viewer's copy), Markdown, or one line."""
    from .markdown import is_markdown, markdown_lines
    from .running import split_running

    raw = _split(text.replace("\f", "\n"))
    pdf_text = "\f" in text
    doubled = _doubled(raw)
    lines = _numbered(raw, "text").lines
    wrapped = pdf_text or doubled or _wrapped(lines)
    layout = wrapped and _laid_out(raw)
    if wrapped:
        # pdftotext sets Latin runs apart by spaces (2024 年): Chinese has none there; the indent stays
        lines = [Line(_indent(line.text) + _PDF_SPACE.sub("", line.text.lstrip(" ")), line.number) for line in lines]
    if doubled:
        lines = [line for line in lines if line.text.strip()]
    if layout:
        lines = _layout_indents(lines)
    if is_markdown(raw, suffix):
        lines = markdown_lines(lines)
    lines = split_running(lines)
    return Document(lines, "text", wrapped=wrapped, scattered=wrapped and not layout)


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" "))]


DOUBLED = 0.9  # share of lines followed by a blank line in a viewer's copy of a PDF


def _doubled(lines: list[str]) -> bool:
    """Return True for text with a blank line after every printed line (copied from a PDF viewer)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 20:
        return False
    gaps = sum(1 for a, b in zip(filled, filled[1:], strict=False) if b - a == 2)
    return gaps >= DOUBLED * (len(filled) - 1)


WRAPPED_SHARE = 0.5  # share of the full-width prose lines that stop mid-sentence in text wrapped at a page width
WRAPPED_MIN = 3


def _wrapped(lines: list[Line]) -> bool:
    """Return True for text broken at a page width (PDF text saved without page breaks).

    Web text holds a paragraph a line: its longest lines end a sentence. Text from a PDF stops
    mid-sentence at the right margin, line after line of the same width.
    """
    prose = [
        t.replace(" ", "") for line in lines
        if len(re.findall(_CJK, t := line.text.strip())) >= 10 and not re.search(r"\S {3,}\S|\t|\|", t)  # no table row
    ]
    if len(prose) < 10:
        return False
    widths = sorted(len(t) for t in prose)
    full = widths[int(len(widths) * 0.9)]
    wide = [t for t in prose if len(t) >= 0.85 * full]
    cut = [t for t in wide if t[-1] not in "。；：！？”）)"]
    return len(cut) >= WRAPPED_MIN and len(cut) >= WRAPPED_SHARE * len(wide)


def _laid_out(lines: list[str]) -> bool:
    """Return True for ``pdftotext -layout`` output: table columns apart by runs of spaces."""
    return sum(1 for line in lines if re.search(r"\S {3,}\S", line)) >= 5


def _layout_indents(lines: list[Line]) -> list[Line]:
    """Mark the lines ``pdftotext -layout`` prints with a paragraph's first-line indent."""
    prose = [line for line in lines if any(p in line.text for p in "，。")]
    margin = min((len(line.text) - len(line.text.lstrip(" ")) for line in prose), default=0)
    out = []
    for line in lines:
        indent = len(line.text) - len(line.text.lstrip(" ")) - margin
        out.append(Line(line.text, line.number, 2 <= indent <= 8 and not re.search(r"\S {3,}\S", line.text)))
    return out


def _numbered(lines: Iterator[str | tuple[str, bool]] | list[str], kind: str, wrapped: bool = False) -> Document:
    out = []
    for number, line in enumerate(lines, start=1):
        text, indented = line if isinstance(line, tuple) else (line, False)
        out.append(Line(text, number, indented))
    return Document(out, kind, wrapped)


def _split(text: str) -> list[str]:
    # not str.splitlines(): it also splits at form feeds and U+2028 that web pages leave in prose
    return re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableInput(f"{path} 不是 UTF-8 或 GBK 编码的文本文件，请另存为 UTF-8 文本后再导入")


# A real .docx report inflates to a few MB; a 3 MB zip bomb inflated to 6 GB before python-docx gave up.
MAX_DOCX_INFLATED = 64 * 1024 * 1024
MAX_DOCX_MEMBERS = 2_000


def _check_zip(data: bytes, path: Path) -> None:
    """Refuse a .docx whose members would inflate past MAX_DOCX_INFLATED, before any is inflated.

    zipfile never inflates a member past the size its header declares (it stops there and checks
    the CRC), so the declared sizes bound the memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableInput(f"无法读取 Word 文件 {path}：不是有效的 .docx（{exc}）") from exc
    inflated = sum(m.file_size for m in members)
    if len(members) > MAX_DOCX_MEMBERS or inflated > MAX_DOCX_INFLATED:
        raise UnreadableInput(f"{path} 解压后有 {inflated} 字节、{len(members)} 个部件，远超一份报告"
                              f"（上限 {MAX_DOCX_INFLATED} 字节）；文件可能已损坏，未导入")


def _docx_lines(data: bytes, path: Path) -> Iterator[str]:
    import docx
    from docx.table import Table

    _check_zip(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds on a damaged file
        raise UnreadableInput(f"无法读取 Word 文件 {path}：{exc}") from exc
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield from _docx_table(block)
        else:
            yield block.text


def _docx_table(table: Any) -> Iterator[str]:
    """Yield one tab-separated line per row; a merged cell is printed once, as on the web."""
    from docx.table import _Cell

    for row in table.rows:
        fields = []
        for tc in row._tr.tc_lst:  # the cells as stored: a horizontal span is one cell
            if tc.vMerge == "continue":
                fields.append("")
                continue
            fields.append(_join_paragraphs([p.text for p in _Cell(tc, table).paragraphs]))
        yield "\t".join(fields)


def _join_paragraphs(parts: list[str]) -> str:
    """Join a cell's paragraphs: words broken inside a cell (商业/企业) are one word again."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and out[-1].isdigit() and part[0].isdigit():
            out += " "
        out += part
    return out


def _pdf_lines(data: bytes, path: Path) -> Iterator[tuple[str, bool]]:
    """Yield each line of a text PDF and whether it is indented (a paragraph's first line)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "", page.extract_text(extraction_mode="layout") or "") for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds on damaged or encrypted files
        raise UnreadableInput(f"无法读取 PDF 文件 {path}：{exc}") from exc
    if not any(plain.strip() for plain, _ in pages):
        raise UnreadableInput(f"{path} 中没有可提取的文字（可能是扫描件），请改用网页文本或 Word 文件导入")
    for number, (plain, positioned) in enumerate(pages, start=1):
        starts = _indented_lines(positioned)
        lines = [_PDF_SPACE.sub("", line).rstrip() for line in _split(plain)]
        while lines and not lines[-1].strip():
            lines.pop()
        # a bare page number closing the page is the footer, never a table cell
        if lines and lines[-1].strip() == str(number):
            lines.pop()
        for line in lines:
            yield line, _bare(line) in starts


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _indented_lines(positioned: str) -> set[str]:
    """Return the lines pypdf's layout mode shows with a paragraph's first-line indent.

    Plain extraction loses the two-character indent that starts every Chinese paragraph; the
    layout mode keeps it as leading spaces. Centred titles and right-aligned 落款 indent much more.
    """
    lines = [line for line in _split(positioned) if line.strip()]
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines), default=0)
    out = set()
    for line in lines:
        indent = len(line) - len(line.lstrip(" ")) - margin
        if 1 <= indent <= 4:
            out.add(_bare(line))
    return out
