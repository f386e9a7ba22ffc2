"""Readable addresses for region pages, and the old addresses kept working.

A region's page is at its path, ``regions/湖北省/武汉市/硚口区.html``, and its yearly aggregates in
the folder beside it, ``regions/湖北省/武汉市/硚口区/2024.html``: an address a citizen can read, and
one that works from a folder and from any server (browsers percent-encode the characters, servers
decode them). A region whose name holds anything but letters, digits, ``-``, ``_`` and ``·``
(REGION_PATTERN allows more: brackets, quotes, ``?`` and ``#``), or that could be taken for a year
or an index page, keeps its hashed id (``regions/rb501823b22.html``), which is always safe.

The hashed addresses were the only ones before; each page that moved leaves a small page at its old
address that sends the reader on (meta refresh and a link), so that bookmarks and links from other
sites keep working.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import escape

from .aggregate import region_id
from .render import urls

REGIONS_DIR = "regions"
_READABLE = re.compile(r"^[\w\-·]{1,32}$")
_RESERVED = re.compile(r"^(\d+|index)$", re.IGNORECASE)


def readable(region: tuple[str, ...]) -> bool:
    """Whether every level of ``region`` can be a path segment as it is."""
    return bool(region) and all(_READABLE.match(s) and not _RESERVED.match(s) and not s.startswith("_") for s in region)


def region_uri(region: tuple[str, ...]) -> str:
    if readable(region):
        return f"{REGIONS_DIR}/{'/'.join(region)}.md"
    return old_region_uri(region)


def aggregate_uri(region: tuple[str, ...], year: int) -> str:
    if readable(region):
        return f"{REGIONS_DIR}/{'/'.join(region)}/{year}.md"
    return old_aggregate_uri(region, year)


def old_region_uri(region: tuple[str, ...]) -> str:
    return f"{REGIONS_DIR}/{region_id(region)}.md"


def old_aggregate_uri(region: tuple[str, ...], year: int) -> str:
    return f"{REGIONS_DIR}/{region_id(region)}-{year}.md"


REDIRECT = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
<title>页面已迁移</title>
</head>
<body>
<p>本页已迁移到新地址：<a href="{url}">{label}</a>。</p>
</body>
</html>
"""


def redirect(old: str, new: str, label: str) -> tuple[str, str]:
    """Return (file in the site, HTML) of the page at the old address of page ``old`` sending to ``new``."""
    address = urls().page(old)
    path = address + "index.html" if address.endswith("/") else address
    target = quote(urls().linker(old)(new), safe="/.-_~")
    return path, REDIRECT.format(url=escape(target), label=escape(label))


def redirects(regions: set[tuple[str, ...]], years: dict[tuple[str, ...], list[int]]) -> list[tuple[str, str]]:
    """Return the pages at the old addresses of every region page and aggregate that moved."""
    out = []
    for region in sorted(regions):
        if readable(region):
            name = " / ".join(region)
            out.append(redirect(old_region_uri(region), region_uri(region), f"{name} 汇总"))
            out += [redirect(old_aggregate_uri(region, y), aggregate_uri(region, y), f"{name} {y}年度汇总")
                    for y in sorted(years.get(region, []))]
    return out
