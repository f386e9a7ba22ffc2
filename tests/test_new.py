"""``nianbao new``: a report file to fill, carrying over last year's agency data and carried-over requests.

A new file passes ``nianbao check`` but for the findings that name what is still ``待填``; with last
year's report it starts with the agency data and table 2 row 二 already right.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.formats import APPLICANTS, FORMATS, ROW_CARRIED_IN, ROW_CARRIED_OUT
from generator.reader import load_report
from generator.validate import validate
from generator.writer import MISSING

ROOT = Path(__file__).resolve().parents[1]
LAST_YEAR = ROOT / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml"
AGENCY = "shili-qu-jiaoyuju"
PLACEHOLDER_S2 = f"（尚未填写：请把“{MISSING}”换成实际内容）"


def _reports(tmp_path: Path) -> Path:
    """Return a reports folder holding last year's report in its subfolder, as in reports/shili/."""
    reports = tmp_path / "reports"
    (reports / "shili").mkdir(parents=True)
    shutil.copy(LAST_YEAR, reports / "shili" / LAST_YEAR.name)
    return reports


def _open_items(path: Path) -> tuple[list[str], int, list[str]]:
    """Return the keys that S2 says are still 待填, how many R5 cells are 待填, and any other finding."""
    findings = validate([path]).findings
    s2 = [re.sub(r"^缺少“(.*?)”.*$", r"\1", f.message) for f in findings if f.rule == "S2" and PLACEHOLDER_S2 in f.message]
    r5 = sum(1 for f in findings if f.rule == "R5" and f"尚未填写（仍为“{MISSING}”）" in f.message)
    others = [f"{f.rule} {f.message}" for f in findings if not (f.rule in ("S2", "R5") and MISSING in f.message)]
    return s2, r5, others


def _cells_to_fill(format_id: int) -> int:
    return sum(1 for t in FORMATS[format_id].tables for c in t.cells if not c.total)


def test_new_without_last_year_asks_for_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    assert main(["new", "--agency", "demo-ju", "--year", "2025", "--reports", str(reports)]) == 0
    path = reports / "demo-ju-2025.yaml"
    out = capsys.readouterr().out
    assert "没有找到 demo-ju 的 2024 年度报告" in out
    s2, r5, others = _open_items(path)
    assert others == []
    assert s2 == [
        "机关名称", "地区", "机关类别", "联系方式/机构", "联系方式/地址", "联系方式/电话", "导语",
        "一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "落款/署名", "落款/日期",
    ]
    assert r5 == _cells_to_fill(2021)
    assert f"还有 {len(s2) + r5} 处“{MISSING}”要填写" in out
    text = path.read_text(encoding="utf-8")
    assert "# 请填写：发布报告的机关全称" in text
    assert "# 请填写导语：编制依据、全文组成、统计期限（2025年1月1日至2025年12月31日）和联系方式" in text


def test_new_carries_over_last_years_agency_and_carried_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = _reports(tmp_path)
    assert main(["new", "--agency", AGENCY, "--year", "2025", "--reports", str(reports)]) == 0
    path = reports / "shili" / f"{AGENCY}-2025.yaml"  # next to last year's file
    assert path.is_file()
    new, _ = load_report(path)
    old, _ = load_report(LAST_YEAR)
    assert (new.agency, new.region, new.kind, new.contact, new.signature) == (old.agency, old.region, old.kind, old.contact, old.signature)
    assert (new.agency_id, new.year, new.format_id, new.date) == (AGENCY, 2025, 2021, None)
    for column in APPLICANTS:
        assert new.cells[("表二", ROW_CARRIED_IN, column)].value == old.numbers()[("表二", ROW_CARRIED_OUT, column)]
    s2, r5, others = _open_items(path)
    assert others == []
    assert s2 == ["导语", "一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "落款/日期"]
    assert r5 == _cells_to_fill(2021) - len(APPLICANTS)
    text = path.read_text(encoding="utf-8")
    assert "# 机关名称、地区、机关类别、联系方式和落款署名沿用 2024 年度报告（" in text
    carried = text.split("\n").index(f"  {ROW_CARRIED_IN}: {{自然人: 2, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0}}")
    assert "的“四、结转下年度继续办理”逐列转入（规则 W1），一般不需修改" in text.split("\n")[carried - 1]
    assert "沿用" in capsys.readouterr().out


def test_filled_in_new_report_passes_check(tmp_path: Path) -> None:
    """Replace every 待填 of a fresh file: it validates (with last year's report: W1 holds too)."""
    reports = _reports(tmp_path)
    assert main(["new", "--agency", AGENCY, "--year", "2025", "--reports", str(reports)]) == 0
    path = reports / "shili" / f"{AGENCY}-2025.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"日期: {MISSING}", "日期: 2026-01-20")
    # two requests carried in, both still open at the end of the year: the form balances
    out = f"  {ROW_CARRIED_OUT}: {{自然人: {MISSING},"
    text = text.replace(out, f"  {ROW_CARRIED_OUT}: {{自然人: 2,")
    text = re.sub(rf"(?<=: ){MISSING}(?=[,}}])", "0", text)  # table cells
    text = re.sub(rf"(?m)^  {MISSING}$", "  2025年，本局依法做好政府信息公开工作。", text)  # texts
    assert MISSING not in text.replace("待填”", "")
    path.write_text(text, encoding="utf-8")
    result = validate([reports])
    assert [f"{f.rule} {f.message}" for f in result.findings if f.file.endswith("2025.yaml") and f.is_error] == []
    assert not [f for f in result.findings if f.rule == "W1"]


def test_new_uses_the_2019_format_for_2020(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert main(["new", "--agency", "demo-ju", "--year", "2020", "--reports", str(reports)]) == 0
    report, _ = load_report(reports / "demo-ju-2020.yaml")
    assert report.format_id == 2019
    _, r5, others = _open_items(reports / "demo-ju-2020.yaml")
    assert others == [] and r5 == _cells_to_fill(2019)


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    args = ["new", "--agency", "demo-ju", "--year", "2025", "--reports", str(reports)]
    assert main(args) == 0
    path = reports / "demo-ju-2025.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("机关名称: 待填", "机关名称: 示例局"), encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 1
    assert "文件已存在" in capsys.readouterr().err
    assert "机关名称: 示例局" in path.read_text(encoding="utf-8")


def test_new_refuses_a_second_report_of_the_same_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = _reports(tmp_path)
    other = reports / f"{AGENCY}-2024.yaml"
    assert main(["new", "--agency", AGENCY, "--year", "2024", "--reports", str(reports), "-o", str(other)]) == 1
    assert f"机关代码 {AGENCY} 的 2024 年度报告已在" in capsys.readouterr().err
    assert not other.exists()


@pytest.mark.parametrize("args", [["--agency", "示例局", "--year", "2025"], ["--agency", "Demo_Ju", "--year", "2025"], ["--agency", "demo", "--year", "25"]])
def test_new_refuses_bad_options(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", *args, "--reports", str(tmp_path)]) == 2
    assert capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
