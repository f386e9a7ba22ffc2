"""Every rule id, its severity and its message text (Chinese, for editors), in one place.

Rule ids are stable: documents, CI annotations and editors' habits refer to them. The user guide
(content/guide/rules.md) lists each one with the example below; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .findings import Finding, Location, Severity


@dataclass(frozen=True)
class Rule:
    """A rule: id, severity, short title, message template and an example of its arguments."""

    id: str
    severity: Severity
    title: str
    template: str
    example: dict[str, Any]

    def message(self, **kwargs: Any) -> str:
        return self.template.format(**kwargs)

    @property
    def example_message(self) -> str:
        return self.message(**self.example)


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTICE

_RULES = (
    # -- the file itself ---------------------------------------------------------------------
    Rule("F1", E, "文件编码不是 UTF-8", "文件不是 UTF-8 编码{detail}，请用 UTF-8 编码另存后再提交",
         {"detail": "（看起来是 GBK/GB18030 编码，常见于 Windows 记事本或 WPS 保存的文件）"}),
    Rule("F2", W, "文件带有 BOM", "文件开头带有 BOM 标记（Windows 记事本“UTF-8 with BOM”），请另存为不带 BOM 的 UTF-8", {}),
    Rule("F3", W, "文件使用 Windows 换行符", "文件使用 Windows 换行符（CRLF），请改为 LF 换行（VS Code 右下角点击 CRLF 切换）", {}),
    Rule("F4", E, "YAML 语法错误", "YAML 语法错误：{problem}", {"problem": "缩进不一致，同一层的键必须左对齐"}),
    Rule("F5", E, "重复的键", "键“{key}”重复出现（第一次出现在第 {first} 行）；重复的键只会保留最后一个，请删除或合并",
         {"key": "机关名称", "first": 3}),
    Rule("F6", E, "文件名与内容不符", "{problem}", {"problem": "文件名中的年度 2023 与文件内容中的年度 2024 不一致；文件名应为 qiaokou-rongmeiti-2024.yaml"}),
    Rule("F7", E, "不支持的 YAML 写法", "{problem}", {"problem": "不支持 YAML 的锚点和别名（& 与 *），请直接写出内容"}),
    Rule("F8", E, "不是可读取的报告文件", "{problem}", {"problem": "此文件是指向报告目录之外的符号链接，未读取；请把报告文件本身放进报告目录"}),
    # -- the shape of the report -------------------------------------------------------------
    Rule("S1", E, "未知的键", "未知的键“{key}”{hint}", {"key": "机关名", "hint": "，是否应为“机关名称”？"}),
    Rule("S2", E, "缺少必填项", "缺少“{key}”{where}", {"key": "联系方式/电话", "where": ""}),
    Rule("S3", E, "类型错误", "“{key}”应为{expected}，实际填写的是{actual}", {"key": "年度", "expected": "整数（如 2024）", "actual": "文字“二〇二四”"}),
    Rule("S4", E, "取值不符合要求", "“{key}”{problem}", {"key": "机关类别", "problem": "只能是 人民政府、部门、乡镇街道、事业单位、其他 之一，填写的是“局”"}),
    Rule("S5", E, "报告重复", "机关代码“{agency}”的 {year} 年度报告已在 {other} 中，同一机关同一年度只能有一份报告",
         {"agency": "qiaokou-rongmeiti", "year": 2024, "other": "reports/qiaokou-rongmeiti-2024.yaml"}),
    Rule("S6", E, "小标题无法排版", "{problem}", {"problem": "小标题跳级：上一级是第 2 级，这里是第 4 级；小标题应从“##”开始逐级使用（## 之下是 ###）"}),
    Rule("S7", E, "超出排版上限", "{problem}", {"problem": "列表或引用（>）嵌套了 50 层，最多 8 层"}),
    Rule("S8", E, "此项只能写一行", "“{key}”只能写一行，其中有换行；请删去换行（多行会破坏标题和索引页）", {"key": "机关名称"}),
    # -- the balance rules of the format (勾稽关系) ---------------------------------------------
    Rule("R1", E, "表二 第一项加第二项之和应等于第三项加第四项之和",
         "表二 {column} 列：第一项加第二项之和为 {left}，第三项（七）总计加第四项之和为 {right}，两者应相等",
         {"column": "自然人", "left": 5, "right": 4}),
    Rule("R2", E, "表二 每行总计等于各类申请人之和", "{cell}：各项之和为 {expected}，填写为 {actual}",
         {"cell": "表二 一、本年新收政府信息公开申请数量 行 总计 列", "expected": 3, "actual": 2}),
    Rule("R3", E, "表二 （七）总计等于办理结果各项之和", "{cell}：各项之和为 {expected}，填写为 {actual}",
         {"cell": "表二 第（七）总计 行 自然人 列", "expected": 3, "actual": 2}),
    Rule("R4", E, "表三 总计等于四种结果之和", "{cell}：各项之和为 {expected}，填写为 {actual}",
         {"cell": "表三 行政复议 总计 列", "expected": 2, "actual": 1}),
    Rule("R5", E, "数字不合规", "{cell}：{problem}", {"cell": "表二 一、本年新收政府信息公开申请数量 行 自然人 列", "problem": "件数应为不小于 0 的整数，填写的是 -1"}),
    # -- warnings: real reports break these legitimately -------------------------------------
    Rule("W1", W, "上年结转与上一年度报告不符",
         "表二 二、上年结转政府信息公开申请数量 行 {column} 列为 {actual}，而 {year} 年度报告（{other}）的“四、结转下年度继续办理”为 {expected}",
         {"column": "自然人", "actual": 2, "year": 2023, "other": "reports/demo-2023.yaml", "expected": 3}),
    Rule("W2", N, "现行有效件数与上一年度不衔接",
         "表一 {row} 现行有效件数为 {actual}，按上年 {previous} 件加本年制发 {issued} 件减废止 {repealed} 件应为 {expected}（如系重新清理统计，可忽略）",
         {"row": "行政规范性文件", "actual": 40, "previous": 38, "issued": 5, "repealed": 2, "expected": 41}),
    Rule("W3", W, "正文数字与表格不一致", "正文写“{quote}”，而{cell}为 {expected}，请核对口径",
         {"quote": "新收到政府信息公开申请12件", "cell": "表二 一、本年新收政府信息公开申请数量 行 总计 列", "expected": 13}),
    Rule("W4", W, "报告日期晚于法定期限", "报告日期 {date} 晚于法定期限 {deadline}（{basis}）",
         {"date": "2025年2月10日", "deadline": "2025年1月31日", "basis": "条例第四十九条：县级以上人民政府部门应于每年1月31日前公布"}),
    Rule("W5", W, "人民政府报告缺少法定内容", "人民政府的年度报告应报告{missing}情况（条例第五十条），正文中未找到相关内容",
         {"missing": "工作考核、社会评议和责任追究结果"}),
    Rule("W6", W, "PDF 中无法显示的字符", "字符{char}（U+{code}，{name}）{effect}；网页中照常显示",
         {"char": "“𠀀”", "code": "20000", "name": "CJK UNIFIED IDEOGRAPH-20000", "effect": "PDF 的字体中没有，PDF 中以“〓”代替"}),
    Rule("W7", W, "行首的 # 会变成小标题", "这一行“{line}”以“#”开头，会显示为小标题“{text}”，“#”本身不显示；如要显示“#”，请写作“\\#”",
         {"line": "#政务公开#专栏上线", "text": "政务公开#专栏上线"}),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


# Control characters an editor's text may carry into a message (a key, a quoted line): ESC would let a
# file print a fake green "检查通过" in a CI log, so each is shown as its code instead.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Return ``text`` with every control or bidi character written as ``\\xNN`` / ``\\uNNNN``."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def finding(rule_id: str, where: Location, related: tuple[int, ...] = (), /, **kwargs: Any) -> Finding:
    """Make a finding of rule ``rule_id`` at ``where``, its message filled from ``kwargs``."""
    # positional-only: S2's template has its own ``{where}`` argument
    rule = RULES[rule_id]
    shown = {k: visible(v) if isinstance(v, str) else v for k, v in kwargs.items()}
    return Finding(where.file, where.line, where.column, rule.id, rule.severity, rule.message(**shown), related)
