"""Open data and aggregates: exports round-trip to the YAML's numbers; aggregates are exact sums."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import aggregate as agg
from generator.cli import main
from generator.export import (
    IDENTITY,
    LONG_HEADER,
    SEP,
    by_format,
    columns,
    dictionary_csv,
    export,
    to_csv,
    to_json,
    to_long_csv,
    to_xlsx,
)
from generator.formats import FORMATS
from generator.model import Cell, Report
from generator.validate import validate
from generator.xlsx import Properties

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    result = validate([ROOT / "reports"])
    assert result.ok
    return result.valid_reports()


def _expected(report: Report) -> dict[str, Decimal]:
    """Every effective number of a report, keyed like the flat columns."""
    return {SEP.join(k): Decimal(str(v)) for k, v in report.numbers().items()}


def test_json_shape_and_numbers(reports: list[Report]) -> None:
    data = json.loads(to_json(reports))
    assert len(data) == len(reports)
    for item, report in zip(data, reports, strict=True):
        assert list(item)[:6] == list(IDENTITY)
        assert (item["机关代码"], item["年度"], item["格式"]) == (report.agency_id, report.year, report.format_id)
        flat = {
            f"{table}{SEP}{row}{SEP}{column}": Decimal(str(value))
            for table in ("表一", "表二", "表三")
            for row, cols in item[table].items()
            for column, value in cols.items()
        }
        assert flat == _expected(report)
    assert f"三、本年度办理结果{SEP}（三）不予公开{SEP}1.属于国家秘密" in data[0]["表二"]


@pytest.mark.parametrize("format_id", [2021, 2019])
def test_csv_has_bom_and_round_trips(reports: list[Report], format_id: int) -> None:
    reports = by_format(reports)[format_id]
    raw = to_csv(reports)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == list(IDENTITY) and len(body) == len(reports)
    for row, report in zip(body, reports, strict=True):
        values = {h: Decimal(v) for h, v in zip(header[6:], row[6:], strict=True) if v != ""}
        assert values == _expected(report)


def test_xlsx_round_trips_with_statutory_headers(reports: list[Report]) -> None:
    reports = by_format(reports)[2021]
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(reports)))
    assert [ws.title[:2] for ws in wb.worksheets] == ["表一", "表二", "表三"]
    got: dict[tuple[str, int], dict[str, Decimal]] = {}
    for ws in wb.worksheets:
        table = ws.title.split()[0]
        cols = [c for c in columns([FORMATS[2021]]) if c.cell.table == table]
        depth = max(len(c.cell.path) for c in cols)
        merged = {str(r) for r in ws.merged_cells.ranges}
        for row in ws.iter_rows(min_row=depth + 1, values_only=True):
            key = (str(row[1]), int(row[4]))  # type: ignore[arg-type]
            values = got.setdefault(key, {})
            for c, v in zip(cols, row[6:], strict=False):
                if v is not None:
                    values[c.name] = Decimal(str(v))
        if table == "表二":
            assert ws.cell(row=1, column=7).value == "一、本年新收政府信息公开申请数量"
            assert "G1:M1" in merged  # the row label spans its seven columns
            assert "A1:A4" in merged  # identity columns span the header
    for report in reports:
        assert got[(report.agency_id, report.year)] == _expected(report)


def test_xlsx_is_reproducible(reports: list[Report]) -> None:
    assert to_xlsx(reports) == to_xlsx(reports)


def test_export_command_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the reports hold both format versions: a wide file per version, the long table and JSON in one
    for fmt in ("csv", "xlsx"):
        assert main(["export", str(ROOT / "reports"), "--format", fmt, "-o", str(tmp_path / f"all.{fmt}")]) == 0
        assert not (tmp_path / f"all.{fmt}").exists()
        assert (tmp_path / f"all-2021.{fmt}").stat().st_size > 1000 and (tmp_path / f"all-2019.{fmt}").stat().st_size > 1000
    for fmt, name in (("json", "all.json"), ("long", "all-long.csv")):
        assert main(["export", str(ROOT / "reports"), "--format", fmt, "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert main(["export", str(ROOT / "reports"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["表二"]
    assert main(["export", str(ROOT / "reports"), "--format", "csv"]) == 2  # two versions cannot share stdout
    assert "--format long" in capsys.readouterr().err
    assert main(["export", str(ROOT / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml"), "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 2  # one version: header and the report, to stdout


def test_no_label_holds_the_separator() -> None:
    labels = {label for fmt in FORMATS.values() for table in fmt.tables for cell in table.cells for label in cell.path}
    assert "本年增/减" in labels  # why the separator is not "/"
    assert not [label for label in labels if SEP in label]
    names = [c.name for c in columns([FORMATS[2021], FORMATS[2019]])]
    assert len(names) == len(set(names)) and all(n.count(SEP) == len(c.cell.path) for n, c in zip(names, columns([FORMATS[2021], FORMATS[2019]]), strict=True))


def test_long_csv_has_every_number_of_both_formats_once(reports: list[Report]) -> None:
    raw = to_long_csv(reports)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert list(rows[0]) == list(LONG_HEADER)
    got: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        key = SEP.join((row["表"], *row["行"].split(SEP), row["列"]))
        assert key not in got.setdefault(row["报告"], {}), key
        got[row["报告"]][key] = Decimal(row["数值"])
    assert got == {r.slug: _expected(r) for r in reports}
    assert {row["格式"] for row in rows} == {"2021", "2019"}


def test_column_dictionary_names_every_wide_column(reports: list[Report]) -> None:
    rows = list(csv.DictReader(io.StringIO(dictionary_csv()[3:].decode("utf-8"))))
    by_name = {row["列名"]: row for row in rows}
    for format_id, members in by_format(reports).items():
        header = next(csv.reader(io.StringIO(to_csv(members)[3:].decode("utf-8"))))
        assert set(header) <= set(by_name), format_id
        assert all(str(format_id) in by_name[h]["适用格式"] for h in header)
    assert by_name[f"表三{SEP}行政复议{SEP}总计"]["单位"] == "件"
    assert by_name[f"表一{SEP}第二十条第（八）项{SEP}行政事业性收费{SEP}本年收费金额（单位：万元）"]["单位"] == "万元"


def test_xlsx_states_its_document_properties(reports: list[Report]) -> None:
    one = next(r for r in reports if r.slug == "qiaokou-rongmeiti-2024")
    props = openpyxl.load_workbook(io.BytesIO(to_xlsx([one]))).properties
    assert props.title == "硚口区融媒体中心2024年政府信息公开工作年度报告（数据）"
    assert props.creator == "硚口区融媒体中心" and "政府信息公开" in (props.keywords or "")
    assert props.created is not None and props.created.date().isoformat() == "2025-01-07"  # the report's date, not the build's
    given = Properties(title="某网站：数据", creator="某办公室", description="许可协议：CC BY 4.0", created="2025-03-01T04:00:00Z")
    props = openpyxl.load_workbook(io.BytesIO(to_xlsx(reports[:2], given))).properties
    assert (props.title, props.creator, props.description) == ("某网站：数据", "某办公室", "许可协议：CC BY 4.0")


def test_export_refuses_invalid_reports(tmp_path: Path) -> None:
    text = (ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8")
    (tmp_path / "qiaokou-rongmeiti-2024.yaml").write_text(text.replace("规章: {本年制发件数: 0", "规章: {本年制发件数: -3", 1), encoding="utf-8")
    assert main(["export", str(tmp_path), "--format", "csv", "-o", str(tmp_path / "x.csv")]) == 1
    assert not (tmp_path / "x.csv").exists()


def _synthetic(base: Report, rng: random.Random, region: tuple[str, ...], agency: str) -> Report:
    """Return a copy of ``base`` with random stated numbers (balance does not matter for sums)."""
    cells = {
        k: Cell(Decimal(rng.randint(0, 99999)) / 100 if isinstance(c.value, Decimal) else rng.randint(0, 500), "", 1, 1)
        for k, c in base.cells.items()
    }
    return Report(
        source=f"{agency}.yaml", path=Path(f"{agency}.yaml"), format_id=base.format_id, agency=agency,
        agency_id=agency, region=region, kind=base.kind, year=base.year, cells=cells,
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=12))
def test_aggregates_equal_the_sums_of_their_inputs(seed: int, count: int) -> None:
    rng = random.Random(seed)
    base = next(r for r in validate([ROOT / "reports" / "shili"]).valid_reports() if r.year == 2024)
    regions = [("甲省", "乙市", "丙区"), ("甲省", "乙市", "丁区"), ("甲省", "戊市")]
    reports = [_synthetic(base, rng, rng.choice(regions), f"a{i}") for i in range(count)]
    for a in agg.aggregates(reports):
        members = [r for r in reports if r.region[: len(a.region)] == a.region]
        assert sorted(m.agency for m in a.reports) == sorted(m.agency for m in members)
        keys = set().union(*(m.numbers() for m in members))
        for key in keys:
            assert a.numbers[key] == sum((m.numbers()[key] for m in members), start=0)
        figures = agg.key_figures(a.numbers, a.format)
        assert figures.received == sum((agg.key_figures(m.numbers(), m.format).received for m in members), start=0)
    top = [a for a in agg.aggregates(reports) if a.region == ("甲省",)]
    assert len(top) == 1 and len(top[0].reports) == count


def test_collections_joined_from_the_reports_files_are_the_bytes_export_writes(tmp_path: Path) -> None:
    from generator import datafiles
    from generator.opendata import collection

    reports = validate([Path(__file__).resolve().parent.parent / "reports"]).valid_reports()
    assert {r.format_id for r in reports} == {2019, 2021}  # both versions, so a mixed collection is met
    cache = tmp_path / "cache"
    datafiles.write_report_files(tmp_path / "site", reports, cache)
    joined = 0
    for f in collection(reports):
        if f.kind not in ("long", "wide", "json"):
            continue
        target = tmp_path / f.name
        assert datafiles._compose(f.kind, f.reports, cache, target), f.name  # noqa: SLF001
        assert target.read_bytes() == datafiles.export(f.reports, datafiles._WRITERS[f.kind]), f.name  # noqa: SLF001
        joined += 1
    assert joined >= 6
    # a report of the other format version in a wide file: its columns differ, so nothing is joined
    mixed = sorted(reports, key=lambda r: r.format_id)
    assert not datafiles._compose("wide", mixed, cache, tmp_path / "mixed.csv")  # noqa: SLF001
    assert not (tmp_path / "mixed.csv").exists()  # no half-written file left behind
    # a missing report file: made from the numbers
    packs = sorted(cache.glob("*.pack"))
    assert len(packs) == len(reports) and not list(cache.glob("*.long"))  # one entry per report
    for path in packs:
        path.unlink()
    assert not datafiles._compose("long", reports, cache, tmp_path / "long.csv")  # noqa: SLF001
    assert not (tmp_path / "long.csv").exists()


def test_workbooks_joined_from_the_reports_rows_are_the_bytes_made_from_the_numbers(tmp_path: Path) -> None:
    from generator import datafiles
    from generator.export import xlsx_rows
    from generator.opendata import collection

    reports = validate([ROOT / "reports"]).valid_reports()
    cache = tmp_path / "cache"
    datafiles.write_report_files(tmp_path / "site", reports, cache)
    rows = datafiles._cached_rows(cache)  # noqa: SLF001
    properties = Properties(title="全部", creator="nianbao", created="2025-01-07T04:00:00Z")
    joined = 0
    for f in collection(reports):
        if f.kind != "xlsx":
            continue
        made = to_xlsx(f.reports, properties)
        asked: list[str] = []

        def asking(r: Report, asked: list[str] = asked) -> bytes | None:
            asked.append(r.slug)
            return rows(r)

        assert to_xlsx(f.reports, properties, asking) == made, f.name
        assert sorted(asked) == sorted(r.slug for r in f.reports)  # every row came from the cache
        joined += 1
    assert joined >= 3
    # rows that cannot be placed: a report of each format version, a missing row, another table count
    mixed = sorted(reports, key=lambda r: r.format_id)
    assert {r.format_id for r in mixed} == {2019, 2021}
    assert to_xlsx(mixed, properties, rows) == to_xlsx(mixed, properties)
    of_2021 = [r for r in reports if r.format_id == 2021]
    assert to_xlsx(of_2021, properties, lambda r: None if r is of_2021[-1] else rows(r)) == to_xlsx(of_2021, properties)
    assert to_xlsx(of_2021, properties, lambda r: b"<row/>") == to_xlsx(of_2021, properties)
    # a report's rows hold its own numbers (a changed number is a changed row)
    assert xlsx_rows(of_2021[0]) == rows(of_2021[0])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(of_2021, properties, rows))).worksheets[0]
    assert [c.value for c in sheet[sheet.max_row]][1] == of_2021[-1].agency_id


def test_unchanged_workbooks_come_from_the_cache_and_unused_ones_are_pruned(tmp_path: Path) -> None:
    from generator import datafiles

    reports = validate([Path(__file__).resolve().parent.parent / "reports"]).valid_reports()
    cache = tmp_path / "cache"
    datafiles.write_report_files(tmp_path / "a", reports, cache)
    datafiles.write_collections(tmp_path / "a", reports, cache_dir=cache)
    first = {p.name for p in cache.glob("collection-*.xlsx")}
    assert first
    datafiles.write_collections(tmp_path / "b", reports, cache_dir=cache)
    assert {p.name for p in cache.glob("collection-*.xlsx")} == first
    for name in ("nianbao-all-2021.xlsx", "nianbao-2024.xlsx"):
        found = list((tmp_path / "a").rglob(name))
        assert found and found[0].read_bytes() == next((tmp_path / "b").rglob(name)).read_bytes()
    # one report fewer: the workbooks holding it are new; the old ones go once they are not recent
    for path in cache.glob("collection-*"):
        os.utime(path, (0, 0))
    datafiles.write_collections(tmp_path / "c", reports[1:], cache_dir=cache)
    now = {p.name for p in cache.glob("collection-*.xlsx")}
    assert now and now != first
    assert (first - now) and (now - first)  # the workbooks of the removed report's year and of all years: new
    assert {p.name for p in cache.glob("collection-*.xlsx.sum")} == {n + ".sum" for n in now}


def test_a_reports_cached_files_are_one_pack_read_part_by_part_and_made_again_when_broken(tmp_path: Path) -> None:
    from generator import datafiles
    from generator.export import xlsx_rows
    from generator.fsutil import write_entry

    reports = validate([ROOT / "reports"]).valid_reports()
    cache = tmp_path / "cache"
    assert datafiles.write_report_files(tmp_path / "a", reports, cache) == len(reports)
    names = [p.name for p in cache.iterdir() if not p.name.startswith(".")]  # not the record of checked entries
    assert len(names) == 2 * len(reports) and all(n.endswith((".pack", ".pack.sum")) for n in names)  # a pack and its seal each
    for r in reports:
        for fmt in ("csv", "json", "xlsx", "long"):
            assert datafiles.read_part(cache, r, fmt) == export([r], fmt), (r.slug, fmt)
        assert datafiles.read_part(cache, r, datafiles.ROWS) == xlsx_rows(r)
        for fmt in ("csv", "json", "xlsx"):
            assert (tmp_path / "a" / "data" / "reports" / f"{r.slug}.{fmt}").read_bytes() == export([r], fmt)
    # unchanged: nothing made, the site's files taken from the packs
    assert datafiles.write_report_files(tmp_path / "b", reports, cache) == 0
    for r in reports:
        assert (tmp_path / "b" / "data" / "reports" / f"{r.slug}.csv").read_bytes() == export([r], "csv")
    # a truncated pack (its seal no longer matches) and a sealed file that is not a pack: both made again
    first, second = (cache / f"{datafiles._report_key(r)}.pack" for r in reports[:2])  # noqa: SLF001
    first.write_bytes(first.read_bytes()[:100])
    write_entry(second, b'{"csv":3}\nabc')
    assert datafiles.write_report_files(tmp_path / "c", reports, cache) == 2
    for r in reports[:2]:
        assert (tmp_path / "c" / "data" / "reports" / f"{r.slug}.json").read_bytes() == export([r], "json")
        assert datafiles.read_part(cache, r, "long") == export([r], "long")


def test_data_entries_no_build_uses_are_pruned_but_recent_and_used_ones_kept(tmp_path: Path) -> None:
    from generator import datafiles

    reports = validate([ROOT / "reports"]).valid_reports()
    cache = tmp_path / "cache"
    datafiles.write_report_files(tmp_path / "a", reports, cache)
    month = time.time() - 31 * 86400
    used = cache / f"{datafiles._report_key(reports[0])}.pack"  # noqa: SLF001
    os.utime(used, (month, month))  # old, but this build's: kept
    stale, fresh = cache / f"{'a' * 64}.pack", cache / f"{'b' * 64}.pack"  # another build's, old and recent
    before_packs = [cache / f"{'c' * 64}.{fmt}" for fmt in ("csv", "json", "xlsx", "long", "xrows")]  # the layout before packs
    for path in (stale, fresh, *before_packs):
        path.write_bytes(b"x")
        path.with_name(path.name + ".sum").write_text("1 0")
    for path in (stale, *before_packs):
        os.utime(path, (month, month))
    outside = cache / "notes.txt"  # not a name nianbao gives: never deleted
    outside.write_text("mine")
    os.utime(outside, (month, month))
    datafiles.write_collections(tmp_path / "a", reports, cache_dir=cache)
    assert used.exists() and fresh.exists() and outside.exists()
    assert not stale.exists() and not stale.with_name(stale.name + ".sum").exists()
    assert not any(p.exists() or p.with_name(p.name + ".sum").exists() for p in before_packs)
    assert all((cache / f"{datafiles._report_key(r)}.pack").exists() for r in reports)  # noqa: SLF001
