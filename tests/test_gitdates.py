"""发布日期 and 更新日期 from Git: one ``git log`` for every file, renames followed, never an error."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from generator import gitdates, pages, sitepages
from generator.gitdates import FileDates, parse_log
from generator.validate import validate

D = datetime.date


def _git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "e@example.invalid",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.invalid"}
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T23:30:00+08:00", "GIT_COMMITTER_DATE": f"{date}T23:30:00+08:00"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_parse_log_follows_renames_and_ends_at_a_deletion() -> None:
    log = "\n".join([
        "\0" + "2025-06-30", "", "R100\treports/old/a-2024.yaml\treports/a-2024.yaml", "M\treports/b-2024.yaml",
        "\0" + "2025-03-01", "", "A\treports/c-2024.yaml", "D\treports/c-2024.yaml",
        "\0" + "2025-02-10", "", "A\treports/old/a-2024.yaml", "A\treports/b-2024.yaml",
        "\0" + "2024-01-05", "", "A\treports/c-2024.yaml",
    ])
    dates = parse_log(log, Path("/repo"))
    assert dates[Path("/repo/reports/a-2024.yaml")] == FileDates(D(2025, 2, 10), D(2025, 6, 30))
    assert dates[Path("/repo/reports/b-2024.yaml")] == FileDates(D(2025, 2, 10), D(2025, 6, 30))
    # c was deleted, then added again: its history starts at the new file, not the old one of that name
    assert dates[Path("/repo/reports/c-2024.yaml")] == FileDates(D(2025, 3, 1), D(2025, 3, 1))
    assert Path("/repo/reports/old/a-2024.yaml") not in dates


def test_one_git_call_for_all_files_cached_for_the_same_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "reports"
    (reports / "sub").mkdir(parents=True)
    (reports / "a.yaml").write_text("a\n", encoding="utf-8")
    (reports / "sub" / "b.yaml").write_text("b\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "一", date="2025-02-10")  # 23:30 +08:00: the author's day, not UTC's
    (reports / "sub" / "b.yaml").write_text("b2\n", encoding="utf-8")
    _git(tmp_path, "commit", "-qam", "二", date="2025-04-01")
    calls: list[tuple[str, ...]] = []
    real = gitdates._git  # noqa: SLF001

    def counting(cwd: Path, *args: str) -> str | None:
        calls.append(args)
        return real(cwd, *args)

    monkeypatch.setattr(gitdates, "_git", counting)
    gitdates._cache.clear()  # noqa: SLF001
    dates = gitdates.file_dates(reports)
    assert dates[(reports / "a.yaml").resolve()] == FileDates(D(2025, 2, 10), D(2025, 2, 10))
    assert dates[(reports / "sub" / "b.yaml").resolve()] == FileDates(D(2025, 2, 10), D(2025, 4, 1))
    assert sum(1 for a in calls if a[0] == "log") == 1
    gitdates.file_dates(reports)
    assert sum(1 for a in calls if a[0] == "log") == 1  # the same commit: the first answer
    (reports / "c.yaml").write_text("c\n", encoding="utf-8")  # not committed: no dates, no error
    assert (reports / "c.yaml").resolve() not in gitdates.file_dates(reports)


def test_no_git_or_no_repository_means_no_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("a\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert gitdates.file_dates(tmp_path) == {}  # a folder outside any repository
    assert gitdates.file_dates(tmp_path / "missing") == {}
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert gitdates.file_dates(Path(__file__).parent) == {}  # git not installed


def test_pages_without_git_show_the_yaml_key_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole page generation with git missing: no 发布日期 but the one a file states, no crash."""
    monkeypatch.setattr("shutil.which", lambda name: None)
    gitdates._cache.clear()  # noqa: SLF001
    reports = validate([Path(__file__).resolve().parent.parent / "reports"]).valid_reports()
    reports[0].published = D(2025, 1, 20)
    site = pages.SiteIndex(reports)
    generated = {uri: sitepages.text(page) for uri, page in sitepages.generate(site, [], {}, {}, open_data=False)}
    first = generated[pages.report_uri(reports[0])]
    assert "<dt>发布日期</dt><dd>2025年1月20日</dd>" in first and "更新日期" not in first
    others = [generated[pages.report_uri(r)] for r in reports[1:]]
    assert others and not any("发布日期" in page for page in others)
