"""The ``nianbao`` command: one entry point, a subcommand per job."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .clihelp import Formatter, chinese, type_names
from .findings import Finding, format_json, format_text
from .formats import AGENCY_KINDS
from .schema import json_schema_text
from .validate import DEFAULT_CHECK_CACHE, display_path, validate
from .writer import MISSING

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
CHECK_CACHE = DEFAULT_CHECK_CACHE


def _write(text: str, output: str | None) -> None:
    if output and output != "-":
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_check(args: argparse.Namespace) -> int:
    """Validate report files and print every finding."""
    cache = None if args.no_cache else CHECK_CACHE
    result = validate([Path(p) for p in args.paths], jobs=args.jobs, cache_dir=cache, light=True)
    findings = result.findings
    if args.format == "json":
        _write(format_json(findings), None)
    else:
        if not result.reports and not findings:
            print(f"没有找到报告文件（*.yaml）：{' '.join(args.paths)}", file=sys.stderr)
            return EXIT_USAGE
        _write(format_text(findings, len(result.reports)), None)
    return EXIT_OK if result.ok else EXIT_FINDINGS


def cmd_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of a report file."""
    _write(json_schema_text(), args.output)
    return EXIT_OK


def _findings_of(output: Path, reports: Path) -> list[Finding]:
    """Validate ``output`` (with the other reports when it is among them: W1, S5) and return its findings."""
    inside = reports.is_dir() and output.resolve().is_relative_to(reports.resolve())
    result = validate([reports] if inside else [output])
    shown = display_path(output)
    return [f for f in result.findings if f.file == shown]


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new report file, carrying over last year's agency data and carried-over requests."""
    from .template import check_options, default_output, new_report, previous_report, refusal

    problems = check_options(args.agency, None, None)
    if not 2008 <= args.year <= 2100:
        problems.append(f"年度 {args.year} 不在 2008–2100 之间")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_USAGE
    reports = Path(args.reports)
    output = Path(args.output) if args.output else default_output(reports, args.agency, args.year)
    refused = refusal(output, reports, args.agency, args.year)
    if refused:
        print(refused, file=sys.stderr)
        return EXIT_FINDINGS
    previous = previous_report(reports, args.agency, args.year)
    made = new_report(args.agency, args.year, output, previous)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL|O_NOFOLLOW: never through a symlink (a dangling one would create a file elsewhere), never over a file
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        print(f"{output} 已存在（可能是指向别处的符号链接）；nianbao 不会改写它，请先删除或用 -o 指定其他文件名。", file=sys.stderr)
        return EXIT_FINDINGS
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(made.text)
    print(f"已新建 {display_path(output)}")
    if previous is not None:
        print(f"机关名称、地区、机关类别、联系方式、署名和“二、上年结转”沿用 {previous.source}。")
    else:
        print(f"没有找到 {args.agency} 的 {args.year - 1} 年度报告（{reports}），机关信息也请逐项填写。")
    findings = _findings_of(output, reports)
    todo = [f for f in findings if MISSING in f.message]
    others = [f for f in findings if MISSING not in f.message]
    if others:
        _write(format_text(others), None)
    print(f"还有 {len(todo)} 处“{MISSING}”要填写；填写后运行 nianbao check {display_path(output)} 逐项核对。")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Convert published reports (web pages, text, Markdown, .docx, PDF) into report files and validate them."""
    from .importer.batch import run_import

    return run_import(args.files, args.output, args.agency or [], args.region, args.kind, args.map, Path(args.reports))


def cmd_build(args: argparse.Namespace) -> int:
    """Validate the reports, build the site and publish it atomically."""
    from .build import BuildError, build_site

    try:
        site_dir = Path(args.site_dir) if args.site_dir else None
        result = build_site(Path(args.config_file), site_dir, args.verbose, args.region or None)
    except BuildError as exc:
        print(f"构建失败：{exc}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"网站已生成：{result.site_dir}（{result.reports} 份报告，用时 {result.seconds:.1f} 秒）")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview the site with live reload while editing reports."""

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve

    print(f"预览地址：http://{args.dev_addr}/ （保存报告文件后页面自动刷新；Ctrl+C 退出）", file=sys.stderr)
    serve(config_file=args.config_file, livereload=True, dev_addr=args.dev_addr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write every number of the reports as JSON, wide CSV or XLSX (one file per format version), or long CSV."""
    from .export import WIDE, by_format, export

    result = validate([Path(p) for p in args.paths])
    if not result.ok:
        _write(format_text(result.findings, len(result.reports)), None)
        print("有错误的报告不能导出，请先修正。", file=sys.stderr)
        return EXIT_FINDINGS
    reports = result.valid_reports()
    groups = by_format(reports) if args.format in WIDE else {}
    to_file = bool(args.output and args.output != "-")
    if len(groups) > 1:
        if not to_file:
            print("所选报告既有 2021 格式也有 2019 格式，两种格式的列不同，各写一个文件：请用 -o 指定文件名"
                  "（如 -o data.csv 生成 data-2021.csv 和 data-2019.csv），或用 --format long 导出为一个长表。", file=sys.stderr)
            return EXIT_USAGE
        out = Path(args.output)
        for format_id, members in groups.items():
            path = out.with_name(f"{out.stem}-{format_id}{out.suffix}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(export(members, args.format))
            print(f"已导出 {len(members)} 份 {format_id} 格式的报告：{path}", file=sys.stderr)
        return EXIT_OK
    data = export(reports, args.format)
    if to_file:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(f"已导出 {len(reports)} 份报告：{out}", file=sys.stderr)
    elif args.format == "xlsx" and sys.stdout.isatty():
        print("XLSX 是二进制文件，请用 -o 指定输出文件。", file=sys.stderr)
        return EXIT_USAGE
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Start a new report site in a folder."""
    from .init import InitOptions, init_site

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        print(f"{folder} 已存在且不是目录。", file=sys.stderr)
        return EXIT_USAGE
    options = InitOptions(ci=args.ci, hook_repo=args.hook_repo, hook_rev=args.hook_rev)
    if args.name:
        options.site_name = args.name
    if args.publisher:
        options.publisher = args.publisher
    result = init_site(folder, options)

    def shown(path: Path) -> str:  # as given, not resolved: a link is named by its own name
        relative = os.path.relpath(path)
        return str(path) if relative.startswith("..") else relative

    for path in result.written:
        print(f"已写入 {shown(path)}")
    for path in result.kept:
        print(f"已存在，未改动：{shown(path)}")
    if not result.written:
        print(f"{folder} 中已有全部文件，没有写入任何内容。")
        return EXIT_OK
    where = shown(folder)
    print(f"\n新网站已建立在 {where}/。下一步：\n"
          f"  cd {where}\n"
          "  nianbao check          # 校验 reports/ 中的报告\n"
          "  nianbao serve          # 本地预览，修改报告后自动刷新\n"
          "  nianbao build          # 生成网站到 site/\n"
          "在 mkdocs.yml 中填写网站名称、主办单位和联系方式；reports/ 中的示例报告可以删除，"
          "用 nianbao new 或 nianbao import 添加本单位的报告。")
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    """Publish a built site to NIANBAO_DEPLOY_TARGET atomically (generator/deploy.sh)."""
    import subprocess
    from importlib import resources

    with resources.as_file(resources.files("generator") / "deploy.sh") as script:
        return subprocess.call(["bash", str(script), args.site_dir])


def _subcommand(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text, formatter_class=Formatter)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="政府信息公开工作年度报告发布工具：校验报告数据，生成网站、PDF 和开放数据。",
        epilog="运行 nianbao 命令 --help 查看各命令的用法。",
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"nianbao {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", title="命令")

    check = _subcommand(sub, "check", "校验报告文件（默认 reports/ 目录），列出全部问题")
    check.add_argument("paths", nargs="*", default=["reports"], metavar="路径", help="报告文件或目录")
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（json 供工具使用）")
    check.add_argument("-j", "--jobs", type=int, default=None, metavar="进程数", help="并行进程数（默认按文件数自动选择）")
    check.add_argument("--no-cache", action="store_true", help=f"不使用校验缓存（默认缓存在 {CHECK_CACHE}，内容未变的文件不重新解析）")
    check.set_defaults(func=cmd_check)

    build = _subcommand(sub, "build", "校验全部报告并生成网站（默认输出到 site/），出错时保留原网站")
    build.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="文件", help="网站配置文件（默认 mkdocs.yml）")
    build.add_argument("-d", "--site-dir", default=None, metavar="目录", help="输出目录（默认取配置中的 site_dir，即 site/）")
    build.add_argument("-v", "--verbose", action="store_true", help="显示详细过程")
    build.add_argument("--region", action="append", metavar="地区", help="只发布该地区（及下级地区）的报告，如 湖北省/武汉市；可重复。用于按地区分片并行构建")
    build.set_defaults(func=cmd_build)

    serve = _subcommand(sub, "serve", "本地预览网站，修改报告后自动刷新")
    serve.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="文件", help="网站配置文件（默认 mkdocs.yml）")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="地址:端口", help="预览地址（默认 127.0.0.1:8000）")
    serve.set_defaults(func=cmd_serve)

    export = _subcommand(sub, "export", "导出全部报告的数字（json、csv、xlsx 或 long 长表 CSV）")
    export.add_argument("paths", nargs="*", default=["reports"], metavar="路径", help="报告文件或目录（默认 reports/）")
    export.add_argument(
        "--format", choices=("json", "csv", "xlsx", "long"), default="csv",
        help="导出格式（默认 csv；csv、xlsx 每份报告一行，两种格式的报告各写一个文件；long 每个数字一行）",
    )
    export.add_argument("-o", "--output", default=None, metavar="文件", help="输出文件（默认输出到屏幕）")
    export.set_defaults(func=cmd_export)

    new = _subcommand(sub, "new", "新建报告文件：沿用上一年度报告的机关信息和结转数，其余写作“待填”")
    new.add_argument("--agency", required=True, metavar="机关代码", help="机关代码（小写字母、数字和连字符），如 qiaokou-rongmeiti")
    new.add_argument("--year", required=True, type=int, metavar="年度", help="报告年度，如 2025")
    new.add_argument("--reports", default="reports", metavar="目录", help="在此目录（含子目录）查找上一年度报告（默认 reports/）")
    new.add_argument("-o", "--output", default=None, metavar="文件", help="写入的文件（默认 <目录>/<机关代码>-<年度>.yaml，或上一年度报告所在的子目录）")
    new.set_defaults(func=cmd_new)

    imp = _subcommand(sub, "import", "把已发布的年度报告（网页、网页文本、Markdown、Word .docx、PDF）转换为报告文件并校验；可一次导入整个目录")
    imp.add_argument("files", nargs="+", metavar="文件或目录", help="已发布的报告：.html/.htm/.shtml/.mhtml（另存的网页）、.txt（网页复制或爬取的文本、PDF 提取的文本）、.md、.docx 或 .pdf；目录则导入其中全部文件")
    imp.add_argument("-o", "--output", default=None, metavar="文件或目录", help="导入一个文件时为写入的文件（默认 <目录>/<机关代码>-<年度>.yaml）；导入多个文件时为写入的目录（默认 --reports 目录）")
    imp.add_argument("--agency", action="append", default=None, metavar="机关代码", help="机关代码（小写字母、数字和连字符）；多个文件分属不同机关时写作 '文件名模式=机关代码'，可重复；不指定时写作“待填”")
    imp.add_argument("--map", default=None, metavar="CSV文件", help="对照表（CSV，列名：文件,机关代码,地区,机关类别），按文件名给出各文件的机关代码、地区和类别")
    imp.add_argument("--region", default=None, metavar="地区", help="行政区划，用“/”分隔，如 湖北省/武汉市/硚口区")
    imp.add_argument("--kind", default=None, metavar="类别", help="机关类别：" + "、".join(AGENCY_KINDS))
    imp.add_argument("--reports", default="reports", metavar="目录", help="报告目录（默认 reports/），用于确定默认位置和跨年度校验")
    imp.set_defaults(func=cmd_import)

    schema = _subcommand(sub, "schema", "输出报告文件的 JSON Schema（供 VS Code 补全和提示）")
    schema.add_argument("-o", "--output", default=None, metavar="文件", help="写入文件（默认输出到屏幕）")
    schema.set_defaults(func=cmd_schema)

    from .init import CI_FILES, DEFAULT_CI

    init = _subcommand(sub, "init", "在新目录中建立年度报告网站：配置、首页、示例报告、pre-commit 和 CI 配置（不覆盖已有文件）")
    init.add_argument("folder", metavar="目录", help="网站目录（不存在时新建）")
    init.add_argument("--name", default=None, metavar="网站名称", help="网站名称（默认“政府信息公开工作年度报告”）")
    init.add_argument("--publisher", default=None, metavar="主办单位", help="主办单位名称，显示在页脚")
    init.add_argument("--ci", choices=(*CI_FILES, "none"), default=DEFAULT_CI,
                      help=f"写入的 CI 配置：发布到 GitLab/GitHub Pages，或用 rsync 发布到本单位服务器（默认 {DEFAULT_CI}）")
    init.add_argument("--hook-repo", default=None, metavar="地址",
                      help="pre-commit 使用的 nianbao 代码仓库地址（默认使用本机已安装的 nianbao）")
    init.add_argument("--hook-rev", default=None, metavar="版本", help=f"与 --hook-repo 一起使用：发布标签或提交哈希（默认 v{__version__}）")
    init.set_defaults(func=cmd_init)

    deploy = _subcommand(sub, "deploy", "把已生成的网站发布到 NIANBAO_DEPLOY_TARGET（本机目录或 用户@服务器:/路径）：传完再整体切换，失败时线上网站不变")
    deploy.add_argument("site_dir", nargs="?", default="site", metavar="网站目录", help="nianbao build 生成的网站（默认 site/）")
    deploy.set_defaults(func=cmd_deploy)
    type_names(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with chinese():  # argparse names its own options and sections as the parser is made
        parser = build_parser()
        args = parser.parse_args(argv)
        func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return EXIT_USAGE
    try:
        return func(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug of ours: say so plainly, never dump a traceback on editors
        print(f"nianbao 内部错误（{type(exc).__name__}: {exc}）。请将此信息和出错的文件报告给维护人员；"
              "设置环境变量 NIANBAO_DEBUG=1 可显示详细信息。", file=sys.stderr)
        if os.environ.get("NIANBAO_DEBUG"):
            raise
        return EXIT_INTERNAL
