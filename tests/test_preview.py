"""``nianbao serve`` as an editor uses it: break a report, see why at its own address, fix it, see it back.

A real ``nianbao serve`` runs on a copy of the project; Chromium keeps the report's page open while
the file is broken and fixed, and the page must follow by itself (MkDocs' livereload).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORT = "shili-qu-jiaoyuju-2024"
TITLE = "示例区教育局2024年政府信息公开工作年度报告"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "site_overrides", project / "site_overrides")
    shutil.copytree(ROOT / "reports" / "shili", project / "reports")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("pdf: true ", "pdf: false ").replace("search: true ", "search: false ")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url + "index.html", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nianbao serve did not start: {proc.stderr.read() if proc.stderr else ''}") from None
                time.sleep(0.5)
        yield url, project
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _h1(pg: Any) -> str:
    return str(pg.inner_text("article h1"))


def test_break_fix_reload(browser: Any, served: tuple[str, Path]) -> None:
    url, project = served
    source = project / "reports" / f"{REPORT}.yaml"
    good = source.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(url + f"reports/{REPORT}.html")
    assert _h1(pg) == TITLE
    assert pg.locator(".nb-banner").count() == 0
    pg.goto(url + "check.html")  # always there: 全部通过 while nothing is wrong
    assert "全部通过" in pg.inner_text("article")

    pg.goto(url + f"reports/{REPORT}.html")
    # Break a number: a cell of 表二 written in words.
    lines = good.splitlines()
    index = next(i for i, line in enumerate(lines) if "本年新收政府信息公开申请数量: {自然人: 38," in line)
    lines[index] = lines[index].replace("自然人: 38,", "自然人: 三十八,")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pg.wait_for_function("document.querySelector('article h1') && document.querySelector('article h1')"
                         ".innerText.includes('有错误')", timeout=60000)
    assert _h1(pg) == "本报告有错误，暂不发布"  # the same address, now in Chinese, not Material's 404
    text = pg.inner_text("article")
    assert f"reports/{REPORT}.yaml:{index + 1}:" in text
    banner = pg.inner_text(".nb-banner")
    assert "1 份报告有错误" in banner
    pg.click(".nb-banner a")
    assert pg.url.endswith("check.html")
    assert f"{REPORT}.yaml:{index + 1}" in pg.inner_text("article")
    pg.goto(url + "index.html")
    assert "1 份报告有错误" in pg.inner_text(".nb-banner")  # every page says so

    pg.goto(url + f"reports/{REPORT}.html")
    source.write_text(good, encoding="utf-8")  # fixed: the open page comes back by itself
    pg.wait_for_function(f"document.querySelector('article h1') && document.querySelector('article h1').innerText === '{TITLE}'",
                         timeout=60000)
    assert pg.locator(".nb-banner").count() == 0
    pg.goto(url + "check.html")
    assert "全部通过" in pg.inner_text("article")
    context.close()
