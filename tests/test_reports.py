"""Every report in reports/ is valid, and the published schema accepts it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.schema import json_schema_text
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.yaml"))
SCHEMA_FILE = ROOT / "content" / "schema" / "report.schema.json"


def test_reports_exist() -> None:
    names = {p.name for p in REPORTS}
    assert "qiaokou-rongmeiti-2024.yaml" in names
    assert len(REPORTS) >= 4


def test_every_report_passes_check_without_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = validate([Path("reports")])
    assert [f.flat() for f in result.findings] == []
    assert len(result.reports) == len(REPORTS)
    kinds = {r.kind for r in result.reports}
    assert {"人民政府", "部门", "乡镇街道"} <= kinds
    assert {r.format_id for r in result.reports} == {2019, 2021}


def test_one_agency_has_consecutive_years() -> None:
    result = validate([ROOT / "reports"])
    years: dict[str, set[int]] = {}
    for r in result.reports:
        years.setdefault(r.agency_id, set()).add(r.year)
    assert any(any(y - 1 in ys for y in ys) for ys in years.values())


def test_example_tables_are_not_all_zero() -> None:
    result = validate([ROOT / "reports" / "shili"])
    for report in result.reports:
        assert any(c.value for k, c in report.cells.items() if k[0] == "表二"), report.source


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "content/schema/report.schema.json is stale: run ./dev schema -o content/schema/report.schema.json"
    )


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_schema_accepts_every_report(path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(_plain(yaml.safe_load(path.read_text(encoding="utf-8"))), schema)


def test_schema_rejects_a_negative_count() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    data = _plain(yaml.safe_load((ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    data["表二"]["一、本年新收政府信息公开申请数量"]["自然人"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_report_files_start_with_the_schema_header() -> None:
    for path in REPORTS:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target == SCHEMA_FILE, path
