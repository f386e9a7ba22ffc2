"""Run every fault scenario of issue 13 for real and print a table: scenario, expected, seen.

Each scenario builds a small project in a temporary folder (the sample reports, or bench/synth.py
reports where a build must take a while), runs the CLI or the stage concerned, and reports what it
saw; ``ok`` is decided by looking at the result, not assumed. Needs root for the tmpfs scenarios
(a real full disk); without it they run with a failing rsync / write instead and say so.

    .venv/bin/python bench/faults.py [--only WORD]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NIANBAO = [sys.executable, "-m", "generator"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT)}
SAMPLE = (ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8")
ANCHOR = "二、主动公开政府信息情况: |\n  2024年，我中心锁定目标"

Result = tuple[str, str, bool]  # expected, seen, ok
SCENARIOS: list[tuple[str, Callable[[Path], Result]]] = []


def scenario(name: str) -> Callable[[Callable[[Path], Result]], Callable[[Path], Result]]:
    def add(fn: Callable[[Path], Result]) -> Callable[[Path], Result]:
        SCENARIOS.append((name, fn))
        return fn
    return add


def project(tmp: Path, synth: int = 0) -> Path:
    """A project: the site's content and config, the sample reports (or ``synth`` synthetic ones), a .git."""
    out = tmp / "project"
    for name in ("content", "site_overrides"):
        shutil.copytree(ROOT / name, out / name)
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    if synth:
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), str(synth), str(out / "reports")],
                       check=True, capture_output=True, env=ENV)
    else:
        shutil.copytree(ROOT / "reports", out / "reports")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return out


def run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NIANBAO, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:110] if lines else ""


def with_text(text: str) -> str:
    block = "\n".join("  " + line if line else "" for line in text.split("\n"))
    return SAMPLE.replace(ANCHOR, ANCHOR.replace("  2024年", block + "\n  2024年"), 1)


def mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0


def umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


# -- builds -------------------------------------------------------------------------------------

@scenario("two builds of one site at once")
def two_builds(tmp: Path) -> Result:
    proj = project(tmp, synth=150)
    first = subprocess.Popen([*NIANBAO, "build"], cwd=proj, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not list(proj.glob(".site.building-*")) and first.poll() is None:
        time.sleep(0.05)
    second = run(["build"], proj)
    _, err = first.communicate()
    site = proj / "site"
    whole = all((site / p).exists() for p in ("index.html", "assets", "pagefind/pagefind-entry.json"))
    pages = len(list((site / "reports").glob("*.html"))) if site.exists() else 0
    ok = second.returncode != 0 and "另一个构建正在生成" in second.stderr and first.returncode == 0 and whole and pages == 150
    return ("2nd stops naming the holder; 1st publishes a whole site",
            f"2nd exit {second.returncode}: {last_line(second.stderr)[:60]}…; 1st exit {first.returncode}, {pages} report pages", ok)


@scenario("stale staging of a dead build / of a live build")
def stale_staging(tmp: Path) -> Result:
    from generator.buildguard import remove_dead_staging
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for pid in (sleeper.pid, dead.pid):
        (tmp / f".site.building-{pid}").mkdir()
    removed = remove_dead_staging(tmp / "site")
    sleeper.kill()
    ok = [p.name for p in removed] == [f".site.building-{dead.pid}"] and (tmp / f".site.building-{sleeper.pid}").exists()
    return "dead one removed, live one kept", f"removed {[p.name for p in removed]}", ok


@scenario("nianbao build -d . / content / reports / ..")
def dangerous_targets(tmp: Path) -> Result:
    proj = project(tmp)
    before = tree(proj)
    seen = []
    for target in (".", "content", "reports", "..", ".git"):
        done = run(["build", "-d", target], proj)
        seen.append(f"{target}: exit {done.returncode}")
    ok = tree(proj) == before and all("exit 1" in s for s in seen)
    return "refused, project (.git included) untouched", "; ".join(seen) + ("; project intact" if tree(proj) == before else "; PROJECT CHANGED"), ok


def _shared(tmp: Path) -> Path:
    shared = tmp / "shared"
    shared.mkdir()
    for i in range(8):
        (shared / f"{i:032x}").mkdir()
    old = time.time() - 90 * 86400
    for i in range(5):
        path = shared / f"{i:064x}.pdf"
        path.write_bytes(b"%PDF someone's")
        os.utime(path, (old, old))
    return shared


@scenario("cache folders symlinked out, pdf_cache on a shared folder")
def caches_out(tmp: Path) -> Result:
    seen = []
    ok = True
    for case in ("search", "pdf", "pdf_cache"):
        base = tmp / case
        base.mkdir()
        proj = project(base)
        shared = _shared(base)
        before = tree(shared) | {p.name: "dir" for p in shared.iterdir()}
        if case == "pdf_cache":
            text = (proj / "mkdocs.yml").read_text(encoding="utf-8")
            (proj / "mkdocs.yml").write_text(text.replace("      reports_dir: reports", f"      reports_dir: reports\n      pdf_cache: {shared}"))
        else:
            (proj / ".nianbao-cache").mkdir()
            (proj / ".nianbao-cache" / case).symlink_to(shared)
        done = run(["build", "-d", str(base / "site")], proj)
        after = tree(shared) | {p.name: "dir" for p in shared.iterdir()}
        ok &= done.returncode == 1 and after == before
        seen.append(f"{case}: exit {done.returncode}, {len(after)}/{len(before)} outside kept")
    return "refused in Chinese, nothing outside deleted", "; ".join(seen), ok


# -- what check passes, build publishes -------------------------------------------------------------

CHECKED = {
    "heading inside 导语": SAMPLE.replace("导语: |\n", "导语: |\n  ## 标题\n\n", 1),
    "skipped heading level": with_text("## 一\n\n#### 三"),
    "empty heading": with_text("## \n\n字"),
    "20,000-char Latin string": with_text("a" * 20_000),
    "amount 0. + 40,000 digits": SAMPLE.replace("（单位：万元）: 0}", "（单位：万元）: 0." + "1" * 40_000 + "}"),
    "list starting at 99999999999999999999": with_text("99999999999999999999. 项"),
    "50 nested >": with_text(">" * 50 + " 字"),
    "300-deep list": with_text("\n".join("  " * i + "- x" for i in range(300))),
    "地区 of 250 segments": SAMPLE.replace("地区: 湖北省/武汉市/硚口区", "地区: " + "/".join(f"区{i}" for i in range(250))),
    "地区 of 200 segments": SAMPLE.replace("地区: 湖北省/武汉市/硚口区", "地区: " + "/".join(f"区{i}" for i in range(200))),
    "89 KB of repeated <a": with_text("\n".join(["<a " * 1000] * 30)),
    "newline in 机关名称": SAMPLE.replace("机关名称: 硚口区融媒体中心", '机关名称: "硚口区\\n融媒体中心"'),
}


def _check_text(tmp: Path, text: str) -> tuple[subprocess.CompletedProcess[str], float]:
    folder = tmp / "reports"
    folder.mkdir(exist_ok=True)
    (folder / "qiaokou-rongmeiti-2024.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    done = run(["check", str(folder)], tmp, timeout=300)
    return done, time.monotonic() - started


for _name, _text in CHECKED.items():
    def _case(tmp: Path, text: str = _text) -> Result:
        done, seconds = _check_text(tmp, text)
        errors = [line for line in done.stdout.splitlines() if " 错误 " in line]
        first = errors[0].split(": 错误 ", 1)[-1][:62] if errors else "(none)"
        where = errors[0].split(": 错误 ")[0].rsplit("/", 1)[-1] if errors else ""
        return "check: error at its line, in Chinese", f"exit {done.returncode} in {seconds:.1f} s, {where}: {first}", done.returncode == 1 and bool(errors)
    scenario(_name)(_case)


@scenario("emoji, U+FEFF, Ext-B 𠀀, private use in text")
def substituted(tmp: Path) -> Result:
    import pypdf
    proj = project(tmp)
    path = proj / "reports" / "qiaokou-rongmeiti-2024.yaml"
    path.write_text(with_text("好😀字\ufeff中𠀀文\ue000完").replace("机关名称: 硚口区融媒体中心", "机关名称: 硚口区融媒体中心𠀀"), encoding="utf-8")
    done = run(["build", "-d", str(tmp / "site")], proj)
    warned = done.stderr.count(" W6 ")
    pdf = tmp / "site" / "pdf" / "qiaokou-rongmeiti-2024.pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).replace("\n", "") if pdf.exists() else ""
    html = (tmp / "site" / "reports" / "qiaokou-rongmeiti-2024.html").read_text(encoding="utf-8") if pdf.exists() else ""
    ok = done.returncode == 0 and warned >= 2 and "好〓字中〓文〓完" in text and "😀" in html and "𠀀" in html
    return ("W6 at the line; build ok; PDF shows 〓, page the text",
            f"exit {done.returncode}, {warned}× W6, PDF “{'好〓字中〓文〓完' if '好〓字中〓文〓完' in text else text[:20]}”, page keeps 😀 𠀀", ok)


@scenario("a line starting #政务公开#")
def hashtag(tmp: Path) -> Result:
    done, _ = _check_text(tmp, with_text("#政务公开#专栏上线"))
    line = next((x for x in done.stdout.splitlines() if " W7 " in x), "")
    return "W7 says it becomes a heading and how to keep #", line.split("W7 ", 1)[-1][:70], done.returncode == 0 and bool(line)


@scenario("check + page + PDF time per KB at the S7 limits (linear?)")
def linear(tmp: Path) -> Result:
    from generator.pdf import PdfSettings, find_fonts
    from generator.pdf.render import render_reports
    from generator.text import markdown_html
    from generator.validate import validate
    # Just inside every limit: 50 unclosed "<a " in the field, then lines of 50 tags, links and autolinks.
    head = "<a " * 50 + "字"
    lines = [("<b>x</b> " * 25), ("[链接](https://example.gov.cn/) " * 25), ("<https://example.gov.cn/> " * 20), "字" * 600]
    rates = []
    for count in (20, 80, 320):
        text = with_text(head + "\n" + "\n".join(lines[i % len(lines)] for i in range(count)))
        folder = tmp / f"n{count}"
        folder.mkdir()
        (folder / "qiaokou-rongmeiti-2024.yaml").write_text(text, encoding="utf-8")
        started = time.monotonic()
        result = validate([folder])
        if not result.ok:
            return "passes check", f"check refused: {[f.message[:40] for f in result.errors][:1]}", False
        report = result.valid_reports()[0]
        for body in report.sections.values():
            markdown_html(body)
        render_reports([report], PdfSettings(folder / "cache", find_fonts(), jobs=1))
        rates.append((len(text.encode()) / 1024, time.monotonic() - started))
    per_kb = [s / kb for kb, s in rates]
    ratio = per_kb[-1] / per_kb[0]
    return ("time per KB flat (ratio ≤ 2)", ", ".join(f"{kb:.0f} KB {s:.2f} s" for kb, s in rates) + f"; per-KB ratio {ratio:.2f}", ratio < 2)


# -- special files ------------------------------------------------------------------------------

@scenario("/dev/zero, FIFO, /etc/passwd symlinks in reports/")
def special_files(tmp: Path) -> Result:
    folder = tmp / "reports"
    folder.mkdir()
    (folder / "qiaokou-rongmeiti-2024.yaml").write_text(SAMPLE, encoding="utf-8")
    (folder / "zero-2024.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo-2024.yaml")
    (folder / "passwd-2024.yaml").symlink_to("/etc/passwd")
    started = time.monotonic()
    done = run(["check", str(folder)], tmp, timeout=60)
    f8 = done.stdout.count(" F8 ")
    echoed = "root:" in done.stdout + done.stderr
    ok = done.returncode == 1 and f8 == 3 and not echoed and time.monotonic() - started < 30
    return "F8 for each, no read, no hang, nothing echoed", f"exit {done.returncode} in {time.monotonic() - started:.1f} s, {f8}× F8, passwd echoed: {echoed}", ok


@scenario("a 1 GB file in reports/")
def huge_file(tmp: Path) -> Result:
    import resource

    from generator.source import read_source
    path = tmp / "big-2024.yaml"
    with path.open("wb") as f:
        f.truncate(1 << 30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    src = read_source(path)
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    ok = [f.rule for f in src.findings] == ["F7"] and grew < 50
    return "F7 after reading limit + 1 bytes", f"{src.findings[0].message[:40]}… in {time.monotonic() - started:.2f} s, RSS +{grew:.0f} MB", ok


@scenario("editor saves during a check (check cache)")
def cache_race(tmp: Path) -> Result:
    from generator import validate as v
    folder = tmp / "reports"
    folder.mkdir()
    path = folder / "qiaokou-rongmeiti-2024.yaml"
    good = SAMPLE.encode()
    bad = SAMPLE.replace("    行政许可: {本年处理决定数量: 0}", "    行政许可: {本年处理决定数量: 1.5}").encode()
    path.write_bytes(good)
    real = v.read_bytes

    def racing(p: Path) -> bytes:
        data = real(p)
        p.write_bytes(bad)
        return data

    v.read_bytes = racing
    try:
        _, first = v._validate_cached(path, (tmp / "cache", v.code_fingerprint()))
    finally:
        v.read_bytes = real
    path.write_bytes(good)
    _, again = v._validate_cached(path, (tmp / "cache", v.code_fingerprint()))
    ok = not any(f.is_error for f in first + again)
    return "result stored is the result of the bytes keyed", f"A's key holds {'A' if ok else 'B'}'s result", ok


# -- caches -------------------------------------------------------------------------------------

@scenario("truncated PDF / page body in the cache; hard links")
def broken_cache(tmp: Path) -> Result:
    import pypdf
    proj = project(tmp)
    site = tmp / "site"
    assert run(["build", "-d", str(site)], proj).returncode == 0
    cache = proj / ".nianbao-cache"
    pdfs = [p for p in (cache / "pdf").glob("*.pdf") if not p.name.startswith("bundle-")]
    for p in pdfs:
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    bodies = list((cache / "pages").glob("*.md"))
    for p in bodies:
        p.write_bytes(p.read_bytes()[:-40])
    done = run(["build", "-d", str(site)], proj)
    readable = sum(1 for p in (site / "pdf").glob("*.pdf") if len(pypdf.PdfReader(p).pages) > 0)
    signature = SAMPLE.split("署名: ", 1)[1].split("\n", 1)[0].strip()
    signed = signature in (site / "reports" / "qiaokou-rongmeiti-2024.html").read_text(encoding="utf-8")
    cached = {p.stat().st_ino for p in cache.rglob("*") if p.is_file()}
    shared = sum(1 for p in site.rglob("*") if p.is_file() and (p.stat().st_ino in cached or p.stat().st_nlink > 1))
    total = len(list((site / "pdf").glob("*.pdf")))
    ok = done.returncode == 0 and readable == total and shared == 0 and signed
    return ("re-made; every PDF readable; no site file shares a cache inode",
            f"{len(pdfs)} PDFs + {len(bodies)} bodies cut; exit {done.returncode}; {readable}/{total} PDFs readable; {shared} shared inodes", ok)


@scenario("library upgrade (Typst, Markdown, nh3, PyYAML, Pagefind)")
def versions(tmp: Path) -> Result:
    from generator import fsutil, pagecache
    from generator.pdf import PdfSettings, find_fonts
    from generator.pdf.render import cache_base
    settings = PdfSettings(tmp, find_fonts())
    before = cache_base(settings), pagecache.BodyCache(tmp).code
    changed = []
    real = fsutil.version
    for lib in ("typst", "Markdown", "nh3", "PyYAML"):
        fsutil.library_versions.cache_clear()
        fsutil.version = lambda name, lib=lib: "99" if name == lib else real(name)  # type: ignore[assignment]
        changed.append(f"{lib}: {'pdf' if cache_base(settings) != before[0] else '-'}/{'page' if pagecache.BodyCache(tmp).code != before[1] else '-'}")
    fsutil.version = real  # type: ignore[assignment]
    fsutil.library_versions.cache_clear()
    ok = all("pdf" in c for c in changed) and all("page" in c for c in changed[1:])
    return "PDF and page keys change", ", ".join(changed), ok


# -- publishing ---------------------------------------------------------------------------------

def _publish_project(tmp: Path) -> Path:
    proj = tmp / "pub"
    proj.mkdir()
    for name in ("content", "reports", "site_overrides", "generator", "scripts", "mkdocs.yml", "pyproject.toml", "dev", "README.md"):
        src = ROOT / name
        (shutil.copytree(src, proj / name, ignore=shutil.ignore_patterns("__pycache__")) if src.is_dir() else shutil.copy2(src, proj / name))
    (proj / ".venv").symlink_to(ROOT / ".venv")
    return proj


@scenario("scripts/publish onto a disk that fills up part-way")
def publish_full_disk(tmp: Path) -> Result:
    proj = _publish_project(tmp)
    disk = tmp / "disk"
    real_disk = mount_tmpfs(disk, "64m")
    try:
        target = disk / "www"
        env = ENV | {"NIANBAO_DEPLOY_TARGET": str(target), "NIANBAO_SITE_DIR": str(proj / "site"), "NIANBAO_SKIP_INSTALL": "1"}
        first = subprocess.run(["bash", "scripts/publish"], cwd=proj, env=env, capture_output=True, text=True)
        old = tree(target)
        report = proj / "reports" / "qiaokou-rongmeiti-2024.yaml"
        report.write_text(report.read_text(encoding="utf-8").replace("中心2024年在", "中心在2024年"), encoding="utf-8")
        how = "tmpfs full"
        if real_disk:
            free = shutil.disk_usage(disk).free
            with (disk / "filler").open("wb") as f:
                for _ in range((free - 64 * 1024) >> 20):
                    f.write(b"\0" * (1 << 20))
                f.write(b"\0" * ((free - 64 * 1024) % (1 << 20)))
        else:
            how = "rsync exit 11 (no mount allowed)"
            fake = tmp / "bin"
            fake.mkdir()
            (fake / "rsync").write_text(f'#!/bin/sh\n{shutil.which("rsync")} "$@"\nexit 11\n')
            (fake / "rsync").chmod(0o755)
            env = env | {"PATH": f"{fake}:{env['PATH']}"}
        second = subprocess.run(["bash", "scripts/publish"], cwd=proj, env=env, capture_output=True, text=True)
        same = tree(target) == old
        temps = [p for p in disk.rglob("*") if ".~tmp~" in p.name or ".link-" in p.name]
        releases = len(list(target.with_name("www.releases").iterdir()))
        ok = first.returncode == 0 and second.returncode != 0 and same and not temps and releases == 1
        return ("old site served whole, no temp files",
                f"{how}: exit {second.returncode}, live site unchanged: {same}, temp files {len(temps)}, releases {releases}", ok)
    finally:
        if real_disk:
            umount(disk)


@scenario("nianbao new onto a dangling symlink")
def new_symlink(tmp: Path) -> Result:
    (tmp / "reports").mkdir()
    (tmp / "reports" / "demo-2025.yaml").symlink_to(tmp / "outside.yaml")
    done = run(["new", "--agency", "demo", "--year", "2025", "--reports", "reports"], tmp)
    return "refused, nothing written outside", f"exit {done.returncode}, outside file exists: {(tmp / 'outside.yaml').exists()}", \
        done.returncode == 1 and not (tmp / "outside.yaml").exists()


@scenario("3 MB .docx zip bomb")
def zip_bomb(tmp: Path) -> Result:
    bomb = tmp / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as m:
            for _ in range(3000):
                m.write(b"\0" * (1 << 20))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path\n"
            "from generator.importer.text import read_document, UnreadableInput\n"
            "try: read_document(Path(sys.argv[2]))\nexcept UnreadableInput as e: print(str(e)[:50])\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec
            "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')) // 1024)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(bomb)], capture_output=True, text=True, env=ENV)
    message, rss = (done.stdout.strip().splitlines() + ["", "0"])[:2]
    return "refused before inflating", f"{bomb.stat().st_size / 1e6:.1f} MB zip: “{message[-30:]}…”, peak RSS {rss} MB", "解压后" in message and int(rss) < 200


@scenario("terminal escape codes in a key")
def escapes(tmp: Path) -> Result:
    done, _ = _check_text(tmp, SAMPLE.replace("机关名称:", '"\\e[32m检查通过\\e[0m": x\n机关名称:', 1))
    raw = "\x1b" in done.stdout + done.stderr
    shown = "\\x1b[32m" in done.stdout
    return "shown as \\x1b, never sent raw", f"raw ESC in output: {raw}; shown as \\x1b[32m: {shown}", not raw and shown


@scenario("full disk during a build (cache on a 300 KB tmpfs)")
def full_disk_build(tmp: Path) -> Result:
    proj = project(tmp)
    cache = proj / ".nianbao-cache"
    if not mount_tmpfs(cache, "300k"):
        return "Chinese error, no .tmp left", "skipped: mounting needs root", False
    try:
        done = run(["build", "-d", str(tmp / "site")], proj)
        temps = [p for p in cache.rglob("*") if p.name.endswith(".tmp")]
        ok = done.returncode == 1 and "磁盘空间不足" in done.stderr and "内部错误" not in done.stderr and not temps
        return "Chinese error, no .tmp left", f"exit {done.returncode}: {last_line(done.stderr)[:50]}…; .tmp left {len(temps)}", ok
    finally:
        umount(cache)


@scenario("full-width ＝ at the start of a CSV cell")
def csv_formula(tmp: Path) -> Result:
    from generator.export import _csv_value
    seen = _csv_value("＝HYPERLINK(\"x\")")
    return "quoted with '", str(seen), str(seen).startswith("'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    args = parser.parse_args()
    rows = []
    for name, fn in SCENARIOS:
        if args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="nb-fault-") as tmp:
            started = time.monotonic()
            try:
                expected, seen, ok = fn(Path(tmp))
            except Exception as exc:  # a scenario that crashes is a failed scenario, shown as such
                expected, seen, ok = "-", f"CRASHED: {type(exc).__name__}: {exc}"[:120], False
            rows.append((name, expected, seen, ok, time.monotonic() - started))
            print(f"  {'ok ' if ok else 'BAD'} {name} ({rows[-1][4]:.0f} s)", file=sys.stderr, flush=True)
    print("| scenario | expected | seen | ok |\n|---|---|---|---|")
    for name, expected, seen, ok, _ in rows:
        print(f"| {name} | {expected} | {seen} | {'yes' if ok else 'NO'} |")
    print(f"\n{sum(r[3] for r in rows)}/{len(rows)} scenarios handled")
    if not all(r[3] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
