"""Caches that cannot delete outside the project, publish a broken entry or share inodes with the site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from generator import fsutil, pagecache
from generator.build import BuildError, build_site
from generator.fsutil import CacheError, cache_folder, place, sealed, write_entry
from generator.model import Report
from generator.pdf import PdfSettings, find_fonts
from generator.pdf.render import cache_base, prune_cache, render_reports
from generator.search import _keep, _move, _prune
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
OLD = time.time() - 90 * 86400


def _project(tmp: Path, config: str = "") -> Path:
    project = tmp / "project"
    for name in ("content", "site_overrides", "reports"):
        shutil.copytree(ROOT / name, project / name)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if config:
        text = text.replace("      reports_dir: reports", "      reports_dir: reports\n" + config)
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    return project


def _shared(tmp: Path) -> tuple[Path, dict[str, bytes]]:
    """A folder outside the project that looks like a cache: old PDFs, hash-named folders, a user's file."""
    shared = tmp / "shared"
    shared.mkdir()
    files = {}
    for i in range(6):
        (shared / f"{i:032x}").mkdir()
        (shared / f"{i:032x}" / "keep.txt").write_text("someone's")
    for name in ("a" * 64 + ".pdf", "minutes.pdf", "notes.txt"):
        (shared / name).write_bytes(b"%PDF-1.7 someone's")
        os.utime(shared / name, (OLD, OLD))
    for path in shared.rglob("*"):
        if path.is_file():
            files[path.relative_to(shared).as_posix()] = path.read_bytes()
    return shared, files


def _same(shared: Path, files: dict[str, bytes]) -> None:
    now = {p.relative_to(shared).as_posix(): p.read_bytes() for p in shared.rglob("*") if p.is_file()}
    assert now == files, "files outside the project were deleted or changed"


@pytest.mark.parametrize("cache", ["search", "pdf", "."])
def test_a_cache_symlinked_out_of_the_project_is_refused_and_nothing_outside_is_touched(tmp_path: Path, cache: str) -> None:
    project = _project(tmp_path)
    shared, files = _shared(tmp_path)
    where = project / ".nianbao-cache" / cache if cache != "." else project / ".nianbao-cache"
    where.parent.mkdir(parents=True, exist_ok=True)
    where.symlink_to(shared)
    with pytest.raises(BuildError, match="缓存"):
        build_site(project / "mkdocs.yml", tmp_path / "site")
    _same(shared, files)
    assert not (tmp_path / "site").exists()


def test_a_pdf_cache_set_to_a_shared_folder_is_refused(tmp_path: Path) -> None:
    shared, files = _shared(tmp_path)
    project = _project(tmp_path, f"      pdf_cache: {shared}\n")
    with pytest.raises(BuildError, match="不在项目的 .nianbao-cache/ 之内"):
        build_site(project / "mkdocs.yml", tmp_path / "site")
    _same(shared, files)


def test_cache_folder_accepts_folders_inside_the_cache_root(tmp_path: Path) -> None:
    assert cache_folder(tmp_path, ".nianbao-cache/pdf") == (tmp_path / ".nianbao-cache" / "pdf").resolve()
    with pytest.raises(CacheError):
        cache_folder(tmp_path, ".nianbao-cache/../reports")


def test_pruning_deletes_only_what_nianbao_named(tmp_path: Path) -> None:
    cache = tmp_path / "pdf"
    cache.mkdir()
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"precious")
    entry = cache / ("b" * 64 + ".pdf")
    used = cache / ("c" * 64 + ".pdf")
    link = cache / ("d" * 64 + ".pdf")
    theirs = cache / "minutes.pdf"
    for path in (entry, used, theirs):
        write_entry(path, b"%PDF")
    link.symlink_to(outside)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = cache / f".{'e' * 64}.pdf.{dead.pid}.tmp"
    leftover.write_bytes(b"half")
    for path in (entry, used, theirs, link):
        os.utime(path, (OLD, OLD), follow_symlinks=False)
    removed = prune_cache(cache, [used])
    assert removed == 2  # the old entry and the dead build's leftover
    assert not entry.exists() and not leftover.exists()
    assert used.exists() and theirs.exists() and link.is_symlink()
    assert outside.read_bytes() == b"precious"


def test_search_cache_cleanup_keeps_others_folders(tmp_path: Path) -> None:
    cache = tmp_path / "search"
    cache.mkdir()
    (cache / "notes").mkdir()
    (cache / "notes" / "x").write_text("mine")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x").write_text("precious")
    (cache / ("f" * 32)).symlink_to(outside)
    for i in range(6):
        (cache / f"{i:032x}").mkdir()
        os.utime(cache / f"{i:032x}", (OLD + i, OLD + i))
    out = tmp_path / "pagefind"
    out.mkdir()
    (out / "pagefind-entry.json").write_text("{}")
    _keep(out, cache / ("9" * 32))
    _prune(cache, [cache / ("9" * 32)])
    names = sorted(p.name for p in cache.iterdir())
    assert "notes" in names and "f" * 32 in names
    assert (outside / "x").read_text() == "precious"
    kept = [n for n in names if len(n) == 32 and n != "f" * 32]
    assert "9" * 32 in kept and len(kept) == 1 + 4  # the one used and KEEP_BUNDLES newest others
    assert f"{0:032x}" not in kept and f"{5:032x}" in kept
    assert fsutil.tree_sealed(cache / ("9" * 32))


def test_a_truncated_or_altered_pdf_in_the_cache_is_rendered_again(tmp_path: Path) -> None:
    reports = validate([ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"]).valid_reports()
    settings = PdfSettings(tmp_path / "cache", find_fonts(), jobs=1)
    first = render_reports(reports, settings)["qiaokou-rongmeiti-2024"]
    good = first.path.read_bytes()
    for broken in (good[: len(good) // 2], good[:-10] + b"0123456789"):
        first.path.write_bytes(broken)
        assert not sealed(first.path)
        again = render_reports(reports, settings)["qiaokou-rongmeiti-2024"]
        assert not again.cached
        assert again.path.read_bytes() == good
        assert len(pypdf.PdfReader(again.path).pages) > 1


def test_a_truncated_page_body_in_the_cache_is_made_again(tmp_path: Path) -> None:
    report = Report("a.yaml", Path("a.yaml"), digest="0" * 64)
    cache = pagecache.BodyCache(tmp_path)
    body = "正文……\n\n落款：硚口区融媒体中心\n"
    assert cache.body(report, lambda: body) == body
    (entry,) = tmp_path.glob("*.md")
    entry.write_bytes(entry.read_bytes()[:-12])  # the signature cut off
    assert cache.body(report, lambda: body + "made again") == body + "made again"
    assert cache.body(report, lambda: "not called") == body + "made again"
    assert cache.hits == 1


def test_site_files_are_copies_never_links_to_the_cache(tmp_path: Path) -> None:
    source = tmp_path / "cache.pdf"
    source.write_bytes(b"%PDF cache")
    target = tmp_path / "site" / "a.pdf"
    place(source, target)
    assert target.stat().st_ino != source.stat().st_ino and source.stat().st_nlink == 1
    with source.open("r+b") as f:
        f.write(b"XXXX")  # a write into the cache…
    assert target.read_bytes() == b"%PDF cache"  # …leaves the site as it was


def test_a_built_site_shares_no_inode_with_the_cache(tmp_path: Path) -> None:
    project = _project(tmp_path)
    site = tmp_path / "site"
    cwd = Path.cwd()
    os.chdir(project)
    try:
        build_site(project / "mkdocs.yml", site)
    finally:
        os.chdir(cwd)
    cached = {p.stat().st_ino for p in (project / ".nianbao-cache").rglob("*") if p.is_file()}
    published = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in published)
    assert not [p for p in published if p.stat().st_ino in cached or p.stat().st_nlink > 1]


def test_cache_keys_change_with_the_libraries_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = PdfSettings(tmp_path, find_fonts(), jobs=1)
    before_pdf, before_page = cache_base(settings), pagecache.BodyCache(tmp_path).code
    real = fsutil.version
    for library in ("typst", "Markdown", "nh3", "PyYAML"):
        fsutil.library_versions.cache_clear()
        monkeypatch.setattr(fsutil, "version", lambda name, lib=library: "99.0" if name == lib else real(name))
        assert cache_base(settings) != before_pdf, library
        if library != "typst":
            assert pagecache.BodyCache(tmp_path).code != before_page, library
        monkeypatch.setattr(fsutil, "version", real)
    fsutil.library_versions.cache_clear()
    assert cache_base(settings) == before_pdf


_NEXT_BUILD = """
import sys
from pathlib import Path
from generator import fsutil
hashed = []
real = fsutil._seal_text
fsutil._seal_text = lambda data: hashed.append(len(data)) or real(data)
entries = [Path(p) for p in sys.argv[2:]]
print(all(fsutil.sealed(p) for p in entries), fsutil.tree_sealed(Path(sys.argv[1])), len(hashed))
"""

_WORKER = """
import os, sys
from pathlib import Path
from generator.fsutil import write_entry
write_entry(Path(sys.argv[1]), b"%PDF-1.7 from a worker")
os._exit(0)  # as a pool's worker ends: no atexit, its checks are not saved
"""


def test_entries_a_build_writes_are_not_hashed_again_by_the_next_one(tmp_path: Path) -> None:
    """After a cold build the next one only stats what it wrote (hashing 10,000 reports' files had cost 6 s)."""
    cache = tmp_path / "cache"
    mine = cache / ("a" * 64 + ".csv")
    write_entry(mine, b"x" * 100_000)
    worker = cache / ("b" * 64 + ".pdf")
    subprocess.run([sys.executable, "-c", _WORKER, str(worker)], check=True, cwd=ROOT)
    fsutil.trust(worker)  # the pipeline, told by the worker it is done
    search = tmp_path / "search"
    search.mkdir()
    out = tmp_path / "pagefind"
    (out / "fragment").mkdir(parents=True)
    (out / "pagefind-entry.json").write_text("{}")
    (out / "fragment" / "x.pf_fragment").write_bytes(b"y" * 50_000)
    _keep(out, search / ("9" * 32))
    fsutil.save_verified()

    def next_build() -> list[str]:
        args = [sys.executable, "-c", _NEXT_BUILD, str(search / ("9" * 32)), str(mine), str(worker)]
        return subprocess.run(args, check=True, cwd=ROOT, capture_output=True, text=True).stdout.split()

    assert next_build() == ["True", "True", "0"]  # sealed, and not one file read to be hashed
    with mine.open("ab") as f:  # trusted is not blind: a change is seen, and the entry hashed
        f.write(b"!")
    assert next_build()[0] == "False"
    (search / ("9" * 32) / "fragment" / "x.pf_fragment").write_bytes(b"z" * 50_000)
    assert next_build()[1] == "False"


def test_a_batch_made_by_the_build_is_moved_into_the_search_cache_sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "search"
    cache.mkdir()
    broken = cache / ("8" * 32)
    broken.mkdir()
    (broken / "pagefind-entry.json").write_text("half")  # an entry of the same key, unsealed
    part = tmp_path / "tmp" / "part-0"
    (part / "fragment").mkdir(parents=True)
    (part / "pagefind-entry.json").write_text('{"version": "1"}')
    (part / "fragment" / "a.pf_fragment").write_bytes(b"x" * 100)
    where = _move(part, broken)
    assert where == broken and not part.exists()  # renamed, not copied
    assert fsutil.tree_sealed(broken) and (broken / "pagefind-entry.json").read_text() == '{"version": "1"}'
    # another file system: copied into the cache, read from where it was made
    part2 = tmp_path / "tmp" / "part-1"
    part2.mkdir()
    (part2 / "pagefind-entry.json").write_text("{}")
    real = os.replace

    def cross_device(src: object, dst: object) -> None:
        if Path(str(src)) == part2:
            raise OSError(18, "Invalid cross-device link")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", cross_device)
    target = cache / ("7" * 32)
    assert _move(part2, target) == part2 and part2.is_dir()
    assert fsutil.tree_sealed(target) and (target / "pagefind-entry.json").read_text() == "{}"
