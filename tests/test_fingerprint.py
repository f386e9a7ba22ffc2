"""Code fingerprints hash source files only, whatever Python or an editor leaves beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import validate
from generator.pdf import render


@pytest.fixture()
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's sources, with validate.py pointing at it."""
    package = Path(validate.__file__).resolve().parent
    copy = tmp_path / "generator"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(validate, "__file__", str(copy / "validate.py"))
    validate.code_fingerprint.cache_clear()
    yield copy
    validate.code_fingerprint.cache_clear()


def test_bytecode_and_stray_files_do_not_change_or_break_fingerprints(package_copy: Path) -> None:
    before = {codes: validate.code_fingerprint(codes) for codes in (render.PDF_CODE, validate.CHECK_CODE)}
    for folder in (package_copy / "pdf", package_copy / "checks", package_copy):
        (folder / "__pycache__").mkdir(exist_ok=True)
        (folder / "__pycache__" / "render.cpython-311.pyc").write_bytes(b"\0bytecode")
        (folder / "notes.txt~").write_text("editor backup", encoding="utf-8")
        (folder / ".render.py.swp").write_bytes(b"\0swap")
        (folder / "subdir.py").mkdir()  # a folder whose name looks like a module
    validate.code_fingerprint.cache_clear()
    after = {codes: validate.code_fingerprint(codes) for codes in (render.PDF_CODE, validate.CHECK_CODE)}
    assert after == before


def test_fingerprint_follows_the_source(package_copy: Path) -> None:
    before = validate.code_fingerprint(render.PDF_CODE)
    template = package_copy / "pdf" / "report.typ"
    template.write_text(template.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    validate.code_fingerprint.cache_clear()
    assert validate.code_fingerprint(render.PDF_CODE) != before
