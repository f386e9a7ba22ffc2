"""The page templates: escaping, overrides from a site's custom_dir, and their documentation.

tests/fixtures/custom-site/ is a webmaster's site restyled without touching Python: its own header
and footer (main.html over nianbao/base.html), its report page (one block of report.md replaced) and
its agency list (agencies.md replaced whole).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hostile import MARKER, dump, hostile_report

from generator import pages, render
from generator.build import build_site
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "custom-site"
TEMPLATES = ROOT / "generator" / "templates"
DOCS = ROOT / "content" / "guide" / "templates.md"


def _build(project: Path) -> Path:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        build_site(project / "mkdocs.yml", project / "site")
    finally:
        os.chdir(cwd)
    return project / "site"


@pytest.fixture(scope="module")
def custom_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("custom") / "site-project"
    shutil.copytree(FIXTURE, project)
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(config.replace("../../../reports", str(ROOT / "reports")), encoding="utf-8")
    return _build(project)


def test_a_site_replaces_one_block_of_the_report_page(custom_site: Path) -> None:
    page = (custom_site / "reports" / "shili-qu-jiaoyuju-2024.html").read_text(encoding="utf-8")
    assert '<p class="county-facts">示例区教育局 · 示例省 / 示例市 / 示例区 · 2024年度 · ' in page
    assert '<a href="../agencies/shili-qu-jiaoyuju.html">本机关历年报告</a>' in page
    assert "nb-facts" not in page  # the package's facts block is gone ...
    assert "<caption id=\"t2-caption\">表二" in page and "nb-signature" in page  # ... the rest is the package's


def test_a_site_replaces_a_whole_page_template(custom_site: Path) -> None:
    page = (custom_site / "agencies" / "index.html").read_text(encoding="utf-8")
    assert "县直机关和乡镇" in page and "按机关浏览" not in page.split("<article")[1]
    assert page.count('href="shili-qu-') >= 4 and "<h2" not in page.split("<article")[1].split("</article>")[0]


def test_the_sites_header_and_footer_frame_every_page(custom_site: Path, browser: Any) -> None:
    for path in ("index.html", "reports/shili-qu-jiaoyuju-2024.html", "years/2024.html", "search.html"):
        page = (custom_site / path).read_text(encoding="utf-8")
        assert '<div class="county-banner">示例县人民政府门户网站</div>' in page, path
        assert "网站标识码：1234567890" in page and "nb-footer" not in page, path
        assert "assets/county.css" in page and "assets/nianbao.css" in page, path
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto((custom_site / "reports" / "shili-qu-jiaoyuju-2024.html").as_uri())
    assert pg.evaluate("getComputedStyle(document.querySelector('.county-banner')).backgroundColor") == "rgb(0, 61, 122)"
    assert pg.inner_text(".county-footer").startswith("主办：示例县人民政府办公室")
    assert pg.inner_text("article h1") == "示例区教育局2024年政府信息公开工作年度报告"
    pg.close()


def test_the_repositorys_own_site_shows_the_worked_example(built_site: Path) -> None:
    page = (built_site / "reports" / "shili-qu-jiaoyuju-2024.html").read_text(encoding="utf-8")
    assert '<a class="site-topbar__portal" href="https://www.example.gov.cn/">示例市人民政府</a>' in page
    assert "网站标识码：0000000000" in page and "主办：示例市人民政府办公室" in page


def test_overridden_templates_key_the_page_cache(tmp_path: Path) -> None:
    plain = render.Templates()
    site_dir = tmp_path / "nianbao"
    site_dir.mkdir()
    (site_dir / "report-body.md").write_text('{% extends "package/report-body.md" %}{% block signature %}签{% endblock %}',
                                             encoding="utf-8")
    custom = render.Templates([site_dir])
    assert custom.fingerprint != plain.fingerprint
    (site_dir / "report-body.md").write_text('{% extends "package/report-body.md" %}{% block signature %}署{% endblock %}',
                                             encoding="utf-8")
    assert render.Templates([site_dir]).fingerprint != custom.fingerprint


def test_templates_escape_what_they_print(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    data = hostile_report("esc", "转义", ["<script>alert('nbxss')</script>", "\"><img src=x onerror=alert('nbxss')>"], "省/市")
    (tmp_path / "reports" / "esc-2024.yaml").write_text(dump(data), encoding="utf-8")
    report = validate([tmp_path / "reports"]).valid_reports()[0]
    site = pages.SiteIndex([report])
    source = pages.report_page(report, site)
    front, html = source.split("\n---\n", 1)  # the front matter holds the title as YAML data (escaped in the plugin)
    assert "<script>alert('nbxss')</script>" in front
    assert "<script>" not in html and "<img" not in html and MARKER in html
    assert "&lt;script&gt;alert(&#39;nbxss&#39;)&lt;/script&gt;" in html  # the facts: escaped by Jinja2
    assert "# 转义 &#60;script&#62;alert&#40;" in html  # the heading: every character literal in Markdown


def _blocks(path: Path) -> list[str]:
    return re.findall(r"\{%-?\s*block\s+(\w+)", path.read_text(encoding="utf-8"))


def test_every_template_and_block_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    names = sorted(p.name for p in TEMPLATES.iterdir() if p.is_file())
    assert len(names) >= 15
    for name in names:
        assert f"`{name}`" in docs, f"{name} is not documented in {DOCS.name}"
        for block in _blocks(TEMPLATES / name):
            if block != "body" or name == "page.md":
                assert f"`{block}`" in docs, f"block {block} of {name} is not documented"
    theme = ROOT / "generator" / "theme"
    for path in [p for p in theme.rglob("*.html")]:
        assert f"`{path.relative_to(theme).as_posix()}`" in docs, f"theme template {path.name} is not documented"


def test_every_template_compiles() -> None:
    env = render.Templates().env
    for path in sorted(TEMPLATES.iterdir()):
        env.get_template(path.name)  # a syntax error raises here, not in the one site that uses the page


def test_a_folder_with_only_reports_gets_a_home_page(tmp_path: Path) -> None:
    project = tmp_path / "new"
    (project / "docs").mkdir(parents=True)
    shutil.copytree(ROOT / "reports", project / "reports")
    (project / "mkdocs.yml").write_text("site_name: 新网站\ntheme: material\nplugins:\n  - nianbao:\n      pdf: false\n"
                                        "      search: false\n      progress: false\n", encoding="utf-8")
    site = _build(project)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1" in home and "新网站" in home
    assert 'href="reports/shili-qu-jiaoyuju-2024/"' in home  # the latest year's reports (directory URLs)
    assert 'href="years/2020/"' in home and "2024年度报告" in home
    assert all(f'href="{p}/"' in home for p in ("years", "agencies", "regions", "search"))  # no nav lists them


def test_compiled_templates_in_a_folder_that_is_gone_only_cost_compiling(tmp_path: Path) -> None:
    """A build's cache of compiled templates outlives its folder in the process (render.use): rendering goes on."""
    from generator import render

    def home(templates: render.Templates) -> str:
        return templates.render("home.md", href=lambda target, markdown=False: target, meta={}, crumbs=[], tab=None,
                                title="网站", kind="home", site_name="网站")

    folder = tmp_path / "jinja"
    folder.mkdir()
    first = home(render.Templates((), render.CompiledTemplates(str(folder))))
    assert "网站" in first and list(folder.iterdir())  # compiled and kept
    assert home(render.Templates((), render.CompiledTemplates(str(folder)))) == first  # loaded from the folder
    shutil.rmtree(folder)
    assert home(render.Templates((), render.CompiledTemplates(str(folder)))) == first
