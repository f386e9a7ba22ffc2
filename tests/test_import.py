"""``nianbao import``: published reports (web text, Word, PDF) become report files with the same content.

The real sample must import to exactly the hand-made reports/qiaokou-rongmeiti-2024.yaml. Every
layout of FORMAT.md §8 has a fixture under tests/fixtures/import/ made from a report under reports/
(tests/fixtures/make_import_fixtures.py), so each test knows every value the import must find; a
value that the text cannot determine must come out ``待填``, named in a note and in validation.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from generator.cli import main
from generator.formats import FORMATS, Kind
from generator.importer import Imported, import_report
from generator.importer.digits import Equation, RowChoice, candidates, narrow, settled
from generator.importer.labels import heading_index, normalize, suffix_score
from generator.importer.metadata import agency_and_year
from generator.importer.sections import parse_date
from generator.model import Report
from generator.reader import load_report
from generator.validate import validate
from generator.writer import MISSING

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
SAMPLE_TEXT = FIXTURES / "qiaokou-rongmeiti-2024.txt"
SAMPLE_YAML = ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"
SAMPLE_OPTIONS = ["--agency", "qiaokou-rongmeiti", "--region", "湖北省/武汉市/硚口区", "--kind", "事业单位"]


def _load_maker() -> ModuleType:
    path = FIXTURES.parent / "make_import_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_import_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


MAKER = _load_maker()
Key = tuple[str, ...]


def fields(report: Report) -> dict[str, object]:
    """Return every field of a report except its cells."""
    return {
        "format": report.format_id,
        "agency": report.agency,
        "agency_id": report.agency_id,
        "region": report.region,
        "kind": report.kind,
        "year": report.year,
        "contact": report.contact,
        "lead": report.lead,
        "sections": report.sections,
        "signature": report.signature,
        "date": report.date,
    }


def imported_report(source: Path, out_dir: Path, like: Report) -> tuple[Imported, Report, list[str]]:
    """Import ``source`` with the agency options of ``like``; return the import, the report read back, its errors."""
    imported = import_report(source, like.agency_id, "/".join(like.region), like.kind)
    out = out_dir / f"{like.agency_id}-{like.year}.yaml"
    out.write_text(imported.render("schema.json"), encoding="utf-8")
    report, findings = load_report(out)
    return imported, report, [f"{f.rule} {f.message}" for f in findings if f.is_error]


# -- the real sample -------------------------------------------------------------------------


def test_sample_imports_to_the_hand_made_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The acceptance test: the sample's content equals reports/qiaokou-rongmeiti-2024.yaml, field by field, cell by cell."""
    out = tmp_path / "reports" / "qiaokou-rongmeiti-2024.yaml"
    assert main(["import", str(SAMPLE_TEXT), "-o", str(out), *SAMPLE_OPTIONS]) == 0
    printed = capsys.readouterr().out
    assert "检查通过：共 1 份报告，未发现问题。" in printed
    assert "导入说明" not in printed  # nothing was left open or guessed
    got, findings = load_report(out)
    want, _ = load_report(SAMPLE_YAML)
    assert findings == []
    assert fields(got) == fields(want)
    assert {k: c.value for k, c in got.cells.items()} == {k: c.value for k, c in want.cells.items()}
    assert {k: c.text for k, c in got.cells.items()} == {k: c.text for k, c in want.cells.items()}
    # even the text is the same, but for the schema path (relative to where the file is)
    got_lines = out.read_text(encoding="utf-8").split("\n")
    want_lines = SAMPLE_YAML.read_text(encoding="utf-8").split("\n")
    assert got_lines[1:] == want_lines[1:]


def test_sample_imported_into_reports_lands_as_reports_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without -o the file goes to reports/<机关代码>-<年度>.yaml, with the schema path VS Code needs."""
    shutil.copytree(ROOT / "content" / "schema", tmp_path / "content" / "schema")
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(SAMPLE_TEXT), *SAMPLE_OPTIONS]) == 0
    assert (tmp_path / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8") == SAMPLE_YAML.read_text(encoding="utf-8")


def test_import_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "qiaokou-rongmeiti-2024.yaml"
    out.write_text("编辑已经改过的内容\n", encoding="utf-8")
    assert main(["import", str(SAMPLE_TEXT), "-o", str(out), *SAMPLE_OPTIONS]) == 1
    assert "文件已存在" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "编辑已经改过的内容\n"


def test_agency_id_comes_from_the_file_name_or_stays_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The id is never transliterated from Chinese: a file named <id>-<year> gives it, else 待填 and a note."""
    named = import_report(SAMPLE_TEXT)
    assert named.meta.agency_id == "qiaokou-rongmeiti"
    anonymous = tmp_path / "报告.txt"
    shutil.copy(SAMPLE_TEXT, anonymous)
    assert main(["import", str(anonymous), "--region", "湖北省/武汉市/硚口区", "--kind", "事业单位"]) == 1
    out = capsys.readouterr().out
    assert "nianbao 不会把中文名称自行转写为拼音" in out and "--agency" in out
    text = (tmp_path / "报告.yaml").read_text(encoding="utf-8")
    assert f"机关代码: {MISSING}" in text
    assert "错误 S2 缺少“机关代码”（尚未填写：请把“待填”换成实际内容）" in out


def test_unknown_region_and_kind_are_placeholders_with_notes() -> None:
    imported = import_report(SAMPLE_TEXT, "qiaokou-rongmeiti")
    notes = [n.message for n in imported.notes]
    assert imported.data["地区"] == "" and imported.data["机关类别"] == ""
    assert any("--region" in n for n in notes) and any("--kind" in n for n in notes)


@pytest.mark.parametrize(
    ("option", "value"), [("--agency", "硚口区融媒体中心"), ("--region", "湖北省 武汉市"), ("--kind", "局")]
)
def test_bad_options_are_refused(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(SAMPLE_TEXT), option, value]) == 2
    assert "不符合要求" in capsys.readouterr().err


def test_unreadable_inputs_are_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_word = tmp_path / "report.doc"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["import", str(old_word)]) == 1
    assert "另存为 .docx" in capsys.readouterr().err
    prose = tmp_path / "notes.txt"
    prose.write_text("这不是年度报告。\n", encoding="utf-8")
    assert main(["import", str(prose)]) == 1
    assert "没有找到年度报告的任何部分标题" in capsys.readouterr().err


# -- the layouts of FORMAT.md §8 ------------------------------------------------------------


def test_fixtures_are_in_step_with_their_reports() -> None:
    """The committed fixtures are what make_import_fixtures.py makes from today's reports."""
    for name, text in MAKER.made().items():
        assert (FIXTURES / name).read_text(encoding="utf-8") == text, f"run tests/fixtures/make_import_fixtures.py ({name})"


ROW_SIX = ("表二", "三、本年度办理结果", "（六）其他处理")
SIX_LEAVES = [leaf.label for leaf in FORMATS[2021].table["表二"].blocks[0].rows[2].children[5].children]
# name -> cells the text cannot determine (they must be 待填, named in a note and by R5)
OPEN: dict[str, set[Key]] = {
    "tabs.txt": set(),
    "spaces.txt": set(),
    "vertical.txt": set(),
    "format-2019.txt": set(),
    # table 1 has no sum rule: 6341 reads as 6/3/41, 6/34/1 or 63/4/1 and nothing tells which
    "run-together.txt": {("表一", "第二十条第（一）项", "行政规范性文件", c) for c in ("本年制发件数", "本年废止件数", "现行有效件数")},
    # the single （六） row has 1 in 自然人 and 总计: which sub-row? 0 columns are 0 in every sub-row
    "single-six.txt": {(*ROW_SIX, leaf, column) for leaf in SIX_LEAVES for column in ("自然人", "总计")},
}


def check_variant(imported: Imported, got: Report, errors: list[str], want: Report, open_cells: set[Key]) -> None:
    """Assert ``got`` says all that ``want`` says, but for ``open_cells``: 待填, each named by a note and by R5."""
    assert fields(got) == fields(want)
    want_numbers = {k: v for k, v in want.numbers().items() if k not in open_cells}
    got_numbers = got.numbers()
    assert {k: got_numbers.get(k) for k in want_numbers} == want_numbers
    assert not open_cells & set(got.cells)
    cells = {c.path: c for t in got.format.tables for c in t.cells}
    notes = " ".join(n.message for n in imported.notes)
    for key in open_cells:
        name = cells[key[1:]].name
        assert f"{name}：已写作“{MISSING}”" in notes
        assert f"R5 {name}：尚未填写（仍为“{MISSING}”），请填写数字；没有发生的事项填 0" in errors
    assert len(errors) == len(open_cells)


@pytest.mark.parametrize("name", sorted(MAKER.VARIANTS))
def test_layout_variant_imports_to_its_report(name: str, tmp_path: Path) -> None:
    want = MAKER.load(MAKER.VARIANTS[name][0])
    imported, got, errors = imported_report(FIXTURES / name, tmp_path, want)
    check_variant(imported, got, errors, want, OPEN[name])


def test_run_together_digits_are_split_by_the_balance_rules(tmp_path: Path) -> None:
    """``142110131158`` for seven cells: of 336 readings only one balances (总计 = the six applicant columns)."""
    want = MAKER.load("shili-qu-renmin-zhengfu-2023")
    imported, got, _ = imported_report(FIXTURES / "run-together.txt", tmp_path, want)
    notes = [n.message for n in imported.notes]
    assert "表二 一、本年新收政府信息公开申请数量 行：原文“142110131158”有 336 种读法，按勾稽关系只能是 142、11、0、1、3、1、158" in notes
    assert (
        "表一 第二十条第（一）项 行政规范性文件 行 本年制发件数 列：已写作“待填”，原文“6341”可读作 6、63，"
        "勾稽关系也不能确定是哪一个，请对照原报告填写"
    ) in notes


def test_run_together_note_points_at_the_input_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = FIXTURES / "run-together.txt"
    line = source.read_text(encoding="utf-8").split("\n").index("行政规范性文件6341") + 1
    out = tmp_path / "shili-qu-renmin-zhengfu-2023.yaml"
    args = ["import", str(source), "-o", str(out), "--agency", "shili-qu-renmin-zhengfu", "--region", "示例省/示例市/示例区", "--kind", "人民政府"]
    assert main(args) == 1
    printed = capsys.readouterr().out
    assert f"run-together.txt:{line}: 导入说明 表一 第二十条第（一）项 行政规范性文件 行 本年制发件数 列：已写作“待填”" in printed
    yaml_line = out.read_text(encoding="utf-8").split("\n").index(
        f"    行政规范性文件: {{本年制发件数: {MISSING}, 本年废止件数: {MISSING}, 现行有效件数: {MISSING}}}"
    ) + 1
    assert f"shili-qu-renmin-zhengfu-2023.yaml:{yaml_line}:23: 错误 R5 表一 第二十条第（一）项 行政规范性文件 行 本年制发件数 列" in printed
    assert "检查未通过：共 1 份报告，1 个文件中有 3 个错误" in printed


def test_sample_printing_the_2019_single_row_six_imports_exactly(tmp_path: Path) -> None:
    """All 0 in the single （六）其他处理 row: every sub-row of the 2021 format is 0, and a note says so."""
    want, _ = load_report(SAMPLE_YAML)
    imported, got, errors = imported_report(FIXTURES / "sample-single-six.txt", tmp_path, want)
    assert errors == []
    assert fields(got) == fields(want)
    assert {k: c.value for k, c in got.cells.items()} == {k: c.value for k, c in want.cells.items()}
    assert "表二：原文按 2019 年试行格式只列“（六）其他处理”一行，均为 0，各子项已填 0" in [n.message for n in imported.notes]


def test_2019_format_is_chosen_by_the_year(tmp_path: Path) -> None:
    want = MAKER.load("shili-qu-shichang-jianguanju-2020")
    imported, got, _ = imported_report(FIXTURES / "format-2019.txt", tmp_path, want)
    assert imported.format.id == got.format_id == 2019
    assert got.number("表一", "第二十条第（五）项", "行政许可", "本年增/减") == -3


def test_word_file_with_real_tables(tmp_path: Path) -> None:
    """A .docx made with python-docx: real Word tables, merged header and label cells."""
    import docx

    want = MAKER.load("shili-qu-renmin-zhengfu-2023")
    source = tmp_path / "published.docx"
    MAKER.write_docx(want, source)
    document = docx.Document(str(source))
    assert len(document.tables) == 3
    assert 'w:vMerge w:val="restart"' in document.tables[1]._tbl.xml  # a merged label column
    imported, got, errors = imported_report(source, tmp_path, want)
    check_variant(imported, got, errors, want, set())


@pytest.mark.parametrize("source", ["shili-qu-jiaoyuju-2024", "shili-qu-shichang-jianguanju-2020"])
def test_text_pdf(source: str, tmp_path: Path) -> None:
    """A PDF compiled by Typst (Noto CJK, merged cells, -N- footers), read back with pypdf."""
    from pypdf import PdfReader

    want = MAKER.load(source)
    pdf = tmp_path / "published.pdf"
    MAKER.write_pdf(want, pdf)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "- 2 -" in text  # the page footers are there to be skipped
    imported, got, errors = imported_report(pdf, tmp_path, want)
    check_variant(imported, got, errors, want, set())
    assert "PDF 的文字按行宽折行，段落已按行宽重新拼接，请核对分段" in [n.message for n in imported.notes]


def test_a_printed_number_that_is_no_count_is_kept_for_r5(tmp_path: Path) -> None:
    """``1.5`` in a count cell is copied as printed, so that validation names the problem."""
    text = SAMPLE_TEXT.read_text(encoding="utf-8").replace("\t行政处罚\n\t0\n", "\t行政处罚\n\t1.5\n")
    source = tmp_path / "qiaokou-rongmeiti-2024.txt"
    source.write_text(text, encoding="utf-8")
    want, _ = load_report(SAMPLE_YAML)
    _, _, errors = imported_report(source, tmp_path, want)
    assert errors == ["R5 表一 第二十条第（六）项 行政处罚 行 本年处理决定数量 列：件数应为整数，填写的是 1.5"]


def test_web_page_furniture_around_the_report_is_left_out(tmp_path: Path) -> None:
    """Navigation and 发布时间 above the title, 打印本页 below the 落款: the content is the same, with a note."""
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    text = "首页 > 政务公开 > 法定主动公开内容\n" + text.replace(
        "硚口区融媒体中心2024年政府\n", "硚口区融媒体中心2024年政府\n发布时间：2025年01月08日 来源：硚口区融媒体中心 浏览次数：36\n", 1
    )
    text = text.rstrip("\n") + "\n【打印本页】【关闭窗口】\n"
    source = tmp_path / "qiaokou-rongmeiti-2024.txt"
    source.write_text(text, encoding="utf-8")
    want, _ = load_report(SAMPLE_YAML)
    imported, got, errors = imported_report(source, tmp_path, want)
    assert errors == [] and fields(got) == fields(want)
    assert [n.message for n in imported.notes] == ["落款日期之后的文字“【打印本页】【关闭窗口】”不是报告内容，未导入，请核对"]


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        (["硚口区融媒体中心2024年政府"], "硚口区融媒体中心"),  # cut short, as in the sample
        (["2024年硚口区教育局政府信息公开工作年度报告"], "硚口区教育局"),
        (["武汉市硚口区人民政府", "2024年政府信息公开工作年度报告"], "武汉市硚口区人民政府"),
        (["发布日期：2025年01月22日", "硚口区教育局关于2024年度政府信息公开工作年度报告"], "硚口区教育局"),
    ],
)
def test_agency_and_year_from_the_title(title: list[str], agency: str) -> None:
    assert agency_and_year(title) == (agency, 2024)


def test_a_missing_row_is_named(tmp_path: Path) -> None:
    text = SAMPLE_TEXT.read_text(encoding="utf-8").replace("\t行政强制\n\t0\n", "")
    source = tmp_path / "qiaokou-rongmeiti-2024.txt"
    source.write_text(text, encoding="utf-8")
    want, _ = load_report(SAMPLE_YAML)
    imported, _, errors = imported_report(source, tmp_path, want)
    name = "表一 第二十条第（六）项 行政强制 行 本年处理决定数量 列"
    assert [n.message for n in imported.notes] == [f"{name}：已写作“待填”，原文中没有找到这一行（或这一格），请对照原报告填写"]
    assert errors == [f"R5 {name}：尚未填写（仍为“待填”），请填写数字；没有发生的事项填 0"]


# -- the parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "index"),
    [
        ("一、总体情况", 0),
        ("1、 总体情况", 0),
        ("1.总体情况", 0),
        ("二、主动公开政府信息情况", 1),
        ("五、政府信息公开工作存在的主要问题及改进情况", 4),
        ("六、其他需要报告的事项", 5),
        ("四、结转下年度继续办理", None),  # a row of table 2
        ("二、上年结转政府信息公开申请数量", None),
        ("总体情况", 0),
        ("2024年，区融媒体中心在区委区政府的坚强领导下。", None),
    ],
)
def test_heading_index(line: str, index: int | None) -> None:
    assert heading_index(line) == index


def test_labels_match_despite_typos_and_widths() -> None:
    label = normalize("2.其他法律行政法规禁止公开")
    assert normalize("2、其他法律行政法规禁止公开") == label
    assert suffix_score(label, normalize("（三）不予公开 2.其他法律行政止公开")) >= 0.75
    assert suffix_score(normalize("3.其他"), normalize("法律服务机构其他")) == 0.0  # short labels match exactly


def test_digits_split_by_the_sum_rule() -> None:
    counts = [Kind.COUNT] * 7
    readings = candidates(["1000001"], counts)
    assert readings == [(1, 0, 0, 0, 0, 0, 1)]  # seven digits, seven cells: one reading
    many = candidates(["12102"], counts[:3])
    assert len(many) > 1
    row = RowChoice((("a",), ("b",), ("t",)), options=candidates(["1910"], counts[:3]))
    narrow([row], [Equation("R2", (("t",),), (("a",), ("b",)))])
    assert row.options == [(1, 9, 10)] and settled(row) == [1, 9, 10]


def test_dropped_blank_cells_only_when_the_printed_cells_cannot_balance() -> None:
    counts = [Kind.COUNT] * 3
    row = RowChoice((("a",), ("b",), ("t",)), candidates(["3", "3"], counts), candidates(["3", "3"], counts, gaps=True))
    narrow([row], [Equation("R2", (("t",),), (("a",), ("b",)))])
    assert row.options == [(0, 3, 3), (3, 0, 3)] and settled(row) == [None, None, 3]


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2025年1月7日", "2025-01-07"), ("二〇二五年一月七日", "2025-01-07"), ("2024 年 12 月 31 日", "2024-12-31"), ("二〇二四年十二月三十一日", "2024-12-31")],
)
def test_dates_of_the_signature(text: str, iso: str) -> None:
    date = parse_date(text)
    assert date is not None and date.isoformat() == iso


def test_contact_sentence_variants() -> None:
    report = MAKER.load("shili-qu-renmin-zhengfu-2024")  # 请与…（区政务公开办）联系（地址：…；电话：…）
    imported = import_report(FIXTURES / "spaces.txt", "x")
    assert imported.meta.contact == report.contact
    sample = import_report(SAMPLE_TEXT, "x")  # 请联系：…，地址：…，电话：…
    assert sample.meta.contact == {"机构": "硚口区融媒体中心办公室", "地址": "硚口区沿河大道518号", "电话": "027-83426360"}


def test_guide_and_readme_document_both_commands() -> None:
    guide = (ROOT / "content" / "guide" / "index.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("nianbao new", "nianbao import"):
        assert command in guide and command in readme
    assert "## 新建报告" in guide and "## 导入往年报告" in guide


def test_validation_of_the_import_sees_the_other_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Imported into reports/, the file is checked with its agency's other years (W1)."""
    reports = tmp_path / "reports"
    reports.mkdir()
    previous = SAMPLE_YAML.read_text(encoding="utf-8").replace("年度: 2024", "年度: 2023").replace("日期: 2025-01-07", "日期: 2024-01-07")
    previous = previous.replace("四、结转下年度继续办理: {自然人: 0,", "四、结转下年度继续办理: {自然人: 1,").replace(
        "四、结转下年度继续办理: {自然人: 1, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 0}",
        "四、结转下年度继续办理: {自然人: 1, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 1}",
    )
    previous = previous.replace("一、本年新收政府信息公开申请数量: {自然人: 0,", "一、本年新收政府信息公开申请数量: {自然人: 1,").replace(
        "一、本年新收政府信息公开申请数量: {自然人: 1, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 0}",
        "一、本年新收政府信息公开申请数量: {自然人: 1, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 1}",
    )
    (reports / "qiaokou-rongmeiti-2023.yaml").write_text(previous, encoding="utf-8")
    assert validate([reports]).ok
    assert main(["import", str(SAMPLE_TEXT), "--reports", str(reports), *SAMPLE_OPTIONS]) == 0
    printed = capsys.readouterr().out
    assert "警告 W1 表二 二、上年结转政府信息公开申请数量 行 自然人 列为 0" in printed
