"""The theme's shared fragments (fragments.py): rendered once per folder and tab, the same pages as without."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import fragments
from generator.build import build_site

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "site_overrides"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, project / name)
    shutil.copytree(ROOT / "content", project / "content", symlinks=False)
    shutil.copytree(ROOT / "reports", project / "reports")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("pdf: true ", "pdf: false").replace("search: true ", "search: false"),
                                        encoding="utf-8")
    return project


def _build(project: Path, out: str) -> dict[str, bytes]:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        build_site(project / "mkdocs.yml", project / out)
    finally:
        os.chdir(cwd)
    return {p.relative_to(project / out).as_posix(): p.read_bytes() for p in (project / out).rglob("*.html")}


def test_pages_are_the_same_with_and_without_the_shared_fragments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    shared: list[fragments.Fragments] = []
    install = fragments.install

    def recorded(env: object, custom_dir: str | None) -> fragments.Fragments:
        shared.append(install(env, custom_dir))
        return shared[-1]

    monkeypatch.setattr(fragments, "install", recorded)
    cached = _build(project, "site-cached")
    assert shared and shared[-1].hits > 20  # reports, agencies and regions took the nav, tabs and config once per folder
    monkeypatch.setattr(fragments.Fragments, "key", lambda self, name, page, nav: None)
    fresh = _build(project, "site-fresh")
    assert cached.keys() == fresh.keys() and len(cached) > 20
    assert [name for name in cached if cached[name] != fresh[name]] == []


def test_a_page_in_the_nav_and_an_overridden_partial_render_their_own(tmp_path: Path) -> None:
    class Page:
        def __init__(self, url: str, tab: str | None = None) -> None:
            self.url, self.meta = url, {"nianbao_tab": tab} if tab else {}

    class Nav:
        def __init__(self, *pages: Page) -> None:
            self.pages = list(pages)

    years = Page("years/index.html")
    nav = Nav(years)
    shared = fragments.Fragments()
    report, other = Page("reports/a-2024.html", "regions/index.md"), Page("reports/b-2024.html", "regions/index.md")
    assert shared.key("nav", report, nav) == shared.key("nav", other, nav) == ("nav", "reports", "regions/index.md")
    assert shared.key("nav", Page("years/2024.html", "years/index.md"), nav) != shared.key("nav", report, nav)
    assert shared.key("nav", years, nav) is None and shared.key("tabs", years, nav) is None  # it is marked active
    assert shared.key("config", years, nav) == ("config", "years")  # the script depends on the folder alone
    assert shared.key("nav", Page("reports/a/", None), nav) == ("nav", "reports/a/", "")  # directory URLs

    custom = tmp_path / "overrides"
    (custom / "partials").mkdir(parents=True)
    (custom / "partials" / "nav-item.html").write_text("{{ page.title }}", encoding="utf-8")
    site = fragments.Fragments(str(custom))
    assert site.key("nav", report, nav) is None and site.key("tabs", report, nav) is not None
