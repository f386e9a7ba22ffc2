"""The product as a user gets it: the wheel installed in a clean venv, a new site from ``nianbao init``.

Nothing here runs from the checkout: the wheel is built from it, installed with its dependencies
into a new virtualenv, and used in a folder outside the repository with Python writing bytecode,
as it does on users' machines. The site it builds is opened in Chromium.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["NIANBAO_CACHE_DIR"] = env.get("NIANBAO_TEST_CACHE", "")  # unset: the per-user default
    if not env["NIANBAO_CACHE_DIR"]:
        del env["NIANBAO_CACHE_DIR"]
    return env


def _run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)], cwd=out)
    (built,) = out.glob("nianbao-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the wheel and its runtime dependencies, nothing of the checkout."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", str(where)], cwd=where.parent)
    _run([str(where / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=where.parent)
    return where


@pytest.fixture(scope="module")
def new_site(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``nianbao init`` then ``nianbao build`` in a folder that is not the repository."""
    work = tmp_path_factory.mktemp("work")
    nianbao = str(venv / "bin" / "nianbao")
    init = _run([nianbao, "init", "示例站", "--publisher", "示例市人民政府办公室"], cwd=work)
    assert "已写入" in init.stdout
    site = work / "示例站"
    _run([nianbao, "check"], cwd=site)
    build = _run([nianbao, "build"], cwd=site)
    assert "网站已生成" in build.stdout
    return site


def test_the_wheel_carries_what_a_site_needs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("generator/pdf/report.typ", "generator/skeleton/mkdocs.yml", "generator/skeleton/content/index.md", "generator/skeleton/content/help.md",
                   "generator/skeleton/ci/gitlab-pages.yml", "generator/skeleton/reports/shili-qu-renmin-zhengfu-2024.yaml"):
        assert needed in names, needed
    for kind in (".css", ".js", ".html"):
        assert any(n.startswith("generator/") and n.endswith(kind) for n in names), f"no {kind} file in the wheel"
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_init_writes_a_complete_site_and_never_overwrites(venv: Path, tmp_path: Path) -> None:
    nianbao = str(venv / "bin" / "nianbao")
    site = tmp_path / "站"
    (site / "content").mkdir(parents=True)
    (site / "content" / "index.md").write_text("# 本单位原有首页\n", encoding="utf-8")
    (site / "reports").mkdir()
    outside = tmp_path / "outside.txt"
    (site / "requirements.txt").symlink_to(outside)  # dangling: writing through it would land outside the site
    done = _run([nianbao, "init", str(site), "--ci", "github-pages"], cwd=tmp_path)
    assert (site / "content" / "index.md").read_text(encoding="utf-8") == "# 本单位原有首页\n"
    assert not outside.exists()
    assert "已存在，未改动" in done.stdout and "requirements.txt" in done.stdout
    for name in ("mkdocs.yml", ".pre-commit-config.yaml", ".github/workflows/nianbao.yml", ".gitignore",
                 "reports/report.schema.json", "reports/shili-qu-renmin-zhengfu-2024.yaml"):
        assert (site / name).is_file(), name
    header = (site / "reports" / "shili-qu-renmin-zhengfu-2024.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header == "# yaml-language-server: $schema=report.schema.json"
    again = _run([nianbao, "init", str(site)], cwd=tmp_path)
    assert "已写入 站/.gitlab-ci.yml" in again.stdout  # only what was missing
    assert again.stdout.count("已写入") == 1


def test_built_site_is_complete(new_site: Path, venv: Path) -> None:
    out = new_site / "site"
    assert (out / "index.html").is_file()
    assert "示例区人民政府" in (out / "index.html").read_text(encoding="utf-8")
    reports = list((out / "reports").glob("*.html"))
    assert reports
    pdfs = list((out / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 2  # the report and its year's bundle
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert list((out / "data").rglob("*.csv"))
    # Python wrote bytecode into the installed package, as on users' machines, and the build still passed.
    assert list(venv.glob("lib/python*/site-packages/generator/pdf/__pycache__/*.pyc"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(new_site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(new_site / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_new_site_works_in_chromium(browser: Any, served: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served)
    page.get_by_role("link", name="示例区人民政府", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("table").count() >= 3
    page.goto(served + "search.html?q=行政复议")
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)", timeout=20000)
    titles = page.locator("#nb-results .nb-result__title").all_inner_texts()
    assert titles == ["示例区人民政府2024年政府信息公开工作年度报告"]
    assert not errors
    page.close()


def test_installed_deploy_publishes_the_built_site(new_site: Path, venv: Path, tmp_path: Path) -> None:
    target = tmp_path / "www" / "ndbg"
    env = _env() | {"NIANBAO_DEPLOY_TARGET": str(target)}
    done = subprocess.run([str(venv / "bin" / "nianbao"), "deploy", "site"], cwd=new_site, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.is_symlink() and (target / "index.html").read_bytes() == (new_site / "site" / "index.html").read_bytes()
    missing = subprocess.run([str(venv / "bin" / "nianbao"), "deploy", "没有这个目录"], cwd=new_site, env=env,
                             capture_output=True, text=True, timeout=600)
    assert missing.returncode == 1 and "请先运行 nianbao build" in missing.stderr
