"""The links between pages: render.relpath gives what posixpath.relpath gives, without the file system."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import Urls, relpath

PARTS = st.sampled_from(["reports", "years", "a.md", "index.md", ".", "..", "", "pdf", "x.pdf", "地区", "a b"])


@settings(max_examples=500, deadline=None)
@given(st.lists(PARTS, max_size=5), st.lists(PARTS, max_size=5))
def test_relpath_is_posixpath_relpath(path: list[str], start: list[str]) -> None:
    a, b = "/".join(path) or ".", "/".join(start) or "."
    assert relpath(a, b) == posixpath.relpath(a, b)


def test_links_from_a_report_page() -> None:
    href = Urls(directory=False).linker("reports/x-2024.md")
    assert href("years/2024.md") == "../years/2024.html"
    assert href("index.md") == "../index.html"
    assert href("reports/y-2024.md") == "y-2024.html"
    assert href("pdf/x-2024.pdf") == "../pdf/x-2024.pdf"
    assert href("agencies/x.md", markdown=True) == "../agencies/x.md"
    folder = Urls(directory=True).linker("reports/x-2024.md")
    assert folder("years/index.md") == "../../years/" and folder("reports/x-2024.md") == "./"
