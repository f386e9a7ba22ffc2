"""``nianbao build``: validate every report, build the site aside, then swap it in atomically.

The published directory is never written to while a build runs: the site is built into a
sibling temporary directory and exchanged with the old one in a single ``renameat2`` call, so a
failed or killed build leaves the previous site intact and complete.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .buildguard import TargetError, build_lock, refuse_target, remove_dead_staging, staging_path
from .findings import format_text

log = logging.getLogger("nianbao")

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class BuildError(Exception):
    """A build that must stop, with a message for the editor."""


@dataclass
class BuildResult:
    site_dir: Path
    reports: int
    seconds: float


def _libc_renameat2() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is not None:
        func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return func


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; return False where the system cannot."""
    func = _libc_renameat2() if sys.platform.startswith("linux") else None
    if func is None:
        return False
    rc: int = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def publish(new: Path, target: Path) -> None:
    """Put the directory ``new`` in place of ``target``, never leaving ``target`` half-written."""
    if target.exists() and exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old site
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(target: Path) -> None:
    """Restore a site left aside by a killed build; remove dead builds' staging. Call with the lock held."""
    if target.exists():
        for stale in target.parent.glob(f".{target.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
    else:
        olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
        if olds:
            os.rename(olds[-1], target)
    remove_dead_staging(target)  # never a running build's: its process is alive


class _NotDirty(logging.Filter):
    """Drop MkDocs' warning about a "dirty" build: nianbao's starts in an empty folder (reuse.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build")


def _configure_logging(verbose: bool) -> None:
    builder = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _NotDirty) for f in builder.filters):
        builder.addFilter(_NotDirty())  # on the logger itself: strict mode must not count it either
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    for name in ("mkdocs", "nianbao"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO if verbose else logging.WARNING)
        logger.propagate = False


def _require_docs_dir(config_file: Path) -> None:
    """Say in Chinese, before MkDocs says it in English, that the folder of hand-written pages is missing."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with config_file.open("rb") as f:
            raw = yaml_load(f)
    except Exception:  # noqa: BLE001 - MkDocs reports a broken file itself, with its line
        return
    docs = raw.get("docs_dir", "docs") if isinstance(raw, dict) else "docs"
    folder = config_file.resolve().parent / str(docs)
    if not folder.is_dir():
        raise BuildError(
            f"{config_file} 的 docs_dir 指向的目录 {docs}/ 不存在。请新建该目录（放入首页 index.md；没有首页时 nianbao "
            f"自动生成），或在 mkdocs.yml 中用 docs_dir 指定手写页面所在的目录。新建完整的网站目录可运行：nianbao init 目录"
        )


def build_site(
    config_file: Path, site_dir: Path | None = None, verbose: bool = False, regions: list[str] | None = None
) -> BuildResult:
    """Validate, build and publish the site described by ``config_file``."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    _configure_logging(verbose)
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .plugin import in_regions
    from .validate import DEFAULT_CHECK_CACHE, Validation, validate

    started = time.monotonic()
    if not config_file.exists():
        raise BuildError(f"找不到网站配置文件 {config_file}。新建网站请运行：nianbao init 目录")
    _require_docs_dir(config_file)
    try:
        config = load_config(config_file=str(config_file))
    except MkDocsException as exc:
        raise BuildError(f"网站配置文件 {config_file} 有误：{exc}") from None
    plugin = config.plugins.get("nianbao")
    if plugin is None:
        raise BuildError(f"{config_file} 中没有启用 nianbao 插件（plugins: - nianbao）")
    reports_dir = (config_file.resolve().parent / plugin.config.reports_dir).resolve()
    target = (site_dir or Path(config.site_dir)).resolve()
    project = config_file.resolve().parent
    docs_dir = Path(config.docs_dir).resolve()
    try:
        refuse_target(target, project, _protected(project, docs_dir, reports_dir, plugin.config))
    except TargetError as exc:
        raise BuildError(str(exc)) from None

    _stage("校验报告", reports_dir)
    checked = time.monotonic()
    portal = bool(plugin.config.search_shards) and not reports_dir.exists()
    cache = DEFAULT_CHECK_CACHE
    result = Validation([], []) if portal else validate([reports_dir], cache_dir=cache)
    checked = time.monotonic() - checked
    print(format_text(result.findings, len(result.reports)), file=sys.stderr)
    if not result.ok:
        raise BuildError(f"有错误的报告不能发布；网站未生成，{target} 保持不变。")
    wanted = regions or list(plugin.config.regions)
    if not result.reports and not portal:
        raise BuildError(f"{reports_dir} 中没有报告文件（*.yaml）")
    if wanted and not portal and not in_regions(result.valid_reports(), wanted):
        raise BuildError(f"{reports_dir} 中没有地区为 {'、'.join(wanted)} 的报告")

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with build_lock(target):
            recover(target)
            _build_and_publish(config_file, target, reports_dir, result, regions, checked)
    except TargetError as exc:
        raise BuildError(str(exc)) from None
    except OSError as exc:  # a full disk, a read-only folder: the published site is untouched
        raise BuildError(f"写入失败（{_os_problem(exc)}）；网站未更新，{target} 保持不变。") from None
    count = len(in_regions(result.valid_reports(), wanted)) if wanted else len(result.reports)
    return BuildResult(target, count, time.monotonic() - started)


def _stage(name: str, where: Path) -> None:
    print(f"==> {name}：{where}", file=sys.stderr, flush=True)


def _build_and_publish(
    config_file: Path, target: Path, reports_dir: Path, result: Any, regions: list[str] | None, checked: float
) -> None:
    """Build the site into a staging folder beside ``target`` and swap it in (the lock is held)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    from .plugin import PRELOADED, TIMINGS
    from .reuse import PUBLISHED

    staging = staging_path(target)
    shutil.rmtree(staging, ignore_errors=True)  # the build is "dirty" (reuse.py): its folder starts empty
    PRELOADED[str(reports_dir)] = result
    PUBLISHED[str(staging.resolve())] = target
    try:
        _stage("生成网站", staging)
        config = load_config(config_file=str(config_file), site_dir=str(staging))
        if regions:  # a shard of a province: publish only these regions
            config.plugins["nianbao"].config.regions = list(regions)
        config.plugins.on_startup(command="build", dirty=False)
        # The validated reports (millions of objects, no cycles) live to the end of the build: left to
        # the collector, every full collection walked them again (8 s of a one-edit build of 10,000).
        gc.freeze()
        try:
            mkdocs_build(config, dirty=True)  # pages taken from the published site are not rendered again
        finally:
            gc.unfreeze()  # in a process that builds again (tests, a server), they are ordinary objects again
            config.plugins.on_shutdown()
        _stage("发布", target)
        published = time.monotonic()
        publish(staging, target)
        TIMINGS["发布"] = time.monotonic() - published
        TIMINGS["校验"] = checked + TIMINGS.get("校验", 0.0)
        print("  用时：" + "，".join(f"{k} {v:.1f} 秒" for k, v in TIMINGS.items()), file=sys.stderr)
    except Abort as exc:
        raise BuildError(str(exc).strip()) from None
    except MkDocsException as exc:
        raise BuildError(f"生成网站失败：{exc}") from None
    finally:
        PRELOADED.pop(str(reports_dir), None)
        PUBLISHED.pop(str(staging.resolve()), None)
        shutil.rmtree(staging, ignore_errors=True)


def _protected(project: Path, docs_dir: Path, reports_dir: Path, plugin_config: Any) -> dict[str, Path]:
    """Return the folders a target must keep clear of, by the name editors know them."""
    folders = {
        "网站内容目录 docs_dir": docs_dir,
        "报告目录 reports_dir": reports_dir,
        "缓存目录": project / ".nianbao-cache",
        "git 仓库": project / ".git",
    }
    for key in ("pdf_cache", "data_cache", "page_cache"):
        folders[f"缓存目录 {key}"] = project / str(getattr(plugin_config, key))
    return folders


def _os_problem(exc: OSError) -> str:
    """Return an OSError as an editor reads it: what went wrong and on which file."""
    import errno

    what = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.EACCES: "没有写入权限",
            errno.EROFS: "文件系统只读"}.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{what}：{exc.filename}" if exc.filename else what
