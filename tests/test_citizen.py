"""What a government website and its citizens expect, in real headless Chromium.

A site built from a Git repository of the sample reports, committed on known dates, with every
footer mark set (网站标识码, ICP备案号, 公安机关备案号, the 党政机关网站 mark) and a publisher name that
would be markup if it were not escaped: the footer in its order with its links, breadcrumbs, active
tabs, the report's information box with its Git dates, the previous/next year, the print button
and the font size that persists. The repository's own site (conftest's built_site) shows the 帮助
page in the nav and keeps the editors' guide out of it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")
PUBLISHER = "示例市<b>人民政府</b>办公室 & 大数据中心"
POLICE = "示公网安备 12345678901234号"

CONFIG = f"""site_name: 示例市政府信息公开工作年度报告
docs_dir: docs
use_directory_urls: false
theme:
  name: material
  language: zh
  font: false
  features: [navigation.tabs]
plugins:
  - nianbao:
      reports_dir: reports
      pdf: false
      search: false
      progress: false
nav:
  - 首页: index.md
  - 按年度: years/index.md
  - 按机关: agencies/index.md
  - 按地区: regions/index.md
  - 帮助: help.md
extra:
  publisher: "{PUBLISHER}"
  contact: {{office: 示例市政务公开科, address: 示例市人民路1号, phone: 0000-12345678}}
  site_code: "1234000001"
  icp: 示ICP备12345678号-1
  police: {POLICE}
  gov_mark: assets/dzjg.png
  gov_mark_url: "https://bszs.conac.cn/sitename?method=show&id=TEST"
"""


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a solid-colour PNG (the test site's stand-in for the 党政机关网站 mark)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "editor@example.invalid",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "editor@example.invalid"}
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T10:00:00+08:00", "GIT_COMMITTER_DATE": f"{date}T10:00:00+08:00"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def citizen_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the test site from a Git history: the reports added 2025-02-10, one edited 2025-06-30,
    one renamed since (its first publication stays), one stating 发布日期 itself."""
    from generator.build import build_site

    base = tmp_path_factory.mktemp("citizen")
    (base / "docs" / "assets").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "help.md", base / "docs" / "help.md")
    (base / "docs" / "index.md").write_text("# 示例市政府信息公开工作年度报告\n\n<!-- nianbao:latest -->\n", encoding="utf-8")
    (base / "docs" / "assets" / "dzjg.png").write_bytes(_png(55, 65, (200, 16, 46)))
    (base / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    shutil.copytree(ROOT / "reports", base / "reports")
    moved = base / "reports" / "shili" / "shili-qu-jiaoyuju-2024.yaml"
    moved.rename(base / "reports" / "shili-qu-jiaoyuju-2024.yaml")  # committed first in reports/
    _git(base, "init", "-q")
    _git(base, "add", "-A")
    _git(base, "commit", "-qm", "首次发布", date="2025-02-10")
    edited = base / "reports" / "shili" / "shili-qu-renmin-zhengfu-2024.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _git(base, "mv", "reports/shili-qu-jiaoyuju-2024.yaml", "reports/shili/shili-qu-jiaoyuju-2024.yaml")
    _git(base, "commit", "-qam", "更正", date="2025-06-30")
    stated = base / "reports" / "shili" / "shili-qu-shili-jiedao-2024.yaml"
    stated.write_text(stated.read_text(encoding="utf-8") + "发布日期: 2025-01-20\n", encoding="utf-8")
    out = base / "site"
    cwd = Path.cwd()
    os.chdir(base)
    try:
        build_site(base / "mkdocs.yml", out)
    finally:
        os.chdir(cwd)
    return out


@pytest.fixture(scope="module")
def citizen_url(citizen_site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(citizen_site))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture()
def tab(browser: Any, citizen_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    outside: list[str] = []
    pg.on("request", lambda req: outside.append(req.url) if not req.url.startswith(citizen_url) else None)
    yield pg
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


@pytest.fixture()
def page(browser: Any, site_url: str) -> Iterator[Any]:
    """A page of the repository's own site (conftest's built_site)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _shot(pg: Any, name: str, locator: str | None = None) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        target = pg.locator(locator) if locator else pg
        kwargs = {} if locator else {"full_page": True}
        target.screenshot(path=str(Path(SHOTS) / f"{name}.png"), **kwargs)


# -- the footer ------------------------------------------------------------------------------------


def test_footer_shows_every_mark_in_order_escaped_and_linked(tab: Any, citizen_url: str) -> None:
    tab.goto(citizen_url + "reports/shili-qu-renmin-zhengfu-2024.html")
    footer = tab.locator("footer.nb-footer")
    lines = footer.locator(".nb-footer__text > p").all_inner_texts()
    assert lines[0] == f"主办：{PUBLISHER}"  # escaped: the tags are text, not markup
    assert footer.locator(".nb-footer__publisher b").count() == 0
    assert "联系：示例市政务公开科" in lines[1] and "电话：0000-12345678" in lines[1]
    ids = footer.locator(".nb-footer__ids > span").all_inner_texts()
    assert ids == ["网站标识码：1234000001", "示ICP备12345678号-1", POLICE]
    assert footer.locator(".nb-footer__icp a").get_attribute("href") == "https://beian.miit.gov.cn/"
    police = footer.locator(".nb-footer__police a").get_attribute("href")
    assert police == "https://beian.mps.gov.cn/#/query/webSearch?code=12345678901234"
    mark = footer.locator(".nb-footer__mark img")
    assert mark.get_attribute("alt") == "党政机关网站标识"
    assert mark.evaluate("img => img.complete && img.naturalWidth") == 55  # the local image, loaded
    assert footer.locator(".nb-footer__mark a").get_attribute("href") == "https://bszs.conac.cn/sitename?method=show&id=TEST"
    mark_box, text_box = mark.bounding_box(), footer.locator(".nb-footer__text").bounding_box()
    assert mark_box["x"] + mark_box["width"] <= text_box["x"]  # the mark beside the text, on its left
    _shot(tab, "footer-all-marks", "footer.nb-footer")


def test_footer_without_marks_shows_none_of_their_lines(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    footer = page.locator("footer.nb-footer")
    assert footer.locator(".nb-footer__mark").count() == 0  # the repository's site sets no mark
    assert footer.locator(".nb-footer__ids > span").all_inner_texts() == [
        "网站标识码：0000000000", "示ICP备00000000号", "示公网安备00000000000000号",
    ]


def test_help_in_the_nav_and_the_guide_out_of_it(page: Any, site_url: str, built_site: Path) -> None:
    page.goto(site_url + "index.html")
    tabs = [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()]
    assert "帮助" in tabs and "使用说明" not in tabs
    assert (built_site / "guide" / "index.html").is_file()  # still published, for those who look for it
    page.locator(".md-tabs__link", has_text="帮助").click()
    assert page.locator("h1").inner_text() == "帮助"
    assert page.locator("h2").all_inner_texts() == ["找到一份报告", "读报告中的表格", "下载、打印和调整字号", "联系我们"]


# -- navigation ------------------------------------------------------------------------------------

REPORT = "reports/shili-qu-renmin-zhengfu-2023.html"


def _crumbs(pg: Any) -> list[str]:
    return [str(t) for t in pg.locator("nav.nb-crumbs li").all_inner_texts()]


def test_breadcrumbs_on_every_kind_of_page_and_their_links_work(tab: Any, citizen_url: str) -> None:
    expected = {
        REPORT: ["首页", "按地区", "示例省", "示例市", "示例区", "示例区人民政府", "2023年度"],
        "agencies/shili-qu-renmin-zhengfu.html": ["首页", "按地区", "示例省", "示例市", "示例区", "示例区人民政府"],
        "years/2024.html": ["首页", "按年度", "2024年度"],
        "years/index.html": ["首页", "按年度"],
        "agencies/index.html": ["首页", "按机关"],
        "regions/index.html": ["首页", "按地区"],
        "data.html": ["首页", "开放数据"],
        "search.html": ["首页", "搜索"],
        "check.html": ["首页", "校验结果"],
    }
    for path, crumbs in expected.items():
        tab.goto(citizen_url + path)
        assert _crumbs(tab) == crumbs, path
        assert tab.locator("nav.nb-crumbs [aria-current=page]").inner_text() == crumbs[-1]
    tab.goto(citizen_url + REPORT)
    links = tab.locator("nav.nb-crumbs a")
    assert links.count() == 6
    for i in range(links.count()):
        tab.goto(citizen_url + REPORT)
        label = tab.locator("nav.nb-crumbs a").nth(i).inner_text()
        tab.locator("nav.nb-crumbs a").nth(i).click()
        assert tab.locator("h1").count() == 1, label
        if label not in ("首页", "按地区"):
            assert label in tab.locator("h1").inner_text()  # each level's own page
    tab.goto(citizen_url + "regions/index.html")
    region = tab.locator("article a", has_text="示例市").first
    region.click()
    assert _crumbs(tab) == ["首页", "按地区", "示例省", "示例市"]
    tab.locator("article a", has_text="2024").first.click()
    assert _crumbs(tab) == ["首页", "按地区", "示例省", "示例市", "2024年度汇总"]


def test_the_tab_of_a_generated_page_is_active(tab: Any, citizen_url: str) -> None:
    pages = {REPORT: "按地区", "agencies/shili-qu-renmin-zhengfu.html": "按地区", "years/2024.html": "按年度",
             "agencies/index.html": "按机关", "help.html": "帮助", "index.html": "首页"}
    for path, active in pages.items():
        tab.goto(citizen_url + path)
        assert tab.locator(".md-tabs__item--active").all_inner_texts() == [active], path
    tab.goto(citizen_url + "regions/index.html")
    tab.locator("article a", has_text="示例区").first.click()
    assert [t.strip() for t in tab.locator(".md-tabs__item--active").all_inner_texts()] == ["按地区"]


def test_report_links_its_regions_its_bundle_and_the_adjacent_years(tab: Any, citizen_url: str) -> None:
    tab.goto(citizen_url + REPORT)
    facts = tab.locator(".nb-infobox")
    assert facts.locator("a", has_text="示例市").count() == 1
    facts.locator("a", has_text="示例市").click()
    assert tab.locator("h1").inner_text().startswith("示例省 / 示例市")
    tab.goto(citizen_url + REPORT)
    nav = tab.locator("nav.nb-yearnav")
    assert nav.locator("a").all_inner_texts() == ["下一年度：2024年 ›"]
    nav.locator("a").click()
    assert tab.url.endswith("reports/shili-qu-renmin-zhengfu-2024.html")
    assert tab.locator("nav.nb-yearnav a").all_inner_texts() == ["‹ 上一年度：2023年"]
    assert tab.locator(".nb-meta .nb-downloads a").first.get_attribute("download") is None


def test_agency_page_shows_contact_and_downloads(tab: Any, citizen_url: str) -> None:
    tab.goto(citizen_url + "agencies/shili-qu-renmin-zhengfu.html")
    contact = tab.locator(".nb-contact")
    assert "示例区人民政府办公室" in contact.inner_text()
    phone = contact.locator("a[href^='tel:']")
    assert phone.get_attribute("href") == "tel:000061234501"
    items = tab.locator(".nb-agency-reports > li")
    assert items.count() == 2
    for i in range(2):
        labels = items.nth(i).locator(".nb-downloads a").all_inner_texts()
        assert labels == ["数据 CSV", "数据 XLSX", "数据 JSON"]  # no PDF in this build (pdf: false)
        href = items.nth(i).locator(".nb-downloads a").first.get_attribute("href")
        assert tab.request.get(tab.url.rsplit("/", 1)[0] + "/" + href).ok
    _shot(tab, "agency-page")


# -- the report page -------------------------------------------------------------------------------


def _facts(pg: Any) -> dict[str, str]:
    boxes = pg.locator(".nb-infobox > div")
    return {boxes.nth(i).locator("dt").inner_text(): boxes.nth(i).locator("dd").inner_text() for i in range(boxes.count())}


def test_information_box_dates_from_git_and_the_yaml_key(tab: Any, citizen_url: str) -> None:
    tab.goto(citizen_url + "reports/shili-qu-renmin-zhengfu-2023.html")
    facts = _facts(tab)
    assert list(facts)[:5] == ["发布机构", "地区", "机关类别", "报告年度", "报告日期"]
    assert facts["发布机构"] == "示例区人民政府" and facts["发布日期"] == "2025年2月10日"
    assert "更新日期" not in facts  # never changed since
    tab.goto(citizen_url + "reports/shili-qu-renmin-zhengfu-2024.html")
    facts = _facts(tab)
    assert facts["发布日期"] == "2025年2月10日" and facts["更新日期"] == "2025年6月30日"
    tab.goto(citizen_url + "reports/shili-qu-jiaoyuju-2024.html")  # renamed on 2025-06-30
    assert _facts(tab)["发布日期"] == "2025年2月10日"
    tab.goto(citizen_url + "reports/shili-qu-shili-jiedao-2024.html")  # states 发布日期, not committed since
    facts = _facts(tab)
    assert facts["发布日期"] == "2025年1月20日" and facts["更新日期"] == "2025年2月10日"
    title = tab.locator("article h1")
    style = title.evaluate("h => [getComputedStyle(h).textAlign, getComputedStyle(h).fontWeight]")
    assert style == ["center", "700"]
    align = tab.locator("table.nb-table td.nb-num").first.evaluate("td => getComputedStyle(td).textAlign")
    assert align == "center"
    _shot(tab, "report-page")


def test_print_button_prints_and_print_hides_the_tools(tab: Any, citizen_url: str) -> None:
    tab.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    tab.goto(citizen_url + REPORT)
    button = tab.get_by_role("button", name="打印本页")
    assert button.is_visible()
    button.click()
    assert tab.evaluate("window.__printed") == 1
    tab.emulate_media(media="print")
    assert not tab.locator("nav.nb-crumbs").is_visible() and not tab.locator(".nb-fontsize").is_visible()
    assert tab.locator("table.nb-table").first.is_visible()


def test_font_size_persists_across_pages_and_visits(browser: Any, citizen_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(citizen_url + REPORT)

    def size() -> float:
        return float(pg.locator("article.md-typeset").evaluate("a => parseFloat(getComputedStyle(a).fontSize)"))

    normal = size()
    pg.get_by_role("button", name="大", exact=True).click()
    large = size()
    assert large > normal * 1.1
    assert pg.get_by_role("button", name="大", exact=True).get_attribute("aria-pressed") == "true"
    pg.goto(citizen_url + "years/2024.html")  # another page: the size holds, applied before drawing
    assert pg.evaluate("document.documentElement.getAttribute('data-nb-font')") == "large"
    assert size() == large
    pg.get_by_role("button", name="特大").click()
    assert size() > large
    pg.close()
    pg = context.new_page()  # a later visit
    pg.goto(citizen_url + "index.html")
    assert pg.evaluate("localStorage.getItem('nianbao-font')") == "larger"
    assert pg.evaluate("document.documentElement.getAttribute('data-nb-font')") == "larger"
    pg.get_by_role("button", name="标准").click()
    assert size() == normal and pg.evaluate("localStorage.getItem('nianbao-font')") is None
    context.close()


def test_without_scripts_no_dead_buttons_and_the_page_reads(browser: Any, citizen_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(citizen_url + REPORT)
    assert pg.locator(".nb-fontsize").count() == 1 and not pg.locator(".nb-fontsize").is_visible()
    assert not pg.get_by_role("button", name="打印本页").is_visible()
    assert pg.locator("nav.nb-crumbs a").count() == 6 and pg.locator("table.nb-table").count() == 3
    assert pg.locator("article h1").is_visible()
    context.close()


# -- addresses -------------------------------------------------------------------------------------


def test_region_addresses_are_readable_and_the_old_ones_lead_to_them(tab: Any, citizen_url: str, citizen_site: Path) -> None:
    from generator.aggregate import region_id

    region = ("示例省", "示例市", "示例区")
    assert (citizen_site / "regions" / "示例省" / "示例市" / "示例区.html").is_file()
    assert (citizen_site / "regions" / "示例省" / "示例市" / "示例区" / "2024.html").is_file()
    tab.goto(citizen_url + REPORT)
    tab.locator(".nb-infobox").get_by_role("link", name="示例区", exact=True).click()
    assert tab.url == citizen_url + "regions/%E7%A4%BA%E4%BE%8B%E7%9C%81/%E7%A4%BA%E4%BE%8B%E5%B8%82/%E7%A4%BA%E4%BE%8B%E5%8C%BA.html"
    for old, new in [(f"regions/{region_id(region)}.html", "示例区.html"),
                     (f"regions/{region_id(region)}-2024.html", "示例区/2024.html")]:
        tab.goto(citizen_url + old)
        tab.wait_for_url(lambda url, new=new: url.endswith(quote(new)))
        assert tab.locator("nav.nb-crumbs").count() == 1, old
    # the report PDFs and their links: named by the report id, opened in the browser (no download attribute)
    tab.goto(citizen_url + "years/2024.html")
    assert tab.locator("a[download]").count() == 0


def test_unreadable_region_names_keep_a_safe_hashed_address() -> None:
    from generator import addresses
    from generator.render import Urls, current, use

    assert addresses.region_uri(("湖北省", "武汉市")) == "regions/湖北省/武汉市.md"
    for hostile in [("湖北省", "<script>"), ("a?b",), ("#x",), ("2024",), ("index",), ("示例'区",), ("_x",)]:
        assert addresses.region_uri(hostile).startswith("regions/r") and "/" not in addresses.region_uri(hostile)[8:]
    use(current(), Urls(directory=True))
    try:
        path, html = addresses.redirect("regions/rabc.md", "regions/湖北省/武汉市.md", "武汉市 <汇总>")
    finally:
        use(current(), Urls(directory=False))
    assert path == "regions/rabc/index.html"  # where the old address's page was, under use_directory_urls
    assert 'url=../%E6%B9%96%E5%8C%97%E7%9C%81/%E6%AD%A6%E6%B1%89%E5%B8%82/"' in html and "&lt;汇总&gt;" in html
