"""Generate N synthetic reports of real size: regions, agencies, years and balanced tables.

Every file passes ``nianbao check`` without findings: tables balance (R1–R4), last year's carried-over
applications reappear (W1), stock of documents carries on (W2), the prose quotes the tables (W3),
dates meet the deadline (W4) and people's governments report their duties (W5)
(tests/test_check_index.py checks both corpora).

The figures the default corpus is drawn from, and where they come from:

- Size of a file: log-normal, median 10 KB, sigma 0.3, clipped to 5–20 KB (10th–90th percentile
  7.5–14.6 KB, 10,000 files 106 MB). Real ones: the 2024 report of 乔口镇融媒体中心
  (/work/shared/samples) is 7.9 KB of text and 11.3 KB as YAML; real city and county reports run
  9–17 KB of text; the six reports of reports/ are 10.3–13.3 KB of YAML. The tables and head of a
  file already take 7.3 KB, so that is the floor in practice; prose paragraphs fill the rest.
- Prose: paragraphs of 60–320 characters, the bytes over the floor shared out as in reports/
  (一、总体情况 62 %, spread over its five subsections, 五 15 %, 六 10 %, 二/三/四 5/5/3 %):
  一、总体情况 has a median of 14 paragraphs and headings (reports/: 11–12), the others 1–7.
- Applications a year (表二 一、新收): log-normal per kind of agency, median 4 for a 乡镇街道, 12
  for a 部门, 60 for a county's 人民政府 (reports/: 0, 12, 40 and 60–70). One region in ten is a
  city's own agencies, where the 公安局 (median 2,500), 自然资源和规划局 (1,800) and 人民政府
  (1,200) receive thousands (sigma 0.5) and other departments three times a county's. At 10,000
  reports (seed 1): median 10 applications, 90th percentile 47, 99th 221, 56 reports with 1,000 or
  more, the largest 6,219 — every table still balanced.
- Zeros: only the result rows and applicant columns a report uses are non-zero — 1 + 2·log2(1 +
  handled) result rows, the columns other than 自然人 each with probability handled/30 — so the
  share of non-zero cells of 表二 has a median of 4 % and a 90th percentile of 14 % (reports/: 0 %,
  8 %, 19–26 %); 表三 has one review per ~80 and one lawsuit per ~250 applications (99th
  percentile 6 cases, the largest 123); 45 % of 表一's cells are 0.
- Regions: one per 100 reports (~100 regions per 10,000), each with 1–60 agencies (triangular,
  mode 12, mean ~24: a 人民政府, departments, and 乡镇街道 for the rest), each agency reporting
  2020 (the 2019 format), 2022, 2023 and 2024. At 10,000: 97 regions of 2–56 agencies, median 23.

``--small`` writes the first corpus instead (7.2–7.6 KB each, 11 agencies a district, every cell
drawn non-zero), kept for comparison with earlier measurements.

    .venv/bin/python bench/synth.py N OUT_DIR [--seed S] [--small]
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.formats import (  # noqa: E402
    APPLICANTS,
    FORMATS,
    IN_FORCE,
    ISSUED,
    LITIGATION,
    LITIGATION_KINDS,
    OUTCOMES,
    REPEALED,
    REVIEW,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_NEW,
    ROW_RESULTS,
    STOCK_BLOCK,
    STOCK_ROWS,
    FormatDef,
)
from generator.writer import render_report  # noqa: E402

SYLLABLES = "东西南北中安平和兴华宁康泰丰盛新江河湖山川林源清明阳春秋云海德福永长乐嘉佳通"
DEPARTMENTS = [
    ("jiaoyu", "教育局"), ("gongan", "公安局"), ("minzheng", "民政局"), ("caizheng", "财政局"),
    ("renshe", "人力资源和社会保障局"), ("ziran", "自然资源和规划局"), ("shengtai", "生态环境局"),
    ("zhujian", "住房和城乡建设局"), ("jiaotong", "交通运输局"), ("nongye", "农业农村局"),
    ("shangwu", "商务局"), ("weijian", "卫生健康委员会"), ("shijian", "市场监督管理局"),
    ("yingji", "应急管理局"), ("shuiwu", "水务局"), ("wenlv", "文化和旅游局"), ("tongji", "统计局"),
    ("yibao", "医疗保障局"), ("xinfang", "信访局"), ("sifa", "司法局"),
]
OPENERS = [
    "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，",
    "围绕中心工作，进一步完善政府信息公开工作机制，",
    "按照上级关于政务公开工作的部署要求，持续深化政务公开，",
    "以提升政务公开质量为目标，不断拓展公开内容、创新公开方式，",
]
WORK = [
    "及时公开机构职能、规划计划、财政预决算等信息",
    "围绕重点领域做好政策文件解读",
    "规范依申请公开办理流程，严格按照法定时限答复",
    "加强政府网站和政务新媒体的日常管理",
    "组织开展政务公开业务培训",
    "完善信息发布审核机制，确保发布信息准确规范",
    "开展政策性文件清理，及时更新现行有效文件目录",
    "推进基层政务公开标准化规范化建设",
]
PROBLEMS = [
    "政策解读形式还不够丰富", "部分栏目信息更新不够及时", "依申请公开答复的规范性有待提升",
    "工作人员业务能力还需加强", "公开内容与群众需求结合不够紧密",
]


def _name(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def _pinyin_id(rng: random.Random, prefix: str, i: int) -> str:
    return f"{prefix}{i:04d}"


def make_regions(rng: random.Random, districts: int) -> list[tuple[str, str, str]]:
    """Return ``districts`` (province, city, district) triples with unique names."""
    out: set[tuple[str, str, str]] = set()
    provinces = [_name(rng) + "省" for _ in range(max(1, districts // 40))]
    cities = {p: [_name(rng) + "市" for _ in range(4)] for p in provinces}
    while len(out) < districts:
        p = rng.choice(provinces)
        out.add((p, rng.choice(cities[p]), _name(rng) + rng.choice(("区", "县"))))
    return sorted(out)


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` over len(weights) parts, roughly by weight."""
    parts = [0] * len(weights)
    for _ in range(total):
        parts[rng.choices(range(len(weights)), weights)[0]] += 1
    return parts


def make_tables(rng: random.Random, fmt: FormatDef, carried_in: list[int], scale: int, stock: dict[str, int]) -> dict[str, dict[tuple[str, ...], Any]]:
    """Return balanced tables; ``carried_in`` is last year's 四 per applicant column."""
    weights = [0.86, 0.07, 0.005, 0.01, 0.03, 0.025]
    table2: dict[tuple[str, ...], Any] = {}
    result_rows = sorted(
        {c.path[:-1] for c in fmt.table["表二"].cells if c.path[0] == ROW_RESULTS and not c.total},
        key=lambda p: [c.path[:-1] for c in fmt.table["表二"].cells].index(p),
    )
    row_weights = [40.0, 8.0] + [rng.choice((0.2, 0.5, 1.0, 3.0)) for _ in result_rows[2:]]
    handled_total = max(0, int(rng.gauss(scale, scale / 3)))
    per_col = _split(rng, handled_total, weights)
    carried_out = [rng.randint(0, max(1, c // 12)) if c else 0 for c in per_col]
    for col_index, column in enumerate(APPLICANTS):
        counts = _split(rng, per_col[col_index], row_weights)
        for row, n in zip(result_rows, counts, strict=True):
            table2[(*row, column)] = n
        new = per_col[col_index] + carried_out[col_index] - carried_in[col_index]
        if new < 0:  # more carried in than handled: handle the rest as disclosed
            table2[(*result_rows[0], column)] += -new
            new = 0
        table2[(ROW_NEW, column)] = new
        table2[(ROW_CARRIED_IN, column)] = carried_in[col_index]
        table2[(ROW_CARRIED_OUT, column)] = carried_out[col_index]
    table3: dict[tuple[str, ...], Any] = {}
    for group in ((REVIEW,), *((LITIGATION, k) for k in LITIGATION_KINDS)):
        for outcome in OUTCOMES:
            table3[(*group, outcome)] = rng.choice((0, 0, 0, 1, 1, 2, 3)) if scale > 20 else rng.choice((0, 0, 1))
    table1: dict[tuple[str, ...], Any] = {}
    for cell in fmt.table["表一"].cells:
        if cell.kind.value == "amount":
            table1[cell.path] = Decimal(rng.randint(0, 500000)) / 100
        elif cell.kind.value == "signed":
            table1[cell.path] = rng.randint(-20, 20)
        else:
            table1[cell.path] = rng.randint(0, 60)
    if fmt.id == 2021:
        for row in STOCK_ROWS:
            issued, repealed = rng.randint(0, 8), rng.randint(0, 3)
            previous = stock.get(row, rng.randint(5, 60))
            repealed = min(repealed, previous + issued)
            table1[(STOCK_BLOCK, row, ISSUED)] = issued
            table1[(STOCK_BLOCK, row, REPEALED)] = repealed
            table1[(STOCK_BLOCK, row, IN_FORCE)] = previous + issued - repealed
            stock[row] = previous + issued - repealed
    return {"表一": table1, "表二": table2, "表三": table3}


def _sum(values: dict[tuple[str, ...], Any], row: tuple[str, ...]) -> int:
    return sum(values[(*row, c)] for c in APPLICANTS)


def make_text(rng: random.Random, agency: str, kind: str, year: int, tables: dict[str, Any]) -> dict[str, str]:
    t2, t3 = tables["表二"], tables["表三"]
    new, carried_in, carried_out = (_sum(t2, (r,)) for r in (ROW_NEW, ROW_CARRIED_IN, ROW_CARRIED_OUT))
    review = sum(t3[(REVIEW, o)] for o in OUTCOMES)
    litigation = sum(t3[(LITIGATION, k, o)] for k in LITIGATION_KINDS for o in OUTCOMES)
    work = rng.sample(WORK, 5)
    duties = (
        "\n\n## （五）监督保障\n\n将政务公开工作纳入年度绩效考核，开展社会评议，"
        f"{year}年度未发生因政府信息公开工作被责任追究的情况。"
        if kind == "人民政府"
        else f"\n\n## （五）监督保障\n\n加强工作监督，{year}年度未发生因政府信息公开工作被问责的情况。"
    )
    overview = (
        f"{year}年，{agency}{rng.choice(OPENERS)}{work[0]}。\n\n## （一）主动公开\n\n{work[1]}，{work[2]}。"
        f"\n\n## （二）依申请公开\n\n全年新收政府信息公开申请{new}件，上年结转{carried_in}件，"
        f"结转下年度继续办理{carried_out}件。\n\n## （三）政府信息管理\n\n{work[3]}。"
        f"\n\n## （四）政府信息公开平台建设\n\n{work[4]}。" + duties
    )
    problems = rng.sample(PROBLEMS, 2)
    return {
        "导语": (
            "依据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求，"
            f"编制本报告。所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        ),
        "一、总体情况": overview,
        "二、主动公开政府信息情况": f"{year}年，{agency}主动公开政府信息情况如下：",
        "四、政府信息公开行政复议、行政诉讼情况": f"{year}年，因政府信息公开被申请行政复议{review}件，被提起行政诉讼{litigation}件。",
        "五、存在的主要问题及改进情况": f"{year}年度存在的主要问题：一是{problems[0]}；二是{problems[1]}。下一步将针对问题逐项整改。",
        "六、其他需要报告的事项": f"{year}年度，{agency}未收取信息处理费。",
    }


def _report_data(rng: random.Random, agency: dict[str, Any], year: int, fmt: FormatDef, text: dict[str, str],
                 tables: dict[str, Any], date: datetime.date, place: str) -> dict[str, Any]:
    """Return a report file's fields (its contact drawn from ``rng``, at an address in ``place``)."""
    return {
        "机关名称": agency["name"], "机关代码": agency["id"], "地区": "/".join(agency["region"]),
        "机关类别": agency["kind"], "年度": year, "格式": fmt.id,
        "联系方式": {"机构": f"{agency['name']}办公室", "地址": f"{place}人民路{rng.randint(1, 300)}号",
                  "电话": f"0{rng.randint(100, 999)}-{rng.randint(10000000, 99999999)}"},
        **text,
        "落款": {"署名": agency["name"], "日期": date},
        "tables": tables,
    }


def _report_path(out: Path, agency: dict[str, Any], year: int) -> tuple[Path, str]:
    """Return where a report goes (under its province and city) and the relative path of the schema from there."""
    folder = out / agency["region"][0] / agency["region"][1]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{agency['id']}-{year}.yaml"
    depth = len(path.relative_to(out).parts) - 1
    return path, "../" * (depth + 1) + "content/schema/report.schema.json"


def generate_small(n: int, out: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` reports of the first corpus (7.2–7.6 KB each, 11 agencies a district); return their paths."""
    rng = random.Random(seed)
    years = [2020, 2022, 2023, 2024] if n >= 8 else [2024]
    agencies_needed = max(1, round(n / len(years)))
    per_district = 1 + 1 + len(DEPARTMENTS) // 2  # government, a street office, departments
    regions = make_regions(rng, max(1, agencies_needed // per_district + 1))
    agencies: list[dict[str, Any]] = []
    for d, (province, city, district) in enumerate(regions):
        base = f"d{d:04d}"
        agencies.append({"id": f"{base}-zf", "name": f"{district}人民政府", "kind": "人民政府", "region": (province, city, district)})
        agencies.append({"id": f"{base}-jd", "name": f"{district}{_name(rng)}街道办事处", "kind": "乡镇街道", "region": (province, city, district)})
        for code, dept in rng.sample(DEPARTMENTS, per_district - 2):
            agencies.append({"id": f"{base}-{code}", "name": f"{district}{dept}", "kind": "部门", "region": (province, city, district)})
    paths: list[Path] = []
    for agency in agencies:
        carried = [0] * len(APPLICANTS)
        stock: dict[str, int] = {}
        scale = {"人民政府": 120, "部门": 30, "乡镇街道": 8}[agency["kind"]]
        for year in years:
            if len(paths) >= n:
                return paths
            fmt = FORMATS[2019 if year <= 2020 else 2021]
            if year == 2022:  # a gap year: W1 compares only consecutive years
                carried = [0] * len(APPLICANTS)
            tables = make_tables(rng, fmt, carried, scale, stock)
            carried = [tables["表二"][(ROW_CARRIED_OUT, c)] for c in APPLICANTS]
            deadline_month = 3 if agency["kind"] == "人民政府" else 1
            date = datetime.date(year + 1, deadline_month, rng.randint(5, 28))
            text = make_text(rng, agency["name"], agency["kind"], year, tables)
            data = _report_data(rng, agency, year, fmt, text, tables, date, agency["region"][2])
            path, schema = _report_path(out, agency, year)
            path.write_text(render_report(data, schema, with_totals=False), encoding="utf-8")
            paths.append(path)
    return paths


# -- the realistic corpus (the default) ------------------------------------------------------------

# The figures the corpus is drawn from (see the module docstring for where they come from).
MEDIAN_BYTES, SIGMA_BYTES, MIN_BYTES, MAX_BYTES = 10_000, 0.3, 5_000, 20_000
REPORTS_PER_REGION = 100  # ~100 regions per 10,000 reports
AGENCIES_PER_REGION = (1, 60)
CITY_SHARE = 0.1  # regions that are a city's own agencies, with the big ones
# Applications a year: (median, sigma) of a log-normal per kind of agency.
APPLICATIONS = {"乡镇街道": (4.0, 0.9), "部门": (12.0, 1.0), "人民政府": (60.0, 0.7)}
# A city's 公安局, 自然资源和规划局 and 人民政府 receive thousands (the tail); its other departments 3 times more.
BIG_CITY_AGENCIES = {"gongan": 2500.0, "ziran": 1800.0, "zf": 1200.0}
MORE_DEPARTMENTS = [
    ("fagai", "发展和改革委员会"), ("gongxin", "工业和信息化局"), ("keji", "科学技术局"), ("minzu", "民族宗教事务局"),
    ("tuiyi", "退役军人事务局"), ("shenji", "审计局"), ("guozi", "国有资产监督管理委员会"), ("tiyu", "体育局"),
    ("linye", "林业局"), ("chengguan", "城市管理局"), ("zhengwu", "政务服务数据管理局"), ("renfang", "人民防空办公室"),
    ("qixiang", "气象局"), ("dangan", "档案局"), ("gongshang", "工商业联合会"), ("xiaofang", "消防救援大队"),
]
DEPARTMENTS_ALL = DEPARTMENTS + MORE_DEPARTMENTS
SECTION_WEIGHTS = {"一、总体情况": 0.62, "二、主动公开政府信息情况": 0.05, "三、收到和处理政府信息公开申请情况": 0.05,
                   "四、政府信息公开行政复议、行政诉讼情况": 0.03, "五、存在的主要问题及改进情况": 0.15, "六、其他需要报告的事项": 0.10}
PARAGRAPH_CHARS = (60, 320)  # a paragraph of a real report: 60–320 characters, ~3 bytes each
# Sentences of the padding prose: none states a count of applications, reviews or lawsuits (W3).
SENTENCES = [
    "全年通过门户网站主动公开政府信息{n}条，其中机构职能类{m}条",
    "发布政策解读材料{m}篇，采用图解、短视频、问答等形式解读政策",
    "围绕{topic}等群众关心关注的事项，不断加大信息公开力度",
    "严格执行信息发布“三审”制度和保密审查制度，全年未发生泄密事件",
    "及时更新政府信息公开指南和主动公开目录，方便群众查阅",
    "开展政务公开业务培训{m}次，参训人员{n}人次",
    "依托政务新媒体发布信息{n}条，关注人数达到{m}万",
    "在政务服务大厅设置政府信息公开查阅点，提供免费查阅服务",
    "对涉及个人信息的公示名单进行去标识化处理后再行公开",
    "完善依申请公开登记、审核、办理、答复、归档全流程管理",
    "将政务公开工作纳入年度重点工作，明确专人负责",
    "组织开展政务公开专项检查{m}次，督促整改问题{n}个",
    "围绕{topic}开展政策吹风会和新闻发布会{m}场",
    "做好人大代表建议和政协委员提案办理结果公开工作，公开复文{m}件",
    "持续推进基层政务公开标准化规范化，编制公开事项目录{m}项",
    "加强历史文件整理，对{n}份历史文件进行数字化处理",
]
TOPICS = ["招生入学", "社会保障", "医疗卫生", "生态环境", "安全生产", "乡村振兴", "营商环境", "食品药品监管",
          "住房保障", "交通出行", "财政预决算", "重大建设项目", "公共文化服务", "就业创业"]


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * rng.lognormvariate(0.0, sigma)


def _agencies_per_region(rng: random.Random, regions: int, agencies: int) -> list[int]:
    """Return each region's number of agencies (1–60), summing to ``agencies``."""
    low, high = AGENCIES_PER_REGION
    drawn = [rng.triangular(low, high, 12) for _ in range(regions)]  # mean 24: ~25 agencies × 4 years per 100 reports
    counts = [max(low, min(high, round(d * agencies / sum(drawn)))) for d in drawn]
    while sum(counts) != agencies:
        i = rng.randrange(regions)
        if sum(counts) < agencies and counts[i] < high:
            counts[i] += 1
        elif sum(counts) > agencies and counts[i] > low:
            counts[i] -= 1
    return counts


def _real_agencies(rng: random.Random, n: int, years: int) -> list[dict[str, Any]]:
    """Return the agencies: ~n/100 regions, each a government, departments and streets (1–60 in all)."""
    count = max(1, -(-n // years))
    regions = max(1, round(n / REPORTS_PER_REGION))
    sizes = _agencies_per_region(rng, regions, min(count, regions * AGENCIES_PER_REGION[1]))
    places = make_regions(rng, regions)
    agencies: list[dict[str, Any]] = []
    for d, ((province, city, district), size) in enumerate(zip(places, sizes, strict=True)):
        is_city = rng.random() < CITY_SHARE
        place = city if is_city else district
        region = (province, city) if is_city else (province, city, district)
        base = f"r{d:03d}"
        members = [("zf", f"{place}人民政府", "人民政府")]
        departments = rng.sample(DEPARTMENTS_ALL, min(len(DEPARTMENTS_ALL), round((size - 1) * 0.65)))
        if is_city and size > 1 and all(code != "gongan" for code, _ in departments):
            departments[0] = ("gongan", "公安局")
        members += [(code, f"{place}{dept}", "部门") for code, dept in departments]
        members += [(f"jd{j:02d}", f"{place}{_name(rng)}{rng.choice(('街道办事处', '镇人民政府', '乡人民政府'))}", "乡镇街道")
                    for j in range(size - len(members))]
        for code, name, kind in members[:size]:
            median, sigma = APPLICATIONS[kind]
            if is_city:
                median, sigma = (BIG_CITY_AGENCIES[code], 0.5) if code in BIG_CITY_AGENCIES else (median * 3, sigma)
            agencies.append({"id": f"{base}-{code}", "name": name, "kind": kind, "region": region,
                             "scale": _lognormal(rng, median, sigma)})
    return agencies


def _real_tables(rng: random.Random, fmt: FormatDef, carried_in: list[int], scale: float, stock: dict[str, int]) -> dict[str, dict[tuple[str, ...], Any]]:
    """Return balanced tables with the zeros of real ones: few result rows and applicant columns in use."""
    result_rows = list(dict.fromkeys(c.path[:-1] for c in fmt.table["表二"].cells if c.path[0] == ROW_RESULTS and not c.total))
    handled = max(0, round(scale * rng.uniform(0.8, 1.2)))
    active = 1 + min(len(result_rows) - 1, int(2 * math.log2(1 + handled)))
    rows = [result_rows[0], *rng.sample(result_rows[1:], active - 1)]
    row_weights = [40.0] + [rng.choice((0.3, 1.0, 3.0, 10.0)) for _ in rows[1:]]
    column_weights = [0.86] + [w if rng.random() < min(1.0, handled / 30) else 0.0 for w in (0.07, 0.005, 0.01, 0.03, 0.025)]
    per_col = _split(rng, handled, column_weights)
    carried_out = [rng.randint(0, max(1, c // 12)) if c else 0 for c in per_col]
    table2: dict[tuple[str, ...], Any] = {(*row, column): 0 for row in result_rows for column in APPLICANTS}
    for col_index, column in enumerate(APPLICANTS):
        for row, n in zip(rows, _split(rng, per_col[col_index], row_weights), strict=True):
            table2[(*row, column)] = n
        new = per_col[col_index] + carried_out[col_index] - carried_in[col_index]
        if new < 0:  # more carried in than handled: handle the rest as disclosed
            table2[(*result_rows[0], column)] += -new
            new = 0
        table2[(ROW_NEW, column)] = new
        table2[(ROW_CARRIED_IN, column)] = carried_in[col_index]
        table2[(ROW_CARRIED_OUT, column)] = carried_out[col_index]
    table3: dict[tuple[str, ...], Any] = {}
    for group, share in ((REVIEW,), 0.012), *(((LITIGATION, k), 0.004) for k in LITIGATION_KINDS):
        cases = sum(1 for _ in range(min(handled, 400)) if rng.random() < share) + round(max(0, handled - 400) * share)
        for outcome, n in zip(OUTCOMES, _split(rng, cases, [5.0, 1.0, 1.0, 1.5]), strict=True):
            table3[(*group, outcome)] = n
    table1: dict[tuple[str, ...], Any] = {}
    for cell in fmt.table["表一"].cells:
        if rng.random() < 0.45:
            table1[cell.path] = Decimal(0) if cell.kind.value == "amount" else 0
        elif cell.kind.value == "amount":
            table1[cell.path] = Decimal(round(_lognormal(rng, 50, 1.5) * 100)) / 100
        elif cell.kind.value == "signed":
            table1[cell.path] = rng.randint(-5, 5)
        else:
            table1[cell.path] = round(_lognormal(rng, max(2.0, scale * 3), 1.2))
    if fmt.id == 2021:
        for row in STOCK_ROWS:
            issued, repealed = rng.choice((0, 0, 1, 2, 5)), rng.choice((0, 0, 0, 1, 3))
            previous = stock.get(row, rng.randint(0, 60))
            repealed = min(repealed, previous + issued)
            table1[(STOCK_BLOCK, row, ISSUED)] = issued
            table1[(STOCK_BLOCK, row, REPEALED)] = repealed
            table1[(STOCK_BLOCK, row, IN_FORCE)] = previous + issued - repealed
            stock[row] = previous + issued - repealed
    return {"表一": table1, "表二": table2, "表三": table3}


def _paragraph(rng: random.Random, chars: int) -> str:
    out = ""
    while len(out) < chars:
        sentence = rng.choice(SENTENCES).format(n=rng.randint(2, 3000), m=rng.randint(1, 60), topic=rng.choice(TOPICS))
        out += sentence + rng.choice(("，", "。", "；")) if len(out) + len(sentence) < chars else sentence + "。"
    return out if out.endswith("。") else out[:-1] + "。"


def _pad(rng: random.Random, text: dict[str, str], missing: int) -> None:
    """Add ``missing`` bytes of paragraphs to the sections, by their share of a real report's prose."""
    for key, weight in SECTION_WEIGHTS.items():
        left = round(missing * weight / 3)  # characters: CJK text is 3 bytes each in UTF-8
        paragraphs = []
        while left > PARAGRAPH_CHARS[0] // 2:
            chars = min(left, rng.randint(*PARAGRAPH_CHARS))
            paragraphs.append(_paragraph(rng, chars))
            left -= len(paragraphs[-1]) + 2
        if paragraphs:
            head, _, rest = text[key].partition("\n\n## ")
            if rest and key == "一、总体情况":  # spread over the subsections (一)…(五)
                parts = text[key].split("\n\n## ")
                for i, para in enumerate(paragraphs):
                    parts[1 + i % (len(parts) - 1)] += "\n\n" + para
                text[key] = "\n\n## ".join(parts)
            else:
                text[key] = text[key] + "\n\n" + "\n\n".join(paragraphs)


def generate(n: int, out: Path, seed: int = 1, small: bool = False) -> list[Path]:
    """Write ``n`` reports under ``out`` (a folder per city); return their paths.

    ``small`` writes the first, uniform corpus instead (generate_small), for comparison.
    """
    if small:
        return generate_small(n, out, seed)
    rng = random.Random(seed)
    years = [2020, 2022, 2023, 2024] if n >= 8 else [2024]
    paths: list[Path] = []
    for agency in _real_agencies(rng, n, len(years)):
        carried = [0] * len(APPLICANTS)
        stock: dict[str, int] = {}
        for year in years:
            if len(paths) >= n:
                return paths
            fmt = FORMATS[2019 if year <= 2020 else 2021]
            if year == 2022:  # a gap year: W1 compares only consecutive years
                carried = [0] * len(APPLICANTS)
            tables = _real_tables(rng, fmt, carried, agency["scale"], stock)
            carried = [tables["表二"][(ROW_CARRIED_OUT, c)] for c in APPLICANTS]
            deadline_month = 3 if agency["kind"] == "人民政府" else 1
            date = datetime.date(year + 1, deadline_month, rng.randint(5, 28))
            text = make_text(rng, agency["name"], agency["kind"], year, tables)
            text["三、收到和处理政府信息公开申请情况"] = f"{year}年，{agency['name']}收到和处理政府信息公开申请情况如下："
            data = _report_data(rng, agency, year, fmt, text, tables, date, agency["region"][-1])
            path, schema = _report_path(out, agency, year)
            target = min(MAX_BYTES, max(MIN_BYTES, round(_lognormal(rng, MEDIAN_BYTES, SIGMA_BYTES))))
            bare = len(render_report(data, schema, with_totals=False).encode("utf-8"))
            _pad(rng, text, target - bare)
            data.update(text)
            path.write_text(render_report(data, schema, with_totals=False), encoding="utf-8")
            paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", action="store_true", help="the first corpus: uniform 7 KB reports, 11 agencies a district")
    args = parser.parse_args()
    paths = generate(args.n, args.out, args.seed, small=args.small)
    print(f"wrote {len(paths)} reports under {args.out}")


if __name__ == "__main__":
    main()
