"""The PDFs: text, tables, metadata, bookmarks, fonts, reproducibility, bundles and escaping.

PDFs are checked by what a reader gets out of them (text extracted with pypdf, the outline, the
metadata, the tagged table structure), not by their bytes, except where bytes are the point:
two renders of the same report must be byte-identical.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
import typst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pages
from generator.formats import R1_NOTE, SECTIONS, TABLE_SECTION
from generator.grid import layout
from generator.model import Report
from generator.pdf import (
    FontError,
    PdfSettings,
    RenderedPdf,
    build_bundles,
    find_fonts,
    prune_cache,
    render,
    render_reports,
)
from generator.pdf import fonts as fonts_module
from generator.pdf.bundle import plan
from generator.pdf.data import agency_in_region, report_data, table_data
from generator.pdf.typst_markup import escape, markdown_markup
from generator.reader import load_report
from generator.tables import format_number
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "qiaokou-rongmeiti-2024"
_WS = re.compile(r"\s+")


def _site() -> pages.SiteIndex:
    result = validate([ROOT / "reports"])
    assert result.ok
    return pages.SiteIndex(result.valid_reports())


@pytest.fixture(scope="module")
def site() -> pages.SiteIndex:
    return _site()


@pytest.fixture(scope="module")
def pdf_settings(tmp_path_factory: pytest.TempPathFactory) -> PdfSettings:
    return PdfSettings(tmp_path_factory.mktemp("cache"), find_fonts(), jobs=1, epoch=None)


@pytest.fixture(scope="module")
def rendered(site: pages.SiteIndex, pdf_settings: PdfSettings) -> dict[str, RenderedPdf]:
    return render_reports(site.reports, pdf_settings)


@pytest.fixture(scope="module")
def page_texts(rendered: dict[str, RenderedPdf]) -> dict[str, list[str]]:
    return {slug: [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages] for slug, pdf in rendered.items()}


def _report_ids() -> list[str]:
    return [r.slug for r in _site().reports]


def _report(site: pages.SiteIndex, slug: str) -> Report:
    return next(r for r in site.reports if r.slug == slug)


def _flat(text: str) -> str:
    return _WS.sub("", text)


def _numbers_in_order(report: Report, table_id: str) -> list[str]:
    numbers = report.numbers()
    texts = {k: c.text for k, c in report.cells.items()}
    table = report.format.table[table_id]
    grid = layout(table, "t")
    out = []
    for row in grid.rows:
        for cell in row.cells:
            if cell.cell is not None:
                key = (table.id, *cell.cell.path)
                out.append(format_number(numbers.get(key), cell.cell.kind, texts.get(key)))
    return out


def _is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


# -- content -----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", _report_ids())
def test_text_has_every_heading_label_and_number(slug: str, site: pages.SiteIndex, page_texts: dict[str, list[str]]) -> None:
    report = _report(site, slug)
    text = "\n".join(page_texts[slug])
    flat = _flat(text)
    assert _flat(report.title) in flat
    for heading in SECTIONS:
        assert heading in flat, f"{slug}: section {heading} missing"
    tokens = re.findall(r"-?\d+(?:\.\d+)?", text)
    for table in report.format.tables:
        for row in layout(table, "t").rows:
            for cell in row.cells:
                if cell.is_header and cell.text:
                    assert _flat(cell.text) in flat, f"{slug}: {table.id} label {cell.text} missing"
        # Every number, in the table's reading order (prose and page numbers may come in between).
        assert _is_subsequence(_numbers_in_order(report, table.id), tokens), f"{slug}: {table.id} numbers"
    assert _flat(report.signature) in flat


@pytest.mark.parametrize("slug", _report_ids())
def test_no_space_between_chinese_and_digits(slug: str, site: pages.SiteIndex, page_texts: dict[str, list[str]]) -> None:
    """2024年, not 2024 年: Typst's default CJK-Latin spacing is switched off."""
    text = re.sub(r"— \d+ —", "", "\n".join(page_texts[slug]))  # a sentence may run on over a page footer
    report = _report(site, slug)
    assert f"{report.year}年" in text
    # Every Chinese-digit pair of the prose is found joined (a line break aside), as often as written.
    # (Table cells are extracted with spaces between them, so spaced pairs alone prove nothing.)
    for pair in set(re.findall(r"[\u4e00-\u9fff]\d|\d[\u4e00-\u9fff]", report.text)):
        joined = len(re.findall(re.escape(pair[0]) + r"\n*" + re.escape(pair[1]), text))
        assert joined >= report.text.count(pair), f"{slug}: {pair} printed with a space"


@pytest.mark.parametrize("slug", _report_ids())
def test_each_table_starts_on_the_page_of_its_heading(
    slug: str, site: pages.SiteIndex, page_texts: dict[str, list[str]]
) -> None:
    report = _report(site, slug)
    flat_pages = [_flat(t) for t in page_texts[slug]]
    for table_id, heading in TABLE_SECTION.items():
        page = next(p for p in flat_pages if heading in p)
        grid = layout(report.format.table[table_id], "t")
        first_header = [c.text for r in grid.rows[: max(grid.header_rows, 2)] for c in r.cells if c.text]
        for label in first_header:
            assert _flat(label) in page, f"{slug}: {table_id} does not start on the page of {heading}"


def test_table2_header_repeats_on_the_next_page(site: pages.SiteIndex, page_texts: dict[str, list[str]]) -> None:
    for slug, texts in page_texts.items():
        report = _report(site, slug)
        flat_pages = [_flat(t) for t in texts]
        body = [p for p in flat_pages if "一、本年新收政府信息公开申请数量" in p or "四、结转下年度继续办理" in p]
        for page in body:
            assert "申请人情况" in page and "法人或其他组织" in page, f"{report.slug}: table 2 page without header"


@pytest.mark.parametrize("size", [12, 14])
def test_a_table_longer_than_a_page_repeats_its_header_and_keeps_its_heading(
    size: int, site: pages.SiteIndex, pdf_settings: PdfSettings
) -> None:
    # At 五号 every 表二 fits on one page with its heading; a larger type makes it break.
    data = report_data(_report(site, SAMPLE), pdf_settings.fonts)
    data["table_size"] = size
    render._init_worker(pdf_settings.fonts.dirs, pdf_settings.fonts.system)  # noqa: SLF001
    assert render._compiler is not None  # noqa: SLF001
    pdf = render._compiler.compile(format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)})  # noqa: SLF001
    assert isinstance(pdf, bytes)
    flat_pages = [_flat(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    table_pages = [p for p in flat_pages if "申请人情况" in p]
    assert len(table_pages) >= 2, "表二 should break at this size"
    assert "三、收到和处理政府信息公开申请情况" in table_pages[0]
    for page in table_pages:
        assert _flat(R1_NOTE) in page and "法人或其他组织" in page  # the header rows, repeated
    assert "四、结转下年度继续办理" in table_pages[-1]


def _probe(compiler: typst.Compiler, data: dict[str, Any], mode: str) -> dict[str, render.TableShape]:
    return render.probe_shapes(compiler, json.dumps(data, ensure_ascii=False), mode)


@pytest.mark.parametrize("slug", [SAMPLE, "shili-qu-shichang-jianguanju-2020"])
def test_table_heights_do_not_depend_on_their_numbers(slug: str, site: pages.SiteIndex, pdf_settings: PdfSettings) -> None:
    # The template sets every report's tables with the rows (and 表二's stand-in) of a table of zeros.
    data = report_data(_report(site, slug), pdf_settings.fonts)
    render._init_worker(pdf_settings.fonts.dirs, pdf_settings.fonts.system)  # noqa: SLF001
    compiler = render._compiler  # noqa: SLF001
    assert compiler is not None
    shape = _probe(compiler, data, "1")
    year = data["sections"][2]["table"]["shape"].split("-")[0]
    assert set(shape) == {f"{year}-表一", f"{year}-表二", f"{year}-表三"}
    assert shape[f"{year}-表二"]["height"] > 400  # 表二: most of a 225 mm (638 pt) page
    for table in (s["table"] for s in data["sections"] if s["table"]):
        measured = shape[table["shape"]]
        grid_rows = len(layout(_report(site, slug).format.table[table["id"]], "t").rows)
        assert len(measured["rows"]) == grid_rows and min(measured["rows"]) > 10
        assert sum(measured["rows"]) == pytest.approx(measured["height"])
    assert _probe(compiler, data, "real") == shape
    for section in data["sections"]:
        for segment in (section["table"] or {}).get("segments", []):
            for cell in segment["cells"]:
                if cell["kind"] == "data":
                    cell["text"] = "99999999.99"  # wider than any real count or amount
    assert _probe(compiler, data, "real") == shape


@pytest.mark.parametrize("slug", [SAMPLE, "shili-qu-shichang-jianguanju-2020"])
@pytest.mark.parametrize("size", [10.5, 14])
def test_measured_rows_set_the_pdf_byte_for_byte_as_auto_rows(
    slug: str, size: float, site: pages.SiteIndex, pdf_settings: PdfSettings
) -> None:
    # Rows of probed height are a shortcut, never a change: without them (no shapes input) the template
    # sets auto rows and measures 表二 itself, as it did before; the PDF must not differ by a byte.
    # At 14 pt 表二 is taller than a page and breaks; its row groups are then not kept whole.
    data = report_data(_report(site, slug), pdf_settings.fonts)
    data["table_size"] = size
    render._init_worker(pdf_settings.fonts.dirs, pdf_settings.fonts.system)  # noqa: SLF001
    compiler = render._compiler  # noqa: SLF001
    assert compiler is not None
    text = json.dumps(data, ensure_ascii=False)
    shapes = json.dumps(render.probe_shapes(compiler, text))  # not the worker's, measured at 10.5 pt
    assert len(json.loads(shapes)) == 3
    measured, auto = (
        compiler.compile(format="pdf", sys_inputs=inputs, pdf_standards=render.PDF_STANDARDS, timestamp=0)
        for inputs in ({"data": text, "shapes": shapes}, {"data": text})
    )
    assert measured == auto
    # And the rows are really used: rows one point taller move every line below the first row.
    taller = {k: {**v, "rows": [h + 1 for h in v["rows"]]} for k, v in json.loads(shapes).items()}
    moved = compiler.compile(format="pdf", sys_inputs={"data": text, "shapes": json.dumps(taller)}, timestamp=0)
    assert moved != compiler.compile(format="pdf", sys_inputs={"data": text, "shapes": shapes}, timestamp=0)


def test_table2_stand_in_breaks_pages_like_the_table_itself(
    site: pages.SiteIndex, pdf_settings: PdfSettings, tmp_path: Path
) -> None:
    # The reference measures the real table, as the template did before stand-ins: intros of growing
    # length cross from "表二 moves whole with its heading" to "表二 starts below its intro and breaks".
    template = render.TEMPLATE.read_text(encoding="utf-8")
    reference = template.replace(
        "let height = table-height(t)", "let height = measure(block(width: type-width, render-table(t))).height"
    ).replace("{ heading; intro; stand-in }", "{ heading; intro; table }")
    assert reference.count("render-table(t))).height") == 1 and "intro; stand-in" not in reference
    (tmp_path / "reference.typ").write_text(reference, encoding="utf-8")
    fonts = pdf_settings.fonts
    compiler = typst.Compiler(
        str(tmp_path / "reference.typ"), root=str(tmp_path), font_paths=list(fonts.dirs), ignore_system_fonts=not fonts.system
    )
    render._init_worker(fonts.dirs, fonts.system)  # noqa: SLF001
    report = _report(site, SAMPLE)
    heading = TABLE_SECTION["表二"]
    intro = report.section(heading)
    layouts = set()
    for extra in range(0, 120, 8):
        edited = dataclasses.replace(report, sections={**report.sections, heading: intro + "依法办理" * (extra // 4)})
        job = render._job(edited, pdf_settings, tmp_path / "new.pdf")  # noqa: SLF001
        render._render(job)  # noqa: SLF001
        ours = [p.extract_text() for p in pypdf.PdfReader(tmp_path / "new.pdf").pages]
        pdf = compiler.compile(format="pdf", sys_inputs={"data": job.data}, pdf_standards=render.PDF_STANDARDS)
        assert isinstance(pdf, bytes)
        theirs = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
        assert ours == theirs, f"intro + {extra} characters"
        pages_of_table = {i for i, text in enumerate(ours) if "申请人情况" in text}
        layouts.add(len(pages_of_table))
    assert layouts == {1, 2}, "the sweep should cover both layouts of 表二"


def _struct_table_headers(reader: pypdf.PdfReader) -> list[list[tuple[int, int]]]:
    """Return, per tagged table, the (ColSpan, RowSpan) of each header cell, in order."""
    tables: list[list[tuple[int, int]]] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        kind = node.get("/S")
        if kind == "/Table":
            tables.append([])
        if kind == "/TH":
            attrs = node.get("/A")
            spans = (1, 1)
            for attr in attrs.get_object() if attrs is not None else []:
                attr = attr.get_object()
                if attr.get("/O") == "/Table":
                    spans = (int(attr.get("/ColSpan", 1)), int(attr.get("/RowSpan", 1)))
            tables[-1].append(spans)
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return tables


@pytest.mark.parametrize("slug", [SAMPLE, "shili-qu-shichang-jianguanju-2020"])
def test_tagged_tables_have_the_official_merged_header_cells(
    slug: str, site: pages.SiteIndex, rendered: dict[str, RenderedPdf]
) -> None:
    report = _report(site, slug)
    tagged = _struct_table_headers(pypdf.PdfReader(rendered[slug].path))
    assert len(tagged) == 3
    for table, headers in zip(report.format.tables, tagged, strict=True):
        grid = layout(table, "t")
        expected = [(c.colspan, c.rowspan) for r in grid.rows if r.part == "head" for c in r.cells]
        assert headers == expected, f"{table.id}: merged header cells differ from the format"
    # 表二 as printed: the rule note over 3 x 3, 申请人情况 over 7, 自然人 and 总计 over 2 rows.
    assert tagged[1][:5] == [(3, 3), (7, 1), (1, 2), (5, 1), (1, 2)]


# -- 落款 ----------------------------------------------------------------------------------------

_BODY = 16.0  # 3号, in points: a CJK character's width
_RIGHT = (28 + 156) * 72 / 25.4  # the right edge of the type area


def _signature_lines(path: Path, signature: str, date: str) -> tuple[float, float]:
    """Return the x of the agency line and of the date line on the report's last page; check their lines."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip() in (signature, date):
            found[text.strip()] = (cm[4] + tm[4], cm[5] + tm[5])

    pypdf.PdfReader(path).pages[-1].extract_text(visitor_text=visit)
    # the date on the next line of the 22-line grid (225 mm / 22)
    assert found[signature][1] - found[date][1] == pytest.approx(225 / 22 * 72 / 25.4, abs=0.05)
    return found[signature][0], found[date][0]


def _width(text: str, fonts: Any, tmp_path: Path) -> float:
    """Return the width of ``text`` in the body face at 3号, as Typst measures it."""
    main = tmp_path / "measure.typ"
    main.write_text(
        f"#set text(size: {_BODY}pt, cjk-latin-spacing: none, font: ({''.join(json.dumps(f) + ',' for f in fonts.body.families)}))\n"
        f"#context [#metadata(measure({json.dumps(text, ensure_ascii=False)}).width.pt())<w>]\n",
        encoding="utf-8",
    )
    compiler = typst.Compiler(str(main), root=str(tmp_path), font_paths=list(fonts.dirs), ignore_system_fonts=not fonts.system)
    return float(json.loads(compiler.query("<w>", field="value", one=True)))


# 7 and 8 characters: the date (about 6.2) is shorter, though by less than the two characters it moves right
@pytest.mark.parametrize("signature", ["示例市示例区人民政府", "武汉市硚口区融媒体中心", "示例区人民法院", "示例区市场监管局", "示例局", "区局"])
def test_signature_and_date_are_placed_as_gb_t_9704_says(
    signature: str, site: pages.SiteIndex, pdf_settings: PdfSettings, tmp_path: Path
) -> None:
    report = dataclasses.replace(_report(site, SAMPLE), signature=signature)
    render._init_worker(pdf_settings.fonts.dirs, pdf_settings.fonts.system)  # noqa: SLF001
    render._render(render._job(report, pdf_settings, tmp_path / "s.pdf"))  # noqa: SLF001
    date = "2025年1月7日"
    agency_x, date_x = _signature_lines(tmp_path / "s.pdf", signature, date)
    # the date's first character two characters right of the agency's first, in every case (7.3.5.2)
    assert date_x == pytest.approx(agency_x + 2 * _BODY, abs=0.05)
    agency_w, date_w = _BODY * len(signature), _width(date, pdf_settings.fonts, tmp_path)
    if date_w <= agency_w:  # the date is not longer: the agency keeps two characters from the margin
        assert agency_x + agency_w == pytest.approx(_RIGHT - 2 * _BODY, abs=0.05)
    else:  # the date is longer: it keeps the two characters, and the agency moves left with it
        assert date_x + date_w == pytest.approx(_RIGHT - 2 * _BODY, abs=0.05)


# -- document properties -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "agency", "expected"),
    [
        (("湖北省", "武汉市", "硚口区"), "硚口区融媒体中心", "湖北省武汉市硚口区融媒体中心"),
        (("湖北省", "武汉市", "硚口区"), "武汉市硚口区人民政府", "湖北省武汉市硚口区人民政府"),
        (("湖北省", "武汉市", "硚口区"), "湖北省武汉市硚口区教育局", "湖北省武汉市硚口区教育局"),
        (("示例省", "示例市", "示例区"), "示例街道办事处", "示例省示例市示例区示例街道办事处"),
        (("示例省",), "示例区教育局", "示例省示例区教育局"),
    ],
)
def test_subject_names_the_region_once(region: tuple[str, ...], agency: str, expected: str) -> None:
    assert agency_in_region(region, agency) == expected


def test_metadata_language_date_and_standard(site: pages.SiteIndex, rendered: dict[str, RenderedPdf]) -> None:
    report = _report(site, SAMPLE)
    reader = pypdf.PdfReader(rendered[SAMPLE].path)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == report.title
    assert meta.author == "硚口区融媒体中心"
    # the region once, though the agency's name repeats its district (湖北省/武汉市/硚口区, 硚口区融媒体中心)
    assert meta.subject == "湖北省武汉市硚口区融媒体中心2024年政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）"
    assert "硚口区融媒体中心" in str(meta.get("/Keywords"))
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    # The report's own date (落款 2025-01-07, noon in Beijing), never the time of the build.
    assert meta.get("/CreationDate") == meta.get("/ModDate") == "D:20250107040000Z"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "/StructTreeRoot" in reader.trailer["/Root"]


@pytest.mark.parametrize("slug", _report_ids())
def test_bookmarks_are_the_six_sections(slug: str, rendered: dict[str, RenderedPdf]) -> None:
    outline = pypdf.PdfReader(rendered[slug].path).outline
    assert [item.title for item in outline] == list(SECTIONS)


@pytest.mark.parametrize("slug", _report_ids())
def test_fonts_are_embedded_cjk_faces(slug: str, rendered: dict[str, RenderedPdf]) -> None:
    reader = pypdf.PdfReader(rendered[slug].path)
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{font['/BaseFont']} not embedded"
            names.add(str(font["/BaseFont"]))
    assert names and all("CJK" in n for n in names), names


def test_page_numbers_in_the_official_form(page_texts: dict[str, list[str]]) -> None:
    texts = page_texts[SAMPLE]
    for number, text in enumerate(texts, start=1):
        assert f"— {number} —" in text


# -- reproducibility and cache -----------------------------------------------------------------


def test_two_renders_are_byte_identical_in_process_and_in_workers(
    site: pages.SiteIndex,
    rendered: dict[str, RenderedPdf],
    pdf_settings: PdfSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render, "MIN_PER_WORKER", 1)  # two reports, two worker processes
    reports = [_report(site, SAMPLE), _report(site, "shili-qu-shichang-jianguanju-2020")]
    again = render_reports(reports, PdfSettings(tmp_path / "a", pdf_settings.fonts, jobs=2))
    for report in reports:
        assert not again[report.slug].cached
        assert again[report.slug].path.read_bytes() == rendered[report.slug].path.read_bytes()


def test_source_date_epoch_is_honoured(site: pages.SiteIndex, pdf_settings: PdfSettings, tmp_path: Path) -> None:
    report = _report(site, SAMPLE)
    out = render_reports([report], PdfSettings(tmp_path, pdf_settings.fonts, epoch=1_700_000_000))
    meta = pypdf.PdfReader(out[SAMPLE].path).metadata
    assert meta is not None and meta.get("/CreationDate") == "D:20231114221320Z"


def test_unchanged_reports_come_from_the_cache(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], pdf_settings: PdfSettings, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    again = render_reports(site.reports, pdf_settings, progress=lambda done, total: seen.append((done, total)))
    assert all(pdf.cached for pdf in again.values())
    assert seen == []  # nothing rendered
    # an editor changes the file: the report read from it is rendered again
    original = _report(site, SAMPLE)
    edited = tmp_path / original.path.name
    edited.write_text(original.path.read_text(encoding="utf-8").replace("署名: 武汉市硚口区融媒体中心", "署名: 武汉市硚口区融媒体中心办公室"), encoding="utf-8")
    changed, findings = load_report(edited)
    assert changed.signature.endswith("办公室") and not [f for f in findings if f.is_error]
    fresh = render_reports([changed], pdf_settings)
    assert not fresh[SAMPLE].cached and fresh[SAMPLE].path != rendered[SAMPLE].path


def test_prune_cache_removes_only_old_unused_pdfs(tmp_path: Path) -> None:
    # entries are named by their key (a SHA-256): only such names are ever deleted
    used, old, recent = (tmp_path / f"{c * 64}.pdf" for c in "abc")
    for path in (used, old, recent):
        path.write_bytes(b"%PDF")
    for path in (used, old):
        os.utime(path, (0, 0))
    assert prune_cache(tmp_path, [used]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([recent.name, used.name])


# -- fonts ---------------------------------------------------------------------------------------


def test_no_cjk_font_stops_with_a_chinese_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "DEFAULT_FONT_DIRS", ())
    empty = tmp_path / "fonts"
    empty.mkdir()
    with pytest.raises(FontError, match="未找到中文字体.*fonts-noto-cjk"):
        find_fonts([empty], system=False)


def test_missing_font_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="字体目录不存在"):
        find_fonts([tmp_path / "方正"])


def test_default_faces_are_noto_without_fake_bold() -> None:
    fonts = find_fonts()
    assert fonts.body.families[-1] == "Noto Serif CJK SC"
    assert fonts.heading.families[0] in ("Noto Sans CJK SC",) or "黑" in fonts.heading.families[0]
    # Bold is asked only of a family that has a real bold face (Noto Serif CJK SC Bold).
    for face in (fonts.title, fonts.subheading):
        if face.weight == 700:
            assert face.families[0] == "Noto Serif CJK SC"


def test_licensed_faces_are_preferred_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeFont:
        def __init__(self, family: str) -> None:
            self.family, self.path = family, f"/fonts/{family}.ttf"

    class FakeFonts:
        def __init__(self, **_: object) -> None:
            pass

        def fonts(self) -> list[FakeFont]:
            names = ["FZFangSong-Z02S", "KaiTi", "SimHei", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Noto Sans CJK SC"]
            return [FakeFont(n) for n in names]

    monkeypatch.setattr(fonts_module.typst, "Fonts", FakeFonts)
    fonts = find_fonts()
    assert fonts.body.families == ("FZFangSong-Z02S", "Noto Serif CJK SC")
    assert fonts.heading.families[0] == "SimHei" and fonts.subheading.families[0] == "KaiTi"
    # 小标宋 has one weight: asking it for bold would fall back to another face for some characters.
    assert fonts.title.families[0] == "FZXiaoBiaoSong-B05S" and fonts.title.weight == 400
    assert all(face.weight == 400 for face in (fonts.body, fonts.heading, fonts.subheading))
    assert fonts.fallbacks == () and fonts.fallback_warning() == ""


def test_missing_fangsong_and_kaiti_are_named_with_their_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeFont:
        def __init__(self, family: str) -> None:
            self.family, self.path = family, f"/fonts/{family}.ttf"

    class FakeFonts:
        def __init__(self, **_: object) -> None:
            pass

        def fonts(self) -> list[FakeFont]:
            return [FakeFont(n) for n in ["SimHei", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Noto Sans CJK SC"]]

    monkeypatch.setattr(fonts_module.typst, "Fonts", FakeFonts)
    fonts = find_fonts()
    assert fonts.fallbacks == (("仿宋", "正文", "Noto Serif CJK SC"), ("楷体", "二级标题", "Noto Serif CJK SC 粗体"))
    assert fonts.fallback_warning().startswith(
        "PDF 字体不全：正文应使用仿宋，未找到，改用 Noto Serif CJK SC；二级标题应使用楷体，未找到，改用 Noto Serif CJK SC 粗体。"
    )


def test_every_markdown_construct_renders_and_html_stays_text(
    site: pages.SiteIndex, pdf_settings: PdfSettings, tmp_path: Path
) -> None:
    sample = _report(site, SAMPLE)
    prose = (
        "　　开头有全角空格的段落，含 **粗体**、*斜体* 和 `代码<x>`。\n\n"
        "## （一）小标题\n\n### 1.三级标题\n\n"
        "- 第一项\n- 第二项\n  - 嵌套项\n\n3. 第三\n4. 第四\n\n"
        "> 引用的话\n\n| 项目 | 数量 |\n|---|---|\n| 申请 | 12 |\n\n"
        "[门户网站](https://www.example.gov.cn/a?b=1&c=\"2\") 与 <b>原样</b> <img src=x onerror=alert(1)> #panic(\"x\")"
    )
    sections = dict(sample.sections)
    sections[SECTIONS[5]] = prose
    report = dataclasses.replace(sample, sections=sections, _numbers=None)
    out = render_reports([report], PdfSettings(tmp_path, pdf_settings.fonts))
    reader = pypdf.PdfReader(out[SAMPLE].path)
    flat = _flat("".join(p.extract_text() for p in reader.pages))
    for expected in ("（一）小标题", "1.三级标题", "第一项", "嵌套项", "第三", "第四", "引用的话", "申请", "门户网站",
                     "代码<x>", "<b>原样</b>", "<imgsrc=xonerror=alert(1)>", '#panic("x")'):
        assert _flat(expected) in flat, expected
    assert [item.title for item in reader.outline] == list(SECTIONS)  # sub-heads are not bookmarks


# -- yearly bundles ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundles(site: pages.SiteIndex, rendered: dict[str, RenderedPdf], pdf_settings: PdfSettings) -> list[Any]:
    return build_bundles(site, rendered, pdf_settings, "示例市人民政府办公室")


def test_bundles_per_year_and_region(site: pages.SiteIndex, bundles: list[Any]) -> None:
    assert [(b.year, b.region) for b in bundles] == [(y, r) for y, r, _ in plan(site)]
    regions_2024 = {b.region for b in bundles if b.year == 2024}
    assert len(regions_2024) == 2 and None not in regions_2024  # two regions report for 2024
    assert [b.filename for b in bundles if b.year == 2023] == ["2023.pdf"]


def _footer(page: Any) -> tuple[str, float, float]:
    """Return the page number printed in a page's footer, with its x and y (points from the bottom left)."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if re.fullmatch(r"— \d+ —", text.strip()):
            found.append((text.strip(), cm[4] + tm[4], cm[5] + tm[5]))

    page.extract_text(visitor_text=visit)
    assert len(found) <= 1, found
    return found[0] if found else ("", 0.0, 0.0)


def test_bundle_has_cover_contents_bookmarks_and_links(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], bundles: list[Any]
) -> None:
    blanks = 0
    for bundle, (_, _, reports) in zip(bundles, plan(site), strict=True):
        reader = pypdf.PdfReader(bundle.path)
        counts = [len(pypdf.PdfReader(rendered[r.slug].path).pages) for r in reports]
        top = [item for item in reader.outline if not isinstance(item, list)]
        assert [item.title for item in top] == [r.title for r in reports]
        starts = [reader.get_destination_page_number(item) + 1 for item in top]
        front = starts[0] - 1
        assert front >= 2
        cover = _flat(reader.pages[0].extract_text())
        assert _flat(bundle.title.replace("政府信息公开工作年度报告汇编", "")) in cover
        assert f"共{len(reports)}份报告" in cover
        contents = _flat("".join(reader.pages[i].extract_text() for i in range(1, front)))
        printed: list[int] = []
        for report, start, count in zip(reports, starts, counts, strict=True):
            # the contents give the printed number of the report's first page, and it starts on a right-hand page
            assert _flat(report.title) + "·" in contents and re.search(re.escape(_flat(report.title)) + f"·+{start}(?!\\d)", contents)
            assert start % 2 == 1, (report.slug, start)
            for page in range(start, start + count):
                number, x, _ = _footer(reader.pages[page - 1])
                assert number == f"— {page} —", (bundle.filename, page, number)
                assert (x > 300) == (page % 2 == 1)  # odd pages right, even pages left
                printed.append(page)
        # every other page (cover, contents, blank left-hand pages) carries no number, and is blank if it is not front matter
        for index in set(range(1, len(reader.pages) + 1)) - set(printed):
            assert _footer(reader.pages[index - 1])[0] == ""
            if index > front:
                assert reader.pages[index - 1].extract_text().strip() == ""
                blanks += 1
        assert len(reader.pages) == starts[-1] + counts[-1] - 1
        links = [a.get_object() for i in range(1, front) for a in reader.pages[i].get("/Annots", [])]
        assert sorted(int(a["/Dest"][0].get_object().indirect_reference.idnum) for a in links if a.get("/Subtype") == "/Link") == sorted(
            reader.pages[s - 1].indirect_reference.idnum for s in starts
        )
        assert reader.metadata is not None and reader.metadata.title == bundle.title
        assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert blanks >= 1  # a report of an even number of pages is followed by a blank left-hand page


def test_bundle_page_numbers_sit_where_the_reports_own_do(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], bundles: list[Any]
) -> None:
    # the same number in the same place: the bundle's footer is set exactly as the report's
    for bundle, (_, _, reports) in zip(bundles, plan(site), strict=True):
        reader = pypdf.PdfReader(bundle.path)
        own = pypdf.PdfReader(rendered[reports[0].slug].path)
        start = reader.get_destination_page_number(reader.outline[0]) + 1
        for page in range(start, start + len(own.pages)):
            if page <= len(own.pages):
                assert _footer(reader.pages[page - 1]) == _footer(own.pages[page - 1])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_poppler_reads_bundles_cleanly_and_each_report_page_prints_one_number(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], bundles: list[Any]
) -> None:
    # Another reader than pypdf: a content stream the renumbering spoiled ("EMCq") shows as a syntax error
    # here, and a report page that kept its own number next to the bundle's shows two numbers.
    for bundle, (_, _, reports) in zip(bundles, plan(site), strict=True):
        run = subprocess.run(["pdftotext", "-layout", str(bundle.path), "-"], capture_output=True, text=True, check=True)
        assert run.stderr == "", (bundle.filename, run.stderr[:300])
        texts = run.stdout.split("\f")
        reader = pypdf.PdfReader(bundle.path)
        for item, report in zip([o for o in reader.outline if not isinstance(o, list)], reports, strict=True):
            start = reader.get_destination_page_number(item) + 1
            for page in range(start, start + len(pypdf.PdfReader(rendered[report.slug].path).pages)):
                assert re.findall(r"—\s*(\d+)\s*—", texts[page - 1]) == [str(page)], (bundle.filename, page)


def test_bundle_nests_each_reports_own_bookmarks_at_its_pages(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], bundles: list[Any]
) -> None:
    for bundle, (_, _, reports) in zip(bundles, plan(site), strict=True):
        reader = pypdf.PdfReader(bundle.path)
        outline = reader.outline
        assert len(outline) == 2 * len(reports)  # each report's bookmark, then the list of its own
        for i, report in enumerate(reports):
            top, own = outline[2 * i], outline[2 * i + 1]
            assert isinstance(own, list) and [item.title for item in own] == list(SECTIONS)
            start = reader.get_destination_page_number(top)
            member = pypdf.PdfReader(rendered[report.slug].path)
            # each section where it is in the report, shifted to the report's place in the bundle
            assert [reader.get_destination_page_number(item) - start for item in own] == [
                member.get_destination_page_number(item) for item in member.outline
            ]
            assert [float(item.top) for item in own] == [float(item.top) for item in member.outline]


def test_bundles_are_reproducible(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], pdf_settings: PdfSettings, bundles: list[Any], tmp_path: Path
) -> None:
    copy = {slug: RenderedPdf(slug, tmp_path / pdf.path.name, pdf.size, True) for slug, pdf in rendered.items()}
    for pdf in rendered.values():
        shutil.copyfile(pdf.path, tmp_path / pdf.path.name)
    again = build_bundles(site, copy, PdfSettings(tmp_path, pdf_settings.fonts), "示例市人民政府办公室")
    assert [b.path.read_bytes() for b in again] == [b.path.read_bytes() for b in bundles]


# -- editors' text cannot become Typst code --------------------------------------------------------


@pytest.fixture(scope="module")
def markup_compiler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[typst.Compiler]:
    main = tmp_path_factory.mktemp("typst") / "main.typ"
    main.write_text('#metadata(eval(sys.inputs.markup, mode: "markup"))<out>\n', encoding="utf-8")
    yield typst.Compiler(str(main), root=str(main.parent), ignore_system_fonts=True, sys_inputs={"markup": ""})


def _evaluated(compiler: typst.Compiler, markup: str) -> Any:
    compiler.compile(format="pdf", sys_inputs={"markup": markup})
    return json.loads(compiler.query("<out>", field="value", one=True))


def _content(node: Any, funcs: set[str]) -> str:
    """Flatten evaluated content to its text, recording every element function met."""
    if isinstance(node, list):
        return "".join(_content(n, funcs) for n in node)
    if not isinstance(node, dict):
        return ""
    funcs.add(node.get("func", ""))
    if node.get("func") in ("text", "symbol"):  # an escaped character evaluates to a symbol
        return str(node["text"])
    if node.get("func") == "space":
        return " "
    return "".join(_content(node.get(k), funcs) for k in ("children", "body", "text") if k in node)


ATTACKS = [
    '#read("/etc/passwd")',
    "#{let x = 1; x}",
    "$x^2$ and `raw` and <label> @ref",
    "// comment /* block */ */",
    "= fake heading",
    "- fake item\n+ fake enum\n/ term: x",
    "\\ backslash \\u{1F600} \\#",
    "*bold* _emph_ ~ -- --- ... -? 'quotes' \"quotes\"",
    "https://example.com/#frag [link](x)",
    "1. 属于国家秘密",
    '#set text(fill: red)\n#show: it => none',
    "]) #panic(\"x\") [",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_escaped_text_is_literal(attack: str, markup_compiler: typst.Compiler) -> None:
    funcs: set[str] = set()
    text = _content(_evaluated(markup_compiler, escape(attack)), funcs)
    assert text == attack.replace("\n", " ")
    assert funcs <= {"text", "symbol", "space", "sequence", ""}, funcs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("#$*_`<>@=-+/\\[]{}~'\".:;()!?&%^|,a1 年中")), max_size=30))
def test_any_text_escapes_to_itself(markup_compiler: typst.Compiler, text: str) -> None:
    funcs: set[str] = set()
    out = _content(_evaluated(markup_compiler, escape(text)), funcs)
    assert _WS.sub(" ", out).strip() == _WS.sub(" ", text).strip()
    assert funcs <= {"text", "symbol", "space", "sequence", ""}, funcs


def test_markdown_structure_and_raw_html_shown_as_text(markup_compiler: typst.Compiler) -> None:
    source = "　　第一段 **重点** <b>不是粗体</b><script>alert(1)</script>\n\n## （一）小标题\n\n- 甲\n- 乙 #x"
    markup = markdown_markup(source)
    funcs: set[str] = set()
    text = _content(_evaluated(markup_compiler, markup), funcs)
    assert "<b>不是粗体</b><script>alert(1)</script>" in text
    assert "第一段" in text and not text.startswith("　")  # the template indents, not pasted 全角 spaces
    assert {"strong", "heading", "list", "parbreak"} <= funcs
    assert "#x" in text


def test_table_data_walks_the_grid(site: pages.SiteIndex) -> None:
    report = _report(site, SAMPLE)
    numbers = report.numbers()
    data = table_data(report.format.table["表二"], numbers, {})
    heads = [c for s in data["segments"] if s["head"] for c in s["cells"]]
    assert [c["text"] for c in heads][:3] == [layout(report.format.table["表二"], "t").rows[0].cells[0].text, "申请人情况", "自然人"]
    groups = [c for s in data["segments"] for c in s["cells"] if c["kind"] == "rowgroup"]
    assert groups and all(c["keep"] for c in groups)  # row groups never break across pages
    assert next(c["text"] for c in groups if c["text"].startswith("（三）")) == "（三）\n不予公开"


# -- the site --------------------------------------------------------------------------------------


def test_site_links_every_pdf_with_its_size(built_site: Path) -> None:
    site = _site()
    for report in site.reports:
        pdf = built_site / "pdf" / f"{report.slug}.pdf"
        assert pdf.exists()
        html = (built_site / "reports" / f"{report.slug}.html").read_text(encoding="utf-8")
        assert re.search(rf'href="\.\./pdf/{report.slug}\.pdf">PDF（\d+ KB）</a>', html)
    for year in site.years:
        html = (built_site / "years" / f"{year}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="\.\./pdf/([^"]+\.pdf)">[^<]*全年汇编 PDF（', html)
        assert links and all((built_site / "pdf" / name).exists() for name in links)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_sample_renders_to_png(rendered: dict[str, RenderedPdf], tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(rendered[SAMPLE].path), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(pypdf.PdfReader(rendered[SAMPLE].path).pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


@pytest.mark.parametrize(("entries", "guessed_right"), [(12, True), (30, True), (48, False)])
def test_the_front_matter_is_typeset_once_when_guessed_right_and_a_wrong_guess_gives_the_same_bytes(
    site: pages.SiteIndex, rendered: dict[str, RenderedPdf], pdf_settings: PdfSettings, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, entries: int, guessed_right: bool,
) -> None:
    """A bundle of ``entries`` reports (the six of reports/, repeated): contents of one to three pages.

    The guess is an estimate (titles and kind headings take room): 48 of these short titles fit on
    two pages of contents where it guesses three; the bytes never depend on it.
    """
    from generator.pdf import bundle as bundle_module

    job = bundle_module.bundle_jobs(site, {slug: pdf.path for slug, pdf in rendered.items()}, pdf_settings, "示例市人民政府办公室")[0]
    front = json.loads(job.front)
    paths = [rendered[r.slug].path for r in site.reports]
    titles = [r.title for r in site.reports]
    front["entries"] = [{**front["entries"][0], "index": i, "title": f"{titles[i % len(titles)]}（{i + 1}）"} for i in range(entries)]
    job = dataclasses.replace(job, members=tuple(paths[i % len(paths)] for i in range(entries)), front=json.dumps(front, ensure_ascii=False),
                              path=tmp_path / "bundle.pdf")
    compiles: list[int] = []
    real = bundle_module._layout  # noqa: SLF001

    def layout(front_pages: int, counts: list[int]) -> tuple[list[int], list[int]]:
        compiles.append(front_pages)
        return real(front_pages, counts)

    monkeypatch.setattr(bundle_module, "_layout", layout)
    guessed = bundle_module._merge(job)  # noqa: SLF001
    assert (len(compiles) == 1) == guessed_right, f"{entries} entries: front typeset for {compiles} pages"
    compiles = compiles[-1:]
    reader = pypdf.PdfReader(io.BytesIO(guessed))
    # the first report right after the front, on a right-hand (odd) page
    assert reader.get_destination_page_number(reader.outline[0]) == compiles[0] + compiles[0] % 2
    for wrong in (2, 5):
        compiles.clear()
        monkeypatch.setattr(bundle_module, "_front_guess", lambda n, wrong=wrong: wrong)
        assert bundle_module._merge(job) == guessed  # noqa: SLF001
        assert len(compiles) == (1 if wrong == compiles[-1] else 2)
