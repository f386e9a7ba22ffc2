"""Read who published a report and when: agency, year, contact, 落款, agency id and kind.

The agency name and year come from the title (``硚口区融媒体中心2024年政府…``), the year also from
the statistical period of the lead; the contact from the lead's ``请联系：…，地址：…，电话：…``; the
署名 and date from the 落款. What the text does not say is left ``待填`` with a note, never made up:
the agency id in particular is never transliterated from the Chinese name.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..dates import chinese_date
from ..formats import AGENCY_KINDS
from ..schema import PHONE_PATTERN
from ..writer import MISSING
from .sections import Parts
from .text import Note

_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_REPORT_WORDS = re.compile(r"^政府|政府信息公开|年度报告")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_STEM = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{4})$")
_STOP = r"(?=[，,；;。）)]|邮编|邮政编码|电话|传真|$)"
_ORGANIZATION = (
    re.compile(r"联系(?:单位|机构|部门)?[：:]\s*(.+?)(?=[，,；;。（(]|地址|电话|$)"),
    re.compile(r"(?:请|可)(?:与|向)(.+?)(?:联系|咨询)"),
    re.compile(r"(?:请|可)(?:联系|咨询)\s*(.+?)(?=[，,；;。（(]|地址|电话|$)"),
)
# Breadcrumbs a page or a crawler puts before the title: 首页 > 政务公开 > …
_CRUMBS = re.compile(r"^.*(?:[>＞»›]|当前位置[：:])")
_ADDRESS = re.compile(rf"地址(?:为|是)?[：:]?\s*(.+?){_STOP}")
_PHONE = re.compile(r"电话(?:号码)?(?:\s*[/、及和]\s*传真)?(?:为|是)?[：:]?\s*([0-9０-９()（）+\-－—、/ 转]*[0-9０-９])")


@dataclass
class Metadata:
    """The report's metadata; an empty string is a value the editor must fill."""

    agency: str = ""
    agency_id: str = ""
    region: str = ""
    kind: str = ""
    year: int | None = None
    contact: dict[str, str] = field(default_factory=dict)
    signature: str = ""
    date: datetime.date | None = None
    notes: list[Note] = field(default_factory=list)


def read_metadata(parts: Parts, lead: str, source: Path, agency_id: str | None, region: str | None, kind: str | None) -> Metadata:
    """Return the metadata of a report split into ``parts``; options given by the editor win."""
    meta = Metadata()
    meta.agency, meta.year = agency_and_year([line.text for line in parts.title])
    period = _PERIOD.search(lead)
    if period:
        if meta.year is None:
            meta.year = int(period[1])
        elif int(period[1]) != meta.year:
            meta.notes.append(Note(f"标题中的年度 {meta.year} 与导语中的统计期限（{period[1]}年）不一致，已按标题填写，请核对"))
    if meta.year is None:
        dated = f"（落款日期为 {chinese_date(parts.date)}，通常是上一年度的报告）" if parts.date else ""
        meta.notes.append(Note(f"原文没有写明报告年度{dated}，“年度”已写作“{MISSING}”"))
    meta.contact = _contact(lead, meta.notes)
    if parts.signature is not None:
        meta.signature = parts.signature.text.strip()
    else:
        meta.notes.append(Note(f"原文末尾没有找到落款的机关名称，“落款/署名”已写作“{MISSING}”"))
    meta.date = parts.date
    if meta.date is None:
        meta.notes.append(Note(f"原文末尾没有找到落款日期（如 2025年1月7日），“落款/日期”已写作“{MISSING}”"))
    if not meta.agency and meta.signature:
        meta.agency = meta.signature
        meta.notes.append(Note(f"标题中没有机关名称，“机关名称”已按落款填写为“{meta.signature}”，请核对"))
    elif not meta.agency:
        meta.notes.append(Note(f"原文没有写明机关名称，“机关名称”已写作“{MISSING}”"))
    meta.agency_id = _agency_id(agency_id, source, meta.year, meta.notes)
    meta.region = _region(region, meta.notes)
    meta.kind = _kind(kind, meta.agency, meta.notes)
    return meta


def agency_and_year(lines: list[str]) -> tuple[str, int | None]:
    """Return the agency and year of the title: ``<机关>2024年政府…`` or ``2024年<机关>政府…``.

    Web pages put navigation and 发布时间 lines around the title: the title is the line whose year
    is followed by the words of a report title; a name printed on the line above counts too.
    """
    lines = [_CRUMBS.sub("", re.sub(r"\s+", "", line)) for line in lines if line.strip()]
    lines = [line for line in lines if line]
    found = [(i, m) for i, line in enumerate(lines) if (m := _TITLE_YEAR.search(line))]
    titled = [(i, m) for i, m in found if _REPORT_WORDS.search(lines[i][m.end() :])]
    if not (titled or found):
        joined = "".join(lines)
        return (joined.split("政府信息公开")[0] if "政府信息公开" in joined else ""), None
    i, m = (titled or found)[0]
    before, after = lines[i][: m.start()], lines[i][m.end() :]
    name = before or after.split("政府信息公开")[0]
    if not name and i:
        name = lines[i - 1]
    return name.removesuffix("关于").strip("：:，,"), int(m[1])


def _contact(lead: str, notes: list[Note]) -> dict[str, str]:
    """Return 机构, 地址, 电话 from the lead's contact sentence; each one missing gets a note."""
    contact: dict[str, str] = {}
    for pattern in _ORGANIZATION:
        m = pattern.search(lead)
        if m and m[1].strip():
            contact["机构"] = m[1].strip("：: ")
            break
    m = _ADDRESS.search(lead)
    if m and m[1].strip():
        contact["地址"] = m[1].strip()
    m = _PHONE.search(lead)
    if m and re.match(PHONE_PATTERN, m[1].strip()):
        contact["电话"] = m[1].strip()
    for key in ("机构", "地址", "电话"):
        if key not in contact:
            notes.append(Note(f"导语中没有找到联系{key}，“联系方式/{key}”已写作“{MISSING}”"))
    return contact


def _agency_id(given: str | None, source: Path, year: int | None, notes: list[Note]) -> str:
    """Return the agency id: as given, or from an input file named ``<id>-<year>.*``; never invented."""
    if given:
        return given
    m = _STEM.match(source.stem)
    if m and (year is None or int(m[2]) == year):
        notes.append(Note(f"机关代码按输入文件名取为 {m[1]}，请核对"))
        return m[1]
    notes.append(
        Note(
            f"机关代码不能从原文得出（只能用小写字母、数字和连字符，nianbao 不会把中文名称自行转写为拼音），"
            f"已写作“{MISSING}”；请用 --agency 指定，如 --agency qiaokou-rongmeiti"
        )
    )
    return ""


def _region(given: str | None, notes: list[Note]) -> str:
    if given:
        return given
    notes.append(Note(f"原文没有写明行政区划，“地区”已写作“{MISSING}”；可用 --region 指定，如 --region 湖北省/武汉市/硚口区"))
    return ""


def _kind(given: str | None, agency: str, notes: list[Note]) -> str:
    """Return the agency kind: as given, else only where the name says it (人民政府, 街道办事处)."""
    if given:
        return given
    if agency.endswith(("街道办事处", "镇人民政府", "乡人民政府")):
        kind = "乡镇街道"
    elif agency.endswith("人民政府"):
        kind = "人民政府"
    else:
        notes.append(Note(f"机关类别不能从原文判断，已写作“{MISSING}”；可用 --kind 指定：{'、'.join(AGENCY_KINDS)}"))
        return ""
    notes.append(Note(f"机关类别按机关名称“{agency}”取为“{kind}”，请核对"))
    return kind
