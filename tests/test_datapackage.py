"""The published open data, from outside the checkout: a Frictionless data package that validates,
a data page that states sizes, date and licence, and a build that names the fonts it lacks."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from generator.export import SEP
from generator.pdf import find_fonts

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
EPOCH = 1735732800  # 2025-01-01 12:00 UTC: 2025年1月1日 in Beijing


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    project.mkdir()
    for name in ("content", "reports", "site_overrides"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("search: true", "search: false")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


def _build(project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode on, as on users' machines
    env["SOURCE_DATE_EPOCH"] = str(EPOCH)
    return subprocess.run(
        [str(BIN / "nianbao"), "build", "-d", str(out)], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = _project(tmp_path_factory.mktemp("data"))
    done = _build(project, project / "site")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return project / "site", done.stdout + done.stderr


def _validate(package: Path) -> dict[str, object]:
    done = subprocess.run(
        [str(BIN / "frictionless"), "validate", "--json", str(package.name)],
        cwd=package.parent, capture_output=True, text=True, timeout=600,
    )
    report: dict[str, object] = json.loads(done.stdout)
    assert (done.returncode == 0) == bool(report["valid"]), done.stderr
    return report


def test_frictionless_validates_the_published_package(built: tuple[Path, str]) -> None:
    site, _ = built
    report = _validate(site / "data" / "datapackage.json")
    tasks = report["tasks"]
    assert isinstance(tasks, list)
    assert report["valid"] is True, json.dumps([t["errors"] for t in tasks], ensure_ascii=False)[:3000]
    names = {t["name"] for t in tasks}
    assert {"nianbao-long", "nianbao-all-2021", "nianbao-all-2019", "nianbao-2024", "nianbao-columns"} <= names
    assert all(t["stats"]["rows"] > 0 for t in tasks)  # every table was read, not skipped


def test_the_package_states_licence_sources_and_schemas(built: tuple[Path, str]) -> None:
    package = json.loads((built[0] / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "知识共享署名 4.0 国际许可协议（CC BY 4.0）"}
    ]
    assert package["sources"] and package["sources"][0]["title"].startswith("各机关发布的政府信息公开工作年度报告")
    assert package["created"] == "2025-01-01T12:00:00Z"  # SOURCE_DATE_EPOCH, not the clock
    wide = {r["name"]: r for r in package["resources"] if r["name"].startswith("nianbao-all-")}
    assert wide["nianbao-all-2021"]["schema"] == "schema-2021.json" and wide["nianbao-all-2019"]["schema"] == "schema-2019.json"
    schema = json.loads((built[0] / "data" / "schema-2019.json").read_text(encoding="utf-8"))
    signed = [f for f in schema["fields"] if "本年增/减" in f["name"]]
    assert signed and all(f["type"] == "integer" and "minimum" not in f["constraints"] for f in signed)  # may be negative
    assert all(f["name"].split(SEP)[-1] == "本年增/减" for f in signed)  # the label whole, not cut at its "/"


def test_a_tampered_file_fails_validation(built: tuple[Path, str], tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(built[0] / "data", copy, ignore=shutil.ignore_patterns("reports"))
    path = copy / "nianbao-all-2021.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[1][rows[0].index(f"表三{SEP}行政复议{SEP}总计")] = "-3"  # a count below zero
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    report = _validate(copy / "datapackage.json")
    assert report["valid"] is False
    types = {e["type"] for t in report["tasks"] for e in t["errors"]}  # type: ignore[union-attr, index, attr-defined]
    assert "constraint-error" in types and ("hash-count" in types or "byte-count" in types)


def test_data_page_states_sizes_date_and_licence_and_links_the_dictionary(built: tuple[Path, str]) -> None:
    site, _ = built
    html = (site / "data.html").read_text(encoding="utf-8")
    assert "SIZE[" not in html
    rows = re.findall(r'<a href="data/([^"]+)" download>[^<]+</a></td><td>\w+</td><td class="nb-num">([^<]+)</td>', html)
    assert len(rows) >= 12
    for name, size in rows:
        actual = (site / "data" / name).stat().st_size
        number, unit = size.split()
        assert unit in ("B", "KB", "MB"), size
        scale = {"B": 1, "KB": 1024, "MB": 1024 * 1024}[unit]
        assert abs(float(number) * scale - actual) <= max(scale, actual * 0.05), (name, size, actual)
    assert "知识共享署名 4.0 国际许可协议（CC BY 4.0）" in html and "2025年1月1日" in html
    assert 'href="data/nianbao-columns.csv"' in html and 'href="data/datapackage.json"' in html
    assert html.count("<tr>") < 80  # the dictionary of 400 columns is a download, not inline


def test_site_xlsx_carries_publisher_and_licence(built: tuple[Path, str]) -> None:
    props = openpyxl.load_workbook(io.BytesIO((built[0] / "data" / "nianbao-2024.xlsx").read_bytes())).properties
    assert props.creator == "示例市人民政府办公室" and props.title and "2024年度" in props.title
    assert props.description and "CC BY 4.0" in props.description
    assert props.created is not None and props.created.isoformat().startswith("2025-01-01T12:00")


def test_build_names_the_missing_fonts_and_their_fallback(built: tuple[Path, str]) -> None:
    expected = find_fonts().fallback_warning()
    if expected:  # this machine lacks some of 小标宋/仿宋/黑体/楷体 (Debian has none of them)
        assert expected in built[1]
        assert re.search(r"正文应使用仿宋，未找到，改用 \S+", built[1])
    else:
        assert "PDF 字体不全" not in built[1]


def test_an_unknown_licence_without_its_text_stops_the_build(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("pdf: true", "pdf: false\n      data_license: 本单位协议"), encoding="utf-8")
    done = _build(project, project / "site")
    assert done.returncode != 0 and "data_license_url" in done.stdout + done.stderr
    assert not (project / "site").exists()
    text = config.read_text(encoding="utf-8").replace("data_license: 本单位协议", "data_license: 本单位协议\n      data_license_url: https://example.gov.cn/license")
    config.write_text(text, encoding="utf-8")
    done = _build(project, project / "site")
    assert done.returncode == 0, done.stderr[-2000:]
    package = json.loads((project / "site" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "本单位协议", "path": "https://example.gov.cn/license", "title": "本单位协议"}]
