"""The ``nianbao`` command: one entry point, a subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .findings import format_json, format_text
from .schema import json_schema_text
from .validate import validate

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _write(text: str, output: str | None) -> None:
    if output and output != "-":
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_check(args: argparse.Namespace) -> int:
    """Validate report files and print every finding."""
    result = validate([Path(p) for p in args.paths], jobs=args.jobs)
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


def cmd_build(args: argparse.Namespace) -> int:
    """Validate the reports, build the site and publish it atomically."""
    from .build import BuildError, build_site

    try:
        result = build_site(Path(args.config_file), Path(args.site_dir) if args.site_dir else None, args.verbose)
    except BuildError as exc:
        print(f"构建失败：{exc}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"网站已生成：{result.site_dir}（{result.reports} 份报告，用时 {result.seconds:.1f} 秒）")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview the site with live reload while editing reports."""
    import os

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.serve import serve

    print(f"预览地址：http://{args.dev_addr}/ （保存报告文件后页面自动刷新；Ctrl+C 退出）", file=sys.stderr)
    serve(config_file=args.config_file, livereload=True, dev_addr=args.dev_addr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write every number of the reports as JSON, CSV or XLSX."""
    from .export import export

    result = validate([Path(p) for p in args.paths])
    if not result.ok:
        _write(format_text(result.findings, len(result.reports)), None)
        print("有错误的报告不能导出，请先修正。", file=sys.stderr)
        return EXIT_FINDINGS
    data = export(result.valid_reports(), args.format)
    if args.output and args.output != "-":
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(f"已导出 {len(result.valid_reports())} 份报告：{out}", file=sys.stderr)
    elif args.format == "xlsx" and sys.stdout.isatty():
        print("XLSX 是二进制文件，请用 -o 指定输出文件。", file=sys.stderr)
        return EXIT_USAGE
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="政府信息公开工作年度报告发布工具：校验报告数据，生成网站、PDF 和开放数据。",
    )
    parser.add_argument("--version", action="version", version=f"nianbao {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    check = sub.add_parser("check", help="校验报告文件（默认 reports/ 目录），列出全部问题")
    check.add_argument("paths", nargs="*", default=["reports"], metavar="路径", help="报告文件或目录")
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（json 供工具使用）")
    check.add_argument("-j", "--jobs", type=int, default=None, help="并行进程数（默认按文件数自动选择）")
    check.set_defaults(func=cmd_check)

    build = sub.add_parser("build", help="校验全部报告并生成网站（默认输出到 site/），出错时保留原网站")
    build.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="文件", help="网站配置文件（默认 mkdocs.yml）")
    build.add_argument("-d", "--site-dir", default=None, metavar="目录", help="输出目录（默认取配置中的 site_dir，即 site/）")
    build.add_argument("-v", "--verbose", action="store_true", help="显示详细过程")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="本地预览网站，修改报告后自动刷新")
    serve.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="文件", help="网站配置文件（默认 mkdocs.yml）")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="地址:端口", help="预览地址（默认 127.0.0.1:8000）")
    serve.set_defaults(func=cmd_serve)

    export = sub.add_parser("export", help="导出全部报告的数字（json、csv 或 xlsx）")
    export.add_argument("paths", nargs="*", default=["reports"], metavar="路径", help="报告文件或目录（默认 reports/）")
    export.add_argument("--format", choices=("json", "csv", "xlsx"), default="csv", help="导出格式（默认 csv）")
    export.add_argument("-o", "--output", default=None, metavar="文件", help="输出文件（默认输出到屏幕）")
    export.set_defaults(func=cmd_export)

    schema = sub.add_parser("schema", help="输出报告文件的 JSON Schema（供 VS Code 补全和提示）")
    schema.add_argument("-o", "--output", default=None, metavar="文件", help="写入文件（默认输出到屏幕）")
    schema.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
        import os
        if os.environ.get("NIANBAO_DEBUG"):
            raise
        return EXIT_INTERNAL
