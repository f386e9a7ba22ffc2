"""Extract the lines of a report published as a web page (``.html``, ``.htm``, ``.shtml``, ``.mhtml``).

Government CMSs (TRS, Hanweb, 大汉…) publish the report as an article inside site chrome; Word
exports leave ``MsoNormal`` paragraphs, ``<o:p>`` and ``&nbsp;``, and split words over ``<span>``s.
The page is parsed by lxml's HTML parser (libxml2: fast, tolerant of the broken markup these sites
serve, and maintained); the charset is the one the page declares. The article is the smallest
element holding as many statutory headings as the whole page; the title is found beside it. Text
comes out one block a line, as a browser's copy gives it, and a table one row a line, its cells
apart by tabs with the spans resolved: a cell covered by a rowspan from above is an empty field and
a colspan is one field, as in a Word table (text.py), so that tables.py reads them by their labels.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from typing import Any

from .labels import heading_index
from .running import running_headings
from .text import UnreadableInput

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".mhtml", ".mht")

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DROP = ("script", "style", "noscript", "iframe", "form", "button", "input", "select", "textarea", "object", "svg", "template", "head")
_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer nav aside blockquote pre center "
    "address figure figcaption caption hr main".split()
)
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2014\u2026〔〕]"
_SPACE_BY_CJK = re.compile(rf"(?<={_CJK}) +| +(?={_CJK})")
_TITLE_WORDS = re.compile(r"(?:19|20)\d{2}\s*年度?.*(?:政府信息公开|政务公开).*报告|报告.*(?:19|20)\d{2}")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||－|—|-{1,2})\s*")


def is_html(data: bytes, suffix: str) -> bool:
    """Return True for a web page: by its suffix, or a text file that starts like one."""
    if suffix in HTML_SUFFIXES:
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"\xef\xbb\xbf<!doctype html", b"\xef\xbb\xbf<html"))


def html_lines(data: bytes, where: str) -> list[str]:
    """Return the lines of the report in the page ``data``: title first, then the article."""
    import lxml.html

    if data[:200].lstrip().lower().startswith(b"mime-version") or b"Content-Type: multipart/related" in data[:2000]:
        data = _mhtml_page(data, where)
    text = decode_page(data, where)
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text) or "<html></html>")
    except Exception as exc:  # lxml raises ParserError on an empty or hopeless page
        raise UnreadableInput(f"无法解析网页 {where}：{exc}") from exc
    title = _title(root)
    for element in root.iter(*_DROP):
        element.drop_tree()
    for comment in root.xpath("//comment()"):
        comment.drop_tree()
    body = root.find("body")
    article = _article(body if body is not None else root)
    lines = list(_lines(article))
    if title and not any(_same(title, line) for line in lines[:5]):
        lines.insert(0, title)
    return lines


_ATTACHMENT = re.compile(r"""href\s*=\s*["']?([^"'\s>]+\.(?:pdf|docx?|wps|ofd))["'\s>]""", re.I)


def attachments(data: bytes) -> list[str]:
    """Return the file names of the documents a page links to (the report may be published as one)."""
    names = [m[1].rsplit("/", 1)[-1] for m in _ATTACHMENT.finditer(data.decode("latin-1"))]
    return list(dict.fromkeys(names))


def decode_page(data: bytes, where: str) -> str:
    """Return the page's text in the charset it declares (BOM, ``<meta charset>``), else UTF-8 or GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    declared = _CHARSET.search(data[:4096])
    tried = []
    if declared:
        name = declared[1].decode("ascii").lower()
        # GB2312 and GBK pages use GB18030 characters freely (生僻字 in names): read them as GB18030
        tried.append("gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936") else name)
    tried += ["utf-8", "gb18030"]
    for encoding in tried:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableInput(f"网页 {where} 的编码无法识别（既不是声明的编码，也不是 UTF-8 或 GBK），请用浏览器另存为 UTF-8 网页后再导入")


def _mhtml_page(data: bytes, where: str) -> bytes:
    """Return the HTML part of a saved ``.mhtml`` page (a MIME multipart message)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = part.get_content_charset()
                if charset and not _CHARSET.search(payload[:4096]):
                    payload = f'<meta charset="{charset}">'.encode("ascii") + payload
                return payload
    raise UnreadableInput(f"{where} 是 MHTML 文件，但其中没有网页（text/html）部分")


def _same(title: str, line: str) -> bool:
    return re.sub(r"\s+", "", title) in re.sub(r"\s+", "", line)


def _title(root: Any) -> str:
    """Return the report's title: the CMS's ArticleTitle, a title element beside the article, or ``<title>``."""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("articletitle", "title") and _TITLE_WORDS.search(meta.get("content") or ""):
            return _clean(meta.get("content") or "")
    for element in root.iter("h1", "h2", "h3", "div", "p", "td", "span"):
        marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if element.tag in ("h1", "h2", "h3") or "title" in marks or "bt" in marks.split():
            text = _clean(element.text_content())
            if len(text) <= 80 and _TITLE_WORDS.search(text):
                return text
    head = root.find("head")
    found = head.find("title") if head is not None else None
    if found is not None and found.text:
        for piece in _TITLE_SPLIT.split(_clean(found.text)):
            if _TITLE_WORDS.search(piece):
                return piece
    return ""


def _headings(text: str) -> int:
    """Return how many statutory section headings the element text ``text`` shows (a line each, or run into text)."""
    found: set[int] = set()
    for line in text.split("\n"):
        index = heading_index(line)
        if index is not None:
            found.add(index)
        else:
            found.update(i for i, _, _ in running_headings(line))
    return len(found)


def _article(body: Any) -> Any:
    """Return the element that holds the report: the smallest with as many headings as the page."""
    best = body
    want = _headings(_block_text(body))
    if want == 0:
        return body
    candidates = [e for e in body.iter("div", "td", "article", "section", "main", "span", "font") if e is not body]
    best_size = len(body.text_content())
    for element in candidates:
        content = element.text_content()
        size = len(content)
        if size >= best_size or "总体情况" not in content.replace(" ", ""):
            continue  # cheap test first: the element must at least hold the first heading
        if _headings(_block_text(element)) >= want:
            best, best_size = element, size
    return best


def _block_text(element: Any) -> str:
    return "\n".join(_lines(element))


def _clean(text: str) -> str:
    """Collapse the page's white space (``&nbsp;`` too) and drop what sits next to CJK characters."""
    text = re.sub(r"[\s\u00a0\u3000\u200b\ufeff]+", " ", text).strip()
    return _SPACE_BY_CJK.sub("", text)


def _lines(element: Any) -> Iterator[str]:
    """Yield the text of ``element`` one block a line, a table one row a line."""
    buffer: list[str] = []

    def flush() -> Iterator[str]:
        text = _clean("".join(buffer))
        buffer.clear()
        if text:
            yield text

    def walk(node: Any) -> Iterator[str]:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "table":
            yield from flush()
            yield from _table_lines(node)
            if node.tail:
                buffer.append(node.tail)
            return
        if tag == "br":
            yield from flush()
        elif tag in _BLOCKS:
            yield from flush()
        if node.text and tag:
            buffer.append(node.text)
        for child in node:
            yield from walk(child)
        if tag in _BLOCKS:
            yield from flush()
        if node.tail:
            buffer.append(node.tail)

    if element.text:
        buffer.append(element.text)
    for child in element:
        yield from walk(child)
    yield from flush()


def _cell_text(cell: Any) -> str:
    """Return a cell's text: its blocks joined as one (a word broken over lines is one word again)."""
    out = ""
    for part in _lines(cell):
        if out and out[-1].isdigit() and part[:1].isdigit():
            out += " "
        out += part
    if re.fullmatch(r"[\d ]+(?:\.[\d ]+)?", out):
        out = out.replace(" ", "")  # one number split over spans on several source lines
    return out.replace("\t", " ")


def _table_lines(table: Any) -> Iterator[str]:
    """Yield one tab-separated line per row, spans resolved as in a Word table.

    A cell covered by a rowspan from above is one empty field (however many columns it spans);
    a colspan is one field.
    """
    covered: dict[int, tuple[int, int]] = {}  # first column -> (rows it still covers, columns)
    for row in table.iter("tr"):
        if _owner(row) is not table:
            continue  # a row of a nested table: read with that table's own cell
        fields: list[str] = []
        col = 0
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        for cell in cells:
            col = _skip_covered(covered, fields, col)
            span, rows = _span(cell.get("colspan")), _span(cell.get("rowspan"))
            fields.append(_cell_text(cell))
            if rows > 1:
                covered[col] = (rows - 1, span)
            col += span
        _skip_covered(covered, fields, col)
        if cells:
            yield "\t".join(fields)


def _skip_covered(covered: dict[int, tuple[int, int]], fields: list[str], col: int) -> int:
    """Add an empty field for each span covering ``col`` from above; return the next free column."""
    while col in covered:
        left, width = covered[col]
        fields.append("")
        if left <= 1:
            del covered[col]
        else:
            covered[col] = (left - 1, width)
        col += width
    return col


def _owner(row: Any) -> Any:
    parent = row.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1
