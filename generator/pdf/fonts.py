"""Choose the faces of an official document from the fonts that are installed.

GB/T 9704-2012 sets the body in 仿宋, first-level headings in 黑体, second-level headings in 楷体
and the title in 小标宋. Agencies rarely have all of them on a build server, so each role falls
back to Debian's ``fonts-noto-cjk`` (Noto Serif/Sans CJK SC), which is always the last family of
every list: a character missing from a licensed face (many GB2312 faces lack 硚) is still set.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import typst

# Debian's fonts-noto-cjk; searched even where the system font scan would miss it.
DEFAULT_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"),)

# Family names as fonts report them (English names; some Chinese faces name themselves in Chinese).
_FANGSONG = re.compile(r"fang ?song|仿宋", re.I)
_KAI = re.compile(r"kaiti|\bkai\b|fzkai|ukai|楷", re.I)
_HEI = re.compile(r"simhei|heiti|fzhei|黑体", re.I)
_XIAOBIAOSONG = re.compile(r"xiaobiaosong|小标宋", re.I)
# Serif (宋体) and sans faces with a full simplified-Chinese repertoire, best first.
_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "SimSun", "Songti SC", "STSong")
_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei", "PingFang SC")

REGULAR, BOLD = 400, 700


class FontError(Exception):
    """No Chinese font: a PDF would show empty boxes, so the build must stop."""


@dataclass(frozen=True)
class Face:
    """The families (best first) and weight of one typographic role."""

    families: tuple[str, ...]
    weight: int = REGULAR

    def as_json(self) -> dict[str, object]:
        return {"families": list(self.families), "weight": self.weight}


@dataclass(frozen=True)
class FontSet:
    """The faces of every role, and the font files and directories they come from."""

    dirs: tuple[str, ...]  # font directories handed to Typst besides the system fonts
    title: Face
    body: Face
    heading: Face
    subheading: Face
    serif: Face  # page numbers, cover
    files: tuple[str, ...] = field(default=(), repr=False)
    system: bool = True
    # (the face GB/T 9704 asks for, the role, the face used instead) for each face not installed
    fallbacks: tuple[tuple[str, str, str], ...] = ()

    def fallback_warning(self) -> str:
        """Return the build warning naming each missing face and what is used instead (empty when none is missing)."""
        if not self.fallbacks:
            return ""
        items = "；".join(f"{role}应使用{face}，未找到，改用 {used}" for face, role, used in self.fallbacks)
        return (
            f"PDF 字体不全：{items}。PDF 仍可生成，但不符合 GB/T 9704 的字体要求。"
            "请安装这些字体，或在 mkdocs.yml 的 fonts 中填写其所在目录。"
        )

    def as_json(self) -> dict[str, object]:
        roles = ("title", "body", "heading", "subheading", "serif")
        return {role: getattr(self, role).as_json() for role in roles}

    def fingerprint(self) -> str:
        """Return a hash of the chosen faces and their files, for the render cache key."""
        digest = hashlib.sha256(repr(self.as_json()).encode())
        for path in self.files:
            try:
                st = os.stat(path)
            except OSError:
                continue
            # Size and mtime, not content: hashing 100 MB of CJK fonts on every build would cost more than rendering.
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return digest.hexdigest()


def _first(families: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    """Return the installed family that ``pattern`` names, or None."""
    matches = sorted(f for f in families if pattern.search(f))
    # Prefer simplified-Chinese variants (…SC, …GB2312) of a face when several are installed.
    matches.sort(key=lambda f: 0 if re.search(r"\bSC\b|GB2312|GBK|简", f) else 1)
    return matches[0] if matches else None


def _chain(*families: str | None) -> tuple[str, ...]:
    """Return a fallback list of families, without gaps or repeats."""
    out: list[str] = []
    for f in families:
        if f and f not in out:
            out.append(f)
    return tuple(out)


def find_fonts(extra_dirs: Sequence[str | Path] = (), system: bool = True) -> FontSet:
    """Return the faces for each role from ``extra_dirs``, Debian's Noto CJK and the system fonts.

    Raise FontError, with a message for editors, when no Chinese face is found.
    """
    missing = [str(d) for d in extra_dirs if not Path(d).is_dir()]
    if missing:
        raise FontError(f"mkdocs.yml 中 fonts 配置的字体目录不存在：{'、'.join(missing)}")
    dirs = tuple(str(Path(d).resolve()) for d in extra_dirs) + tuple(str(d) for d in DEFAULT_FONT_DIRS if d.is_dir())
    infos = typst.Fonts(include_system_fonts=system, include_embedded_fonts=False, font_paths=list(dirs)).fonts()
    families = {info.family for info in infos}

    serif = next((f for f in _SERIF if f in families), None)
    sans = next((f for f in _SANS if f in families), None)
    fangsong = _first(families, _FANGSONG)
    kai = _first(families, _KAI)
    hei = _first(families, _HEI)
    xbs = _first(families, _XIAOBIAOSONG)
    if not (serif or fangsong or sans or hei):
        searched = "、".join(dirs) if dirs else "（无）"
        raise FontError(
            "未找到中文字体，无法生成 PDF（否则文字会显示为空白方框）。"
            "请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
            f"或在 mkdocs.yml 的 fonts 中填写中文字体所在的目录。已查找：{searched} 和系统字体目录。"
        )
    base = serif or fangsong or sans or hei
    assert base is not None
    body = _chain(fangsong, serif, base)
    fonts = FontSet(
        dirs=dirs,
        # 小标宋 is heavy by design and has one weight; a 宋体 title needs its real bold face.
        title=Face(_chain(xbs, serif, base), REGULAR) if xbs else Face(_chain(serif, base), BOLD),
        body=Face(body),
        heading=Face(_chain(hei, sans, base)),
        # Without a 楷体, the serif's real bold face sets second-level heads apart from the body.
        subheading=Face(_chain(kai, *body)) if kai else Face(_chain(serif, base), BOLD),
        serif=Face(_chain(serif, base)),
        system=system,
    )
    used = set(fonts.title.families + fonts.body.families + fonts.heading.families + fonts.subheading.families)
    files = sorted({info.path for info in infos if info.family in used and info.path})
    fallbacks = tuple(
        (face, role, _described(chosen))
        for face, role, found, chosen in (
            ("小标宋", "标题", xbs, fonts.title),
            ("仿宋", "正文", fangsong, fonts.body),
            ("黑体", "一级标题", hei, fonts.heading),
            ("楷体", "二级标题", kai, fonts.subheading),
        )
        if found is None
    )
    return FontSet(
        fonts.dirs, fonts.title, fonts.body, fonts.heading, fonts.subheading, fonts.serif, tuple(files), system, fallbacks
    )


def _described(face: Face) -> str:
    """Return the family a role falls back to, as the build warning names it (``Noto Serif CJK SC 粗体``)."""
    return face.families[0] + (" 粗体" if face.weight >= BOLD else "")
