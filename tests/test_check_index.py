"""``nianbao check`` of unchanged files answers from one index file, with the findings of a first check.

The check index (validate.CheckIndex) keeps each file's light result keyed by its bytes, its name and
the code; these tests compare its answers with a check that reads every file, on every rule's fixture,
and show that an edit, a broken index or other code is checked again. The synthetic corpus of the
benchmark (bench/synth.py) must pass the check without a single finding.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator import validate as v
from generator.findings import Finding
from generator.model import Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"


def _all(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return [(f.file, f.line, f.column, f.rule, f.severity.value, f.message, f.related) for f in findings]


def _light(reports: list[Report]) -> list[tuple[Any, ...]]:
    return sorted((r.source, r.path, r.format_id, r.agency_id, r.year, r.errors, r.digest, r.lines, r.cells, r.numbers())
                  for r in reports)


def _forbid_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was checked again: the index should have answered")

    monkeypatch.setattr(v, "_check", refuse)


@pytest.mark.parametrize("rule", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_warm_check_gives_the_findings_and_reports_of_a_check_that_reads_every_file(
    rule: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "reports", tmp_path / "reports", symlinks=True)
    shutil.copytree(FIXTURES / rule, tmp_path / "reports" / "fixture", symlinks=True)
    monkeypatch.chdir(tmp_path)
    reports, cache = [Path("reports")], tmp_path / "cache"
    read = v.validate(reports, jobs=1, light=True)
    assert any(f.rule == rule for f in read.findings), rule
    filled = v.validate(reports, jobs=1, cache_dir=cache, light=True)
    assert list(cache.glob("check-index-*.pickle")), "no index written"
    _forbid_checking(monkeypatch)
    warm = v.validate(reports, jobs=1, cache_dir=cache, light=True)
    assert _all(warm.findings) == _all(filled.findings) == _all(read.findings)
    assert _light(warm.reports) == _light(filled.reports) == _light(read.reports)
    assert warm.ok == read.ok


def test_an_edited_file_is_checked_again_and_only_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "reports", tmp_path / "reports")
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    assert v.validate([Path("reports")], jobs=1, cache_dir=cache, light=True).findings == []
    target = Path("reports/shili/shili-qu-jiaoyuju-2024.yaml")
    text = target.read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("（一）予以公开:"))
    target.write_text(text.replace("（一）予以公开: {自然人: 14,", "（一）予以公开: {自然人: 15,", 1), encoding="utf-8")
    checked: list[str] = []
    real_check = v._check

    def counting(path: Path, display: str, data: bytes | None = None) -> tuple[Report, list[Finding]]:
        checked.append(display)
        return real_check(path, display, data)

    monkeypatch.setattr(v, "_check", counting)
    again = v.validate([Path("reports")], jobs=1, cache_dir=cache, light=True)
    assert checked == [target.as_posix()]
    assert (target.as_posix(), line, "R2") in [(f.file, f.line, f.rule) for f in again.findings]  # its 总计 no longer adds up
    assert _all(again.findings) == _all(v.validate([Path("reports")], jobs=1, light=True).findings)


def test_a_broken_or_foreign_index_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES / "R1", tmp_path / "reports")
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    first = v.validate([Path("reports")], jobs=1, cache_dir=cache, light=True)
    (index,) = cache.glob("check-index-*.pickle")
    for broken in (b"", b"not a pickle", index.read_bytes()[: index.stat().st_size // 2], b"\x80\x05N."):
        index.write_bytes(broken)
        assert _all(v.validate([Path("reports")], jobs=1, cache_dir=cache, light=True).findings) == _all(first.findings)
    monkeypatch.setattr(v, "code_fingerprint", lambda: "other code")  # other code: another index, checked again
    assert _all(v.validate([Path("reports")], jobs=1, cache_dir=cache, light=True).findings) == _all(first.findings)
    assert len(list(cache.glob("check-index-*.pickle"))) == 2


def test_display_path_is_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x-2024.yaml").write_text("")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "a" / "link-2024.yaml").symlink_to(tmp_path / "elsewhere" / "y-2024.yaml")
    monkeypatch.chdir(tmp_path / "a")
    assert v.display_path(Path("b/x-2024.yaml")) == "b/x-2024.yaml"
    assert v.display_path(Path("b/../b/x-2024.yaml")) == "b/x-2024.yaml"
    assert v.display_path(tmp_path / "a" / "b" / "x-2024.yaml") == "b/x-2024.yaml"
    assert v.display_path(Path("link-2024.yaml")) == "link-2024.yaml"  # outside: as given
    assert v.display_path(Path("b")) == "b"
    assert v.display_path(Path(".")) == "."
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert v.display_path(Path("x-2024.yaml")) == "x-2024.yaml"
    assert v.display_path(Path("../b/x-2024.yaml")) == "x-2024.yaml"


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("small", [False, True])
def test_the_benchmark_corpus_passes_check_without_findings(small: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synth = _synth()
    paths = synth.generate(240, tmp_path / "reports", 3, small=small)
    assert len(paths) == 240
    monkeypatch.chdir(tmp_path)
    result = v.validate([Path("reports")])
    assert [f.flat() for f in result.findings] == []
    assert len(result.reports) == 240
    if not small:
        sizes = sorted(p.stat().st_size for p in paths)
        assert 7_000 <= sizes[0] and sizes[-1] <= synth.MAX_BYTES and 8_500 <= sizes[len(sizes) // 2] <= 11_500


def test_the_big_agencies_of_cities_balance_with_thousands_of_applications(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synth = _synth()
    monkeypatch.setattr(synth, "CITY_SHARE", 1.0)  # every region a city, with its 公安局 and 自然资源和规划局
    synth.generate(120, tmp_path / "reports", 5)
    monkeypatch.chdir(tmp_path)
    result = v.validate([Path("reports")])
    assert [f.flat() for f in result.findings] == []
    new = [r.number("表二", "一、本年新收政府信息公开申请数量", "总计") or 0 for r in result.reports]
    assert max(new) >= 1000, max(new)


def test_the_benchmark_edit_changes_prose_and_a_number_and_keeps_the_report_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    _synth().generate(80, tmp_path / "reports", 2)
    monkeypatch.chdir(tmp_path)
    before = {r.source: r for r in v.validate([Path("reports")]).reports}
    edited = run.edit_one_report(tmp_path).relative_to(tmp_path).as_posix()
    result = v.validate([Path("reports")])
    assert [f.flat() for f in result.findings] == []
    after = {r.source: r for r in result.reports}[edited]
    changed = {k for k, n in after.numbers().items() if before[edited].numbers()[k] != n}
    assert {k[1:] for k in changed} == {
        ("三、本年度办理结果", "（一）予以公开", "自然人"), ("三、本年度办理结果", "（一）予以公开", "总计"),
        ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "自然人"),
        ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计"),
    }
    assert after.sections["六、其他需要报告的事项"] != before[edited].sections["六、其他需要报告的事项"]


def test_the_index_forgets_files_of_other_folders_beyond_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "reports", tmp_path / "a")
    shutil.copytree(ROOT / "reports", tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    v.validate([Path("a")], jobs=1, cache_dir=cache, light=True)
    v.validate([Path("b")], jobs=1, cache_dir=cache, light=True)
    code = v.code_fingerprint() + f"PyYAML {v.yaml.__version__}"
    assert len(v.CheckIndex(cache, code).entries) == 12  # both folders, within the limit
    monkeypatch.setattr(v, "MAX_UNSEEN", 3)
    v.validate([Path("b")], jobs=1, cache_dir=cache, light=True)
    assert sorted(v.CheckIndex(cache, code).entries) == sorted(p.as_posix() for p in Path("b").rglob("*.yaml"))


def test_a_build_reads_cached_whole_reports_itself_and_checks_only_the_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's validation (whole reports, with a cache) answers cached files in this process.

    Sending them through worker processes only to unpickle and pickle them again cost twice the time
    of reading them here; what it returns must be what a check of every file returns.
    """
    shutil.copytree(ROOT / "reports", tmp_path / "reports", symlinks=True)
    shutil.copytree(FIXTURES / "R1", tmp_path / "reports" / "fixture", symlinks=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(v, "PARALLEL_FROM", 2)  # the probed path, with the few files of reports/
    reports, cache = [Path("reports")], tmp_path / "cache"
    v.validate(reports, jobs=1, cache_dir=cache)
    edited = sorted(Path("reports").glob("*.yaml"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("\n", "\n# 编辑\n", 1), encoding="utf-8")
    checked: list[str] = []
    real_check = v._check  # noqa: SLF001

    def counting(path: Path, display: str, data: bytes | None = None) -> tuple[Report, list[Finding]]:
        checked.append(display)
        return real_check(path, display, data)

    monkeypatch.setattr(v, "_check", counting)
    warm = v.validate(reports, jobs=2, cache_dir=cache)  # one file to check: no worker processes either
    assert checked == [v.display_path(edited)]
    again = v.validate(reports, jobs=1)
    assert _all(warm.findings) == _all(again.findings)
    whole = [(r.source, r.digest, r.cells, r.lines, r.errors) for r in warm.reports]
    assert whole == [(r.source, r.digest, r.cells, r.lines, r.errors) for r in again.reports]
