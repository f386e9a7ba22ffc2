"""Parts of the theme's pages that are the same on many pages, rendered once per build.

Material renders the whole site navigation, the tabs, the header and its configuration script for
every page: half of rendering a report page's template, for HTML that differs only by the folder of
the page (its links are relative), the tab it marks active and, for a page in the nav, the nav's
active entries. nianbao's theme layer (theme/nianbao/base.html, theme/partials/header.html around
the page title) wraps those parts in ``nb_fragment``: a page that is in no nav section (every
generated report, agency, region and year page) takes them from the first page of its folder and
tab. A page in the nav, or a site whose ``custom_dir`` overrides one of the partials they include,
renders them as before. The plugin installs ``nb_fragment`` (on_env) for every build.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# The partials each fragment includes: a site overriding one of them may make it depend on the page.
PARTIALS = {
    "nav": ("nav.html", "nav-item.html", "logo.html", "source.html"),
    "tabs": ("tabs.html", "tabs-item.html"),
    "config": (),
    "header-start": ("header.html", "logo.html"),
    "header-end": ("header.html", "palette.html", "alternate.html", "search.html", "source.html", "tabs.html", "tabs-item.html"),
}


class Fragments:
    """The shared fragments of one build's pages (a new set for every build: ``on_env``)."""

    def __init__(self, custom_dir: str | None = None) -> None:
        overridden = {p.name for p in (Path(custom_dir) / "partials").glob("*.html")} if custom_dir else set()
        self.names = {name for name, partials in PARTIALS.items() if not overridden.intersection(partials)}
        self._done: dict[tuple[str, ...], str] = {}
        self.hits = 0

    def key(self, name: str, page: Any, nav: Any) -> tuple[str, ...] | None:
        """Return what fragment ``name`` of ``page`` depends on, or None to render it for this page alone."""
        if name not in self.names or page is None or getattr(page, "url", None) is None:
            return None
        url = str(page.url)
        folder = url if url.endswith("/") or not url else posixpath.dirname(url)  # links are relative to it
        if name == "config":
            return (name, folder)
        if nav is None or page in getattr(nav, "pages", ()):
            return None  # the nav marks this page and its section active, and holds its table of contents
        tab = page.meta.get("nianbao_tab") if page.meta else None
        return (name, folder, str(tab or ""))

    @pass_context
    def __call__(self, context: Context, name: str, caller: Callable[[], str]) -> str:
        key = self.key(name, context.get("page"), context.get("nav"))
        if key is None:
            return caller()
        html = self._done.get(key)
        if html is None:
            html = self._done[key] = caller()
        else:
            self.hits += 1
        return Markup(html) if isinstance(html, Markup) else html


def install(env: Any, custom_dir: str | None, names: Iterable[str] = ()) -> Fragments:
    """Give the theme's templates ``nb_fragment`` (a fresh cache for this build)."""
    fragments = Fragments(custom_dir)
    if names:
        fragments.names &= set(names)
    env.globals["nb_fragment"] = fragments
    return fragments
