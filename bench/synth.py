"""Generate N realistic synthetic reports: many regions and agencies, several years, balanced tables.

Every file passes ``nianbao check`` without findings: tables balance (R1–R4), last year's carried-over
applications reappear (W1), stock of documents carries on (W2), the prose quotes the tables (W3),
dates meet the deadline (W4) and people's governments report their duties (W5).

    .venv/bin/python bench/synth.py N OUT_DIR [--seed S]
"""

from __future__ import annotations

import argparse
import datetime
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


def generate(n: int, out: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` reports under ``out`` (a folder per region); return their paths."""
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
            data = {
                "机关名称": agency["name"], "机关代码": agency["id"], "地区": "/".join(agency["region"]),
                "机关类别": agency["kind"], "年度": year, "格式": fmt.id,
                "联系方式": {"机构": f"{agency['name']}办公室", "地址": f"{agency['region'][2]}人民路{rng.randint(1, 300)}号",
                          "电话": f"0{rng.randint(100, 999)}-{rng.randint(10000000, 99999999)}"},
                **text,
                "落款": {"署名": agency["name"], "日期": date},
                "tables": tables,
            }
            folder = out / agency["region"][0] / agency["region"][1]
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{agency['id']}-{year}.yaml"
            depth = len(path.relative_to(out).parts) - 1
            schema = "../" * (depth + 1) + "content/schema/report.schema.json"
            path.write_text(render_report(data, schema, with_totals=False), encoding="utf-8")
            paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = generate(args.n, args.out, args.seed)
    print(f"wrote {len(paths)} reports under {args.out}")


if __name__ == "__main__":
    main()
