"""Every rule fires on its minimal broken report and stays quiet on the valid sample.

The fixtures under tests/fixtures/rules/<RULE>/ are made from the sample by
tests/fixtures/make_rule_fixtures.py; each test asserts the whole flattened findings list of its
folder, and the exact message of the finding the fixture is about.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.cli import main
from generator.messages import RULES
from generator.model import Report
from generator.reader import load_report
from generator.validate import validate
from generator.writer import render_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
NAME = "qiaokou-rongmeiti-2024.yaml"


def _load_maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_rule_fixtures", FIXTURES.parent / "make_rule_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _load_maker()

# rule id -> (the flattened findings of its folder, the exact message of the finding it is about)
EXPECTED: dict[str, tuple[list[list[object]], str]] = {
    "F1": (
        [["F1/qiaokou-rongmeiti-2024.yaml", 2, "F1", "error"]],
        "文件不是 UTF-8 编码（看起来是 GBK/GB18030 编码，常见于 Windows 记事本或 WPS 保存的文件），请用 UTF-8 编码另存后再提交",
    ),
    "F2": (
        [["F2/qiaokou-rongmeiti-2024.yaml", 1, "F2", "warning"]],
        "文件开头带有 BOM 标记（Windows 记事本“UTF-8 with BOM”），请另存为不带 BOM 的 UTF-8",
    ),
    "F3": (
        [["F3/qiaokou-rongmeiti-2024.yaml", 1, "F3", "warning"]],
        "文件使用 Windows 换行符（CRLF），请改为 LF 换行（VS Code 右下角点击 CRLF 切换）",
    ),
    "F4": (
        [["F4/qiaokou-rongmeiti-2024.yaml", 13, "F4", "error"]],
        "YAML 语法错误：此处不能出现冒号“: ”；文字中含英文冒号时请整段加引号，或改用中文冒号“：”",
    ),
    "F5": (
        [["F5/qiaokou-rongmeiti-2024.yaml", 5, "F5", "error"]],
        "键“机关名称”重复出现（第一次出现在第 4 行）；重复的键只会保留最后一个，请删除或合并",
    ),
    "F6": (
        [["F6/qiaokou-rongmeiti-2023.yaml", 8, "F6", "error"]],
        "文件名中的年度 2023 与文件内容中的年度 2024 不一致；文件名应为 qiaokou-rongmeiti-2024.yaml",
    ),
    "F7": (
        [["F7/qiaokou-rongmeiti-2024.yaml", 95, "F7", "error"]],  # the alias (*same), not its anchor on line 94
        "不支持 YAML 的锚点和别名（& 与 *），请直接写出内容",
    ),
    "F8": (
        [["F8/link-2024.yaml", 0, "F8", "error"]],
        "此文件是指向报告目录之外的符号链接，未读取；请把报告文件本身（普通的 YAML 文本文件）放进报告目录",
    ),
    "S1": (
        [
            ["S1/qiaokou-rongmeiti-2024.yaml", 4, "S1", "error"],
            ["S1/qiaokou-rongmeiti-2024.yaml", 4, "S2", "error"],
        ],
        "未知的键“机关名”，是否应为“机关名称”？",
    ),
    "S2": (
        [["S2/qiaokou-rongmeiti-2024.yaml", 11, "S2", "error"]],
        "缺少“联系方式/电话”（咨询电话，如 027-83426360（多个号码用顿号分隔））",
    ),
    "S3": (
        [["S3/qiaokou-rongmeiti-2024.yaml", 8, "S3", "error"]],
        "“年度”应为整数（如 2024），实际填写的是“二〇二四”",
    ),
    "S4": (
        [["S4/qiaokou-rongmeiti-2024.yaml", 7, "S4", "error"]],
        "“机关类别”只能是 人民政府、部门、乡镇街道、事业单位、其他 之一，填写的是“局”",
    ),
    "S5": (
        [["S5/wuhan/qiaokou-rongmeiti-2024.yaml", 8, "S5", "error"]],
        "机关代码“qiaokou-rongmeiti”的 2024 年度报告已在 S5/hubei/qiaokou-rongmeiti-2024.yaml 中，同一机关同一年度只能有一份报告",
    ),
    "S6": (
        [["S6/qiaokou-rongmeiti-2024.yaml", 15, "S6", "error"]],
        "导语中不能有小标题（以“#”开头的行）；小标题请写在各部分正文中",
    ),
    "S7": (
        [["S7/qiaokou-rongmeiti-2024.yaml", 41, "S7", "error"]],
        "列表或引用（>）嵌套了 9 层，最多 8 层",
    ),
    "S8": (
        [["S8/qiaokou-rongmeiti-2024.yaml", 4, "S8", "error"]],
        "“机关名称”只能写一行，其中有换行；请删去换行（多行会破坏标题和索引页）",
    ),
    "R1": (
        [["R1/qiaokou-rongmeiti-2024.yaml", 58, "R1", "error"]],
        "表二 自然人 列：第一项加第二项之和为 0，第三项（七）总计加第四项之和为 1，两者应相等",
    ),
    "R2": (
        [
            ["R2/qiaokou-rongmeiti-2024.yaml", 25, "W3", "warning"],  # the prose says 新收到…0件
            ["R2/qiaokou-rongmeiti-2024.yaml", 58, "R1", "error"],
            ["R2/qiaokou-rongmeiti-2024.yaml", 58, "R2", "error"],
        ],
        "表二 一、本年新收政府信息公开申请数量 行 总计 列：各项之和为 0，填写为 1",
    ),
    "R3": (
        [
            ["R3/qiaokou-rongmeiti-2024.yaml", 58, "R1", "error"],
            ["R3/qiaokou-rongmeiti-2024.yaml", 86, "R3", "error"],
            ["R3/qiaokou-rongmeiti-2024.yaml", 86, "R2", "error"],
        ],
        "表二 第（七）总计 行 自然人 列：各项之和为 0，填写为 1",
    ),
    "R4": (
        [["R4/qiaokou-rongmeiti-2024.yaml", 92, "R4", "error"]],
        "表三 行政复议 总计 列：各项之和为 0，填写为 1",
    ),
    "R5": (
        [["R5/qiaokou-rongmeiti-2024.yaml", 58, "R5", "error"]],
        "表二 一、本年新收政府信息公开申请数量 行 自然人 列：件数不能为负数，填写的是 -1",
    ),
    "W1": (
        [
            ["W1/qiaokou-rongmeiti-2024.yaml", 59, "W1", "warning"],
            ["W1/qiaokou-rongmeiti-2024.yaml", 59, "W1", "warning"],  # the 总计 column
        ],
        "表二 二、上年结转政府信息公开申请数量 行 自然人 列为 0，"
        "而 2023 年度报告（W1/qiaokou-rongmeiti-2023.yaml）的“四、结转下年度继续办理”为 1",
    ),
    "W2": (
        [["W2/qiaokou-rongmeiti-2024.yaml", 45, "W2", "notice"]],
        "表一 规章 现行有效件数为 0，按上年 1 件加本年制发 0 件减废止 0 件应为 1（如系重新清理统计，可忽略）",
    ),
    "W3": (
        [["W3/qiaokou-rongmeiti-2024.yaml", 25, "W3", "warning"]],
        "正文写“新收到依申请公开政府信息2件”，而表二 一、本年新收政府信息公开申请数量 行 总计 列为 0，请核对口径",
    ),
    "W4": (
        [["W4/qiaokou-rongmeiti-2024.yaml", 114, "W4", "warning"]],
        "报告日期 2025年3月1日 晚于法定期限 2025年1月31日（条例第四十九条：应于每年1月31日前向本级政府信息公开工作主管部门提交并公布）",
    ),
    "W5": (
        [["W5/qiaokou-rongmeiti-2024.yaml", 17, "W5", "warning"]],
        "人民政府的年度报告应报告社会评议情况（条例第五十条），正文中未找到相关内容",
    ),
    "W6": (
        [["W6/qiaokou-rongmeiti-2024.yaml", 41, "W6", "warning"]],
        "字符“𠀀”（U+20000，CJK UNIFIED IDEOGRAPH-20000）PDF 的字体中没有，PDF 中以“〓”代替；网页中照常显示",
    ),
    "W7": (
        [["W7/qiaokou-rongmeiti-2024.yaml", 41, "W7", "warning"]],
        "这一行“#政务公开#专栏上线”以“#”开头，会显示为小标题“政务公开#专栏上线”，“#”本身不显示；如要显示“#”，请写作“\\#”",
    ),
}


def test_every_rule_has_a_fixture() -> None:
    assert sorted(EXPECTED) == sorted(RULES)
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(RULES)


def test_fixtures_are_in_step_with_the_sample() -> None:
    """The committed fixtures are what make_rule_fixtures.py makes from today's sample."""
    sample = SAMPLE.read_text(encoding="utf-8")
    for rule, make in MAKER.FIXTURES.items():
        made = make(sample)
        on_disk = {
            p.relative_to(FIXTURES / rule).as_posix(): MAKER.Link(os.readlink(p)) if p.is_symlink() else p.read_bytes()
            for p in (FIXTURES / rule).rglob("*")
            if p.is_file() or p.is_symlink()
        }
        assert on_disk == made, f"tests/fixtures/rules/{rule} is stale: run tests/fixtures/make_rule_fixtures.py"


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_fires_on_its_fixture(rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    result = validate([Path(rule)])
    expected, message = EXPECTED[rule]
    assert [f.flat() for f in result.findings] == expected
    target = [f for f in result.findings if f.rule == rule]
    assert target, f"{rule} did not fire"
    assert target[0].message == message
    assert target[0].severity is RULES[rule].severity
    assert result.ok == (not any(f.is_error for f in result.findings))


@pytest.mark.parametrize(
    ("rule", "cell"),
    [
        ("R1", "表二 自然人 列"),
        ("R2", "表二 一、本年新收政府信息公开申请数量 行 总计 列"),
        ("R3", "表二 第（七）总计 行 自然人 列"),
        ("R4", "表三 行政复议 总计 列"),
        ("R5", "表二 一、本年新收政府信息公开申请数量 行 自然人 列"),
        ("W1", "表二 二、上年结转政府信息公开申请数量 行 自然人 列"),
        ("W3", "表二 一、本年新收政府信息公开申请数量 行 总计 列"),
    ],
)
def test_message_names_the_cell_in_the_forms_words(rule: str, cell: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    target = next(f for f in validate([Path(rule)]).findings if f.rule == rule)
    assert cell in target.message


def test_r1_points_at_every_cell_of_the_unbalanced_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    (r1,) = [f for f in validate([Path("R1")]).findings if f.rule == "R1"]
    report, _ = load_report(FIXTURES / "R1" / NAME)
    column = {c.line for k, c in report.cells.items() if k[0] == "表二" and k[-1] == "自然人"}
    assert {r1.line, *r1.related} == column


def test_sample_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = validate([Path("reports/qiaokou-rongmeiti-2024.yaml")])
    assert [f.flat() for f in result.findings] == []
    assert result.ok and len(result.reports) == 1


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_is_quiet_on_the_valid_sample_and_its_previous_year(rule: str, tmp_path: Path) -> None:
    """The sample with a consistent 2023 report of the same agency: W1, W2, S5 have two files to compare."""
    sample = SAMPLE.read_text(encoding="utf-8")
    (tmp_path / NAME).write_text(sample, encoding="utf-8")
    (tmp_path / MAKER.PREVIOUS).write_text(MAKER.previous_year(sample), encoding="utf-8")
    result = validate([tmp_path])
    assert len(result.reports) == 2
    assert [f.flat() for f in result.findings if f.rule == rule] == []


# -- the command line --------------------------------------------------------------------------


def test_cli_exit_0_on_the_valid_sample(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "reports/qiaokou-rongmeiti-2024.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("检查通过") and "未发现问题" in out
    assert err == ""


def test_cli_exit_1_on_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(FIXTURES)
    assert main(["check", "R4"]) == 1
    out, err = capsys.readouterr()
    first, summary = out.rstrip("\n").split("\n")
    assert first == "R4/qiaokou-rongmeiti-2024.yaml:92:50: 错误 R4 表三 行政复议 总计 列：各项之和为 0，填写为 1"
    assert summary.startswith("检查未通过") and "1 个错误" in summary
    assert err == ""


def test_cli_prints_related_lines(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(FIXTURES)
    assert main(["check", "R3"]) == 1
    out, _ = capsys.readouterr()
    assert "R3/qiaokou-rongmeiti-2024.yaml:58:27: 错误 R1 表二 自然人 列：" in out
    assert "两者应相等（涉及第 59、86–87 行）\n" in out


@pytest.mark.parametrize("rule", ["F2", "F3", "W1", "W2", "W3", "W4", "W5"])
def test_cli_exit_0_with_warnings_only(
    rule: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FIXTURES)
    assert main(["check", rule]) == 0
    out, _ = capsys.readouterr()
    assert f" {rule} " in out
    assert out.rstrip("\n").splitlines()[-1].startswith("检查通过：")


def test_cli_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(FIXTURES)
    assert main(["check", "--format", "json", "R3"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    data: list[dict[str, Any]] = json.loads(out)
    assert [[d["file"], d["line"], d["column"], d["rule"], d["severity"]] for d in data] == [
        ["R3/qiaokou-rongmeiti-2024.yaml", 58, 27, "R1", "error"],
        ["R3/qiaokou-rongmeiti-2024.yaml", 86, 18, "R3", "error"],
        ["R3/qiaokou-rongmeiti-2024.yaml", 86, 72, "R2", "error"],
    ]
    for d in data:
        assert {"file", "line", "column", "rule", "severity", "message"} <= set(d)
    assert data[1]["message"] == "表二 第（七）总计 行 自然人 列：各项之和为 0，填写为 1"
    assert data[0]["related"] == [59, 86, 87]


def test_cli_json_valid_is_an_empty_list(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "--format", "json", "reports/qiaokou-rongmeiti-2024.yaml"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_gbk_copy_gives_one_f1_naming_gbk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / NAME).write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk"))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json", NAME]) == 1
    out, err = capsys.readouterr()
    (only,) = json.loads(out)
    assert (only["file"], only["rule"], only["severity"]) == (NAME, "F1", "error")
    assert "GBK" in only["message"]
    assert "Traceback" not in err and "内部错误" not in err
    assert main(["check", NAME]) == 1
    out, err = capsys.readouterr()
    assert out.count(" F1 ") == 1 and "GBK" in out
    assert "Traceback" not in out + err


def test_cli_exit_2_when_no_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "没有找到报告文件" in capsys.readouterr().err


def test_cli_missing_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "no-such-dir"]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith("no-such-dir: 错误 F1 文件不是 UTF-8 编码（文件或目录不存在）")


# -- every cell of table 2 is guarded by a balance rule -----------------------------------------


def _report_data(report: Report) -> dict[str, Any]:
    """Return ``report`` as the plain data that writer.render_report takes."""
    tables: dict[str, dict[tuple[str, ...], Any]] = {}
    for key, cell in report.cells.items():
        tables.setdefault(key[0], {})[key[1:]] = cell.value
    return {
        "机关名称": report.agency,
        "机关代码": report.agency_id,
        "地区": "/".join(report.region),
        "机关类别": report.kind,
        "年度": report.year,
        "格式": report.format_id,
        "联系方式": report.contact,
        "导语": report.lead,
        **report.sections,
        "tables": tables,
        "落款": {"署名": report.signature, "日期": report.date},
    }


def _bump_each_cell(text: str, tmp_path: Path) -> tuple[int, list[str]]:
    """Add 1 to each stated number of table 2 in turn; return the count and every cell left unguarded."""
    path = tmp_path / NAME
    path.write_text(text, encoding="utf-8")
    report, findings = load_report(path)
    assert findings == []
    lines = text.split("\n")
    cells = {k: c for k, c in report.cells.items() if k[0] == "表二"}
    unguarded = []
    for key, cell in cells.items():
        row = lines[cell.line - 1]
        start = cell.column - 1
        assert row[start : start + len(cell.text)] == cell.text, (key, row)
        changed = row[:start] + str(int(cell.text) + 1) + row[start + len(cell.text) :]
        path.write_text("\n".join(lines[: cell.line - 1] + [changed] + lines[cell.line :]), encoding="utf-8")
        result = validate([path])
        if not any(
            f.is_error and f.rule in ("R1", "R2", "R3") and cell.line in (f.line, *f.related) for f in result.findings
        ):
            unguarded.append(f"{'/'.join(key)} (line {cell.line}): {[f.flat() for f in result.findings]}")
    return len(cells), unguarded


def test_every_cell_of_table2_is_guarded_with_totals(tmp_path: Path) -> None:
    count, unguarded = _bump_each_cell(SAMPLE.read_text(encoding="utf-8"), tmp_path)
    assert count == 175
    assert unguarded == []


def test_every_cell_of_table2_is_guarded_without_totals(tmp_path: Path) -> None:
    report, _ = load_report(SAMPLE)
    text = render_report(_report_data(report), with_totals=False)
    (tmp_path / NAME).write_text(text, encoding="utf-8")
    assert [f.flat() for f in validate([tmp_path / NAME]).findings] == []
    count, unguarded = _bump_each_cell(text, tmp_path)
    assert count == 24 * 6  # （七）总计 row and 总计 column left out
    assert unguarded == []


# -- F4: the common slips of editors are explained in Chinese, at their line ---------------------


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        (
            "  电话: 027",
            "  电话: 办公室: 027",
            13,
            "此处不能出现冒号“: ”；文字中含英文冒号时请整段加引号，或改用中文冒号“：”",
        ),
        ("  电话: 027", "\t电话: 027", 13, "不能用制表符（Tab）缩进，请改用空格"),
        ("  电话: 027", "  电话 027", 14, "缺少冒号“: ”，或者上一行的引号没有闭合"),
        ("  电话: 027", " 电话: 027", 13, "缩进不一致或多余的内容：同一层的键必须左对齐"),
        ("地址: 硚口区", "地址: @硚口区", 12, "此处的字符（如 @、` 或 %）不能作为内容的开头，请给整段文字加引号"),
        ("地址: 硚口区", "地址: 硚\x07口区", 12, "文件中含有不可见的控制字符，请删除"),
        ("地址: 硚口区", "地址: & 硚口区", 12, "“&”或“*”后应为锚点名称；若是正文内容请加引号"),
        (
            "行政许可: {本年处理决定数量: 0}",
            "行政许可: {本年处理决定数量: 0",
            49,
            "花括号 {…} 中缺少逗号“, ”或右括号“}”（表格的一行应写在同一行内）",
        ),
        (
            "日期: 2025-01-07  # 写作 2025-01-07\n",
            "日期: 2025-01-07\n---\n",
            115,
            "文件中只能有一份报告（不能出现第二个“---”）",
        ),
    ],
)
def test_syntax_errors_are_explained(old: str, new: str, line: int, problem: str, tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_text(MAKER.replace(SAMPLE.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    findings = validate([path]).findings
    assert [(f.line, f.rule) for f in findings] == [(line, "F4")]
    assert findings[0].message == f"YAML 语法错误：{problem}"


def test_yaml11_line_breaks_do_not_shift_line_numbers(tmp_path: Path) -> None:
    """NEL, LS and PS pasted from web pages are line breaks to libyaml but not to editors."""
    text = MAKER.set_cell(SAMPLE.read_text(encoding="utf-8"), "行政复议", "总计", "1")
    text = MAKER.replace(text, "踔厉奋发、", "踔厉奋发、\u2028\u2029\x85")
    path = tmp_path / NAME
    path.write_text(text, encoding="utf-8")
    assert [f.flat()[1:] for f in validate([path]).findings] == [[92, "R4", "error"]]


def test_table_findings_show_while_other_fields_are_still_to_fill(tmp_path: Path) -> None:
    """An imported report with 待填 metadata gets its R1–R4 findings in the same run as its S2 errors."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("机关名称: 硚口区融媒体中心", "机关名称: 待填", 1)
    text = text.replace("行政复议: {结果维持: 0, 结果纠正: 0, 其他结果: 0, 尚未审结: 0, 总计: 0}", "行政复议: {结果维持: 10, 结果纠正: 1, 其他结果: 0, 尚未审结: 0, 总计: 0}", 1)
    text = text.replace("结转下年度继续办理: {自然人: 0", "结转下年度继续办理: {自然人: 待填", 1)
    path = tmp_path / NAME
    path.write_text(text, encoding="utf-8")
    rules = sorted({f.rule for f in validate([path]).findings})
    assert "S2" in rules and "R4" in rules, rules
    r4 = [f for f in validate([path]).findings if f.rule == "R4"]
    assert len(r4) == 1 and "行政复议" in r4[0].message and "11" in r4[0].message
