"""How the plugin fits into whatever MkDocs site it is added to: theme layer, assets, nav, titles.

The package carries everything a site needs (``generator/theme/``): the stylesheet and scripts,
and, for Material for MkDocs, a template layer (the header's search form, the Chinese footer and
escaped titles). The plugin registers them itself, so a site's ``mkdocs.yml`` needs no
``custom_dir`` or ``extra_css`` for nianbao, and a site's own ``custom_dir`` still overrides any
of them (it comes first in the theme's search path).

Generated pages are the plugin's: they stay out of the host's automatic navigation, and their
titles hold editors' text, which is escaped here whatever theme renders them (MkDocs renders
templates without autoescaping, and every theme writes ``page.title`` raw somewhere).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

THEME_DIR = Path(__file__).resolve().parent / "theme"
STYLESHEETS = ("assets/nianbao.css", "assets/nianbao-pages.css")
ASSETS = (*STYLESHEETS, "assets/nianbao-search.js", "assets/nianbao-sort.js", "assets/nianbao-pages.js")
GENERATED_BY = "nianbao"  # the plugin's name: File.generated records it as generated_by


def register_theme(config: MkDocsConfig) -> None:
    """Put the package's theme layer behind the site's ``custom_dir`` and its stylesheet on every page."""
    theme = config.theme
    if theme.name == "material" and str(THEME_DIR) not in theme.dirs:
        # theme.dirs is [custom_dir, material, mkdocs' base]: the site's own files come first.
        theme.dirs.insert(1 if theme.custom_dir else 0, str(THEME_DIR))
    present = [str(css) for css in config.extra_css]
    missing = [css for css in STYLESHEETS if css not in present]
    config.extra_css[:0] = missing  # first: the site's own stylesheets come after and win


def add_assets(files: Files, config: MkDocsConfig) -> None:
    """Copy the stylesheet and scripts into the site, unless the site or its theme already has them.

    Under Material the theme layer's folder brings them (MkDocs copies a theme's static files);
    under any other theme they are added here, from the package.
    """
    for path in ASSETS:
        if files.get_file_from_path(path) is None:
            files.append(File(path, str(THEME_DIR), config.site_dir, config.use_directory_urls))


def page_file(config: MkDocsConfig, uri: str, content: str) -> File:
    """Return a generated page's file: part of the site, but never listed in an automatic nav."""
    return File.generated(config, uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV)


def escape_meta(meta: MutableMapping[str, Any]) -> None:
    """Escape a generated page's title and description (its front matter) once, for every theme.

    Templates print ``page.title`` and ``page.meta.description`` raw (the mkdocs and readthedocs
    themes, Material's nav, ``<title>`` and ``<meta>``). The escaped text is a ``Markup`` string,
    which Jinja's ``| e`` leaves as it is: the package's Material layer escapes the host's own
    titles and does not escape these twice.
    """
    for key in ("title", "description"):
        value = meta.get(key)
        if isinstance(value, str):
            meta[key] = escape(value)
