"""``nianbao init``: start a new report site in a folder, never touching a file that is already there."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from . import __version__

SKELETON: Traversable = files("generator") / "skeleton"
EXAMPLE_REPORT = "shili-qu-renmin-zhengfu-2024.yaml"
CI_FILES = {
    "gitlab-pages": ("gitlab-pages.yml", ".gitlab-ci.yml"),
    "gitlab-rsync": ("gitlab-rsync.yml", ".gitlab-ci.yml"),
    "github-pages": ("github-pages.yml", ".github/workflows/nianbao.yml"),
    "github-rsync": ("github-rsync.yml", ".github/workflows/nianbao.yml"),
}
# Self-hosted GitLab is what most government bodies' code hosting runs: the default.
DEFAULT_CI = "gitlab-pages"
LOCAL_HOOK = """\
# 每次提交前校验 reports/ 中的全部报告（含跨文件的规则：重复报告 S5、上年结转 W1），有错误时阻止提交。
# 安装：pip install pre-commit && pre-commit install。这里使用本机已安装的 nianbao（与生成网站的是同一个）；
# 也可以改用 nianbao 代码仓库中的钩子，见文档“预览与发布”。
repos:
  - repo: local
    hooks:
      - id: nianbao-check
        name: 校验政府信息公开工作年度报告（nianbao check）
        entry: nianbao check reports
        language: system
        files: ^reports/.*\\.ya?ml$
        pass_filenames: false
"""


@dataclass
class InitOptions:
    """What a new site is called and how it is published."""

    site_name: str = "政府信息公开工作年度报告"
    publisher: str = "（主办单位名称）"
    ci: str = DEFAULT_CI
    hook_repo: str | None = None
    hook_rev: str | None = None


@dataclass
class InitResult:
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def requirement() -> str:
    """Return the requirement line that installs this nianbao again (in CI), as precisely as it is known."""
    try:
        direct = metadata.distribution("nianbao").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    if direct:
        info = json.loads(direct)
        vcs = info.get("vcs_info")
        if vcs and info.get("url", "").startswith(("http://", "https://", "ssh://", "git@")):
            return f"nianbao @ git+{info['url']}@{vcs.get('commit_id') or vcs.get('requested_revision')}"
    return f"nianbao=={__version__}"


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _skeleton(name: str) -> str:
    return (SKELETON / name).read_text(encoding="utf-8")


def planned_files(options: InitOptions) -> Iterator[tuple[str, str]]:
    """Yield (path in the new site, text) for every file ``init`` writes."""
    values = {"site_name": options.site_name, "publisher": options.publisher, "version": __version__,
              "requirement": requirement()}
    yield "mkdocs.yml", _fill(_skeleton("mkdocs.yml"), values)
    yield "content/index.md", _fill(_skeleton("content/index.md"), values)
    yield "content/help.md", _skeleton("content/help.md")
    yield f"reports/{EXAMPLE_REPORT}", _skeleton(f"reports/{EXAMPLE_REPORT}")
    from .schema import json_schema_text

    yield "reports/report.schema.json", json_schema_text()
    yield "requirements.txt", _fill(_skeleton("requirements.txt"), values)
    yield ".gitignore", _skeleton("gitignore")
    if options.hook_repo:
        hook = {"hook_repo": options.hook_repo, "hook_rev": options.hook_rev or f"v{__version__}"}
        yield ".pre-commit-config.yaml", _fill(_skeleton("pre-commit-config.yaml"), hook)
    else:
        yield ".pre-commit-config.yaml", LOCAL_HOOK
    if options.ci in CI_FILES:
        source, target = CI_FILES[options.ci]
        yield target, _skeleton(f"ci/{source}")


def _write_new(path: Path, text: str) -> bool:
    """Create ``path`` with ``text``; return False, writing nothing, when anything is at that name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: also refuses a dangling symlink, which would write outside the site
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
        out.write(text if text.endswith("\n") else text + "\n")
    return True


def init_site(folder: Path, options: InitOptions) -> InitResult:
    """Write a new site's files into ``folder`` (created if missing), keeping every file already there."""
    result = InitResult()
    for name, text in planned_files(options):
        path = folder / name
        (result.written if _write_new(path, text) else result.kept).append(path)
    return result
