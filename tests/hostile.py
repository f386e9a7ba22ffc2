"""Hostile input shared by the security tests, the fuzz tests and bench/fuzz.py.

``VECTORS`` are script-injection attempts, each carrying the marker ``nbxss`` so that a test can tell
any trace of them in a built page from the site's own markup. The generators below make report
files that an editor, a broken tool or an attacker might save: random YAML, deep nesting, alias
bombs, huge numbers and strings, odd Unicode, BOMs, CRLF, GBK bytes and binary garbage.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from generator.schema import REGION_PATTERN

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml"
MARKER = "nbxss"

# -- script injection ------------------------------------------------------------------------------

VECTORS: tuple[str, ...] = (
    # script elements, in every spelling
    "<script>alert('nbxss')</script>",
    "<ScRiPt>confirm('nbxss')</sCrIpT>",
    "<script src=//nbxss.example/x.js></script>",
    "<script>/*nbxss*/print()</script>",
    "<<script>alert('nbxss');//<</script>",
    "<scr<script>ipt>alert('nbxss')</scr</script>ipt>",
    "<scr\u200bipt>alert('nbxss')</scr\u200bipt>",
    "\"><script>alert('nbxss')</script>",
    "'><script>alert('nbxss')</script>",
    "</title><script>alert('nbxss')</script>",
    "</textarea></style></noscript><script>alert('nbxss')</script>",
    # event handlers
    "<img src=x onerror=alert('nbxss')>",
    "<IMG SRC=x OnErRoR=alert('nbxss')>",
    "<img src=\"x\" onerror=\"window.__xss='nbxss'\">",
    "<img src=x onerror=alert('nbxss')",
    "<img src=`x`onerror=alert('nbxss')>",
    "<img/src=x/onerror=alert('nbxss')>",
    "<body onload=alert('nbxss')>",
    "<input autofocus onfocus=alert('nbxss')>",
    "<details open ontoggle=alert('nbxss')>nbxss</details>",
    "<a href=\"https://example.com/\" onmouseover=\"alert('nbxss')\">nbxss</a>",
    "<p onclick=alert('nbxss')>nbxss</p>",
    "<x onclick=alert('nbxss')>nbxss</x>",
    "<video><source onerror=\"alert('nbxss')\"></video>",
    "<marquee onstart=alert('nbxss')>nbxss</marquee>",
    # javascript:, vbscript: and data: URLs, encoded and mixed case
    "<a href=\"javascript:alert('nbxss')\">nbxss</a>",
    "<a href=\"JaVaScRiPt:alert('nbxss')\">nbxss</a>",
    "<a href=\"  javascript:alert('nbxss')\">nbxss</a>",
    "<a href=\"java&#x09;script:alert('nbxss')\">nbxss</a>",
    "<a href=\"jav&#x0A;ascript:alert('nbxss')\">nbxss</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('nbxss')\">nbxss</a>",
    "<a href=\"&#x6A;avascript&colon;alert('nbxss')\">nbxss</a>",
    "<a href=\"vbscript:msgbox('nbxss')\">nbxss</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">nbxss</a>",
    "<a href=\"data:text/html,<script>alert('nbxss')</script>\">nbxss</a>",
    "[nbxss](javascript:alert('nbxss'))",
    "[nbxss](JAVASCRIPT:alert%28'nbxss'%29)",
    "[nbxss](vbscript:msgbox('nbxss'))",
    "![nbxss](javascript:alert('nbxss'))",
    "[nbxss](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert('nbxss')>",
    "[nbxss]: javascript:alert('nbxss')",
    # iframes, objects, SVG and MathML
    "<iframe src=\"javascript:alert('nbxss')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('nbxss')</script>\"></iframe>",
    "<object data=\"javascript:alert('nbxss')\"></object>",
    "<embed src=\"data:text/html,<script>alert('nbxss')</script>\">",
    "<svg onload=alert('nbxss')>",
    "<svg/onload=alert('nbxss')>",
    "<svg><script>alert('nbxss')</script></svg>",
    "<svg><animate onbegin=alert('nbxss') attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to=alert('nbxss')>",
    "<svg><animate href=#nbxss attributeName=href values=javascript:alert('nbxss') /><a id=nbxss><text y=20>nbxss</text></a></svg>",
    "<svg><a xlink:href=\"javascript:alert('nbxss')\"><text y=20>nbxss</text></a></svg>",
    "<math href=\"javascript:alert('nbxss')\">nbxss</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert('nbxss')>nbxss</maction></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('nbxss')>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('nbxss')>\">",
    "<!--<img src=\"--><img src=x onerror=alert('nbxss')//\">",
    # styles, base, meta refresh, forms
    "<div style=\"background:url(javascript:alert('nbxss'))\">nbxss</div>",
    "<div style=\"width:expression(alert('nbxss'))\">nbxss</div>",
    "<style>@import 'javascript:alert(\"nbxss\")';</style>",
    "<link rel=stylesheet href=\"javascript:alert('nbxss')\">",
    "<base href=\"javascript:alert('nbxss')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('nbxss')\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://nbxss.example/\">",
    "<form action=\"javascript:alert('nbxss')\"><button>nbxss</button></form>",
    "<button formaction=\"javascript:alert('nbxss')\">nbxss</button>",
    "<h3 id=\"__config\">nbxss</h3>",
    # text that only looks like markup, and template or Typst syntax
    "&lt;script&gt;alert('nbxss')&lt;/script&gt;",
    "&#60;img src=x onerror=alert('nbxss')&#62;",
    "%3Cscript%3Ealert('nbxss')%3C/script%3E",
    "＜script＞alert('nbxss')＜／script＞",
    "\\u003cscript\\u003ealert('nbxss')\\u003c/script\\u003e",
    "{{7*7}}nbxss{{config}}",
    "{% raw %}nbxss{% endraw %}{{lipsum.__globals__}}",
    "${7*7}nbxss#{7*7}",
    "#panic(\"nbxss\")",
    "#eval(\"panic()\")nbxss",
    "$x^2$ nbxss #let x = 1",
    "// nbxss /* comment",
    "`nbxss`{: onclick=alert('nbxss') }",
    "nbxss {: onclick=\"alert('nbxss')\" }",
    "{:onclick=alert('nbxss')}",
    "q00060 img src=x onerror=alert('nbxss') q00062",
    "=HYPERLINK(\"https://nbxss.example/\",\"nbxss\")",
    "@SUM(1+1)*cmd|' /C calc'!A0 nbxss",
)

_SEGMENT = re.compile(REGION_PATTERN)
# The vectors that a region segment (地区) may hold: no slash, no space.
REGION_VECTORS: tuple[str, ...] = tuple(v for v in VECTORS if "/" not in v and _SEGMENT.match(v))

TEXT_FIELDS = (("机关名称",), ("联系方式", "机构"), ("联系方式", "地址"), ("落款", "署名"))


def sample_data() -> dict[str, object]:
    """Return the sample report as plain data (tables, dates and all)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def dump(data: dict[str, object]) -> str:
    """Return ``data`` as a report file (block style, Chinese kept readable)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)


def hostile_report(agency_id: str, name: str, vectors: list[str], region: str, year: int = 2024) -> dict[str, object]:
    """Return a valid report whose every text field holds ``vectors``: one per line in the prose."""
    data = sample_data()
    joined = " ".join(vectors)
    data["机关名称"] = f"{name} {joined}"
    data["机关代码"] = agency_id
    data["地区"] = region
    data["年度"] = year
    contact = data["联系方式"]
    signature = data["落款"]
    assert isinstance(contact, dict) and isinstance(signature, dict)
    contact["机构"] = f"{name}办公室 {joined}"
    contact["地址"] = f"{name}地址 {joined}"
    signature["署名"] = f"{name} {joined}"
    if year != 2024:
        signature["日期"] = f"{year + 1}-01-15"
    # All the vectors together, a few to a line: check refuses a line of more than 50 "<" or "[" (S7).
    together = ["测试向量 " + " ".join(VECTORS[i : i + 9]) for i in range(0, len(VECTORS), 9)]
    prose = "\n".join([*VECTORS, *together, "解码向量 q00060 img src=x onerror=alert('nbxss') q00062 解码向量"])
    # 导语 may hold no heading (S6): there a vector starting with "#" is preceded by text, as an editor would write it
    lead = "\n".join("测试 " + line if line.startswith("#") else line for line in prose.split("\n"))
    for key in list(data):
        if key == "导语":
            data[key] = lead
        elif key[:2] in ("一、", "二、", "三、", "四、", "五、", "六、"):
            data[key] = prose
    return data


# -- broken and hostile files ------------------------------------------------------------------------

Generator = Callable[[random.Random], bytes]


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def deep_flow(rng: random.Random) -> bytes:
    depth = rng.choice([100, 1_000, 10_000, 100_000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
    return ("机关名称: " + opener * depth + "x" + closer * depth + "\n").encode()


def deep_block(rng: random.Random) -> bytes:
    depth = rng.choice([50, 500, 3_000])
    lines = [" " * i + "a:" for i in range(depth)]
    return ("\n".join(lines) + " x\n").encode()


def deep_sequence(rng: random.Random) -> bytes:
    depth = rng.choice([50, 500, 5_000])
    return ("".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "- x\n").encode()


def alias_bomb(rng: random.Random) -> bytes:
    """The "billion laughs": each level refers to the one before it ten times."""
    levels = rng.randint(3, 12)
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    if rng.random() < 0.5:  # inside a valid report, where the reader walks it
        return (_sample_text() + "\n" + "\n".join(lines) + f"\n导语: *a{levels - 1}\n").encode()
    return ("\n".join(lines) + "\n").encode()


def alias_in_report(rng: random.Random) -> bytes:
    """Anchors on real keys and aliases where the reader expects tables or text."""
    text = _sample_text().replace("机关名称: ", "机关名称: &name ", 1)
    key = rng.choice(["导语", "一、总体情况", "表一", "表二", "联系方式", "落款"])
    if key in ("表一", "表二", "联系方式", "落款"):
        text = text.replace(f"\n{key}:", f"\n{key}: &t", 1) + f"\n复制: *t\n{key}x: *t\n"
    else:
        text += f"\n{key}: *name\n"
    return text.encode()


def huge_number(rng: random.Random) -> bytes:
    digits = rng.choice([13, 100, 5_000, 100_000, 1_500_000])
    number = rng.choice(["1" * digits, "-" + "9" * digits, "1." + "0" * digits + "1", "0." + "9" * digits,
                         "1e" + "9" * min(digits, 400), "0x" + "f" * digits])
    cell = rng.choice(["{自然人: ", "{本年收费金额（单位：万元）: "])
    return _sample_text().replace(cell + "0", cell + number, 1).encode()


def huge_string(rng: random.Random) -> bytes:
    size = rng.choice([10_000, 500_000, 1_900_000, 2_100_000])
    filler = rng.choice(["政", "a", "\u200b", "\\n"])
    value = filler * (size // len(filler.encode()))
    text = _sample_text()
    key = rng.choice(["导语", "机关名称", "地区", "联系方式:\n  电话"])
    return text.replace(f"{key}: ", f"{key}: '{value}'  # ", 1).encode()


def huge_keys(rng: random.Random) -> bytes:
    n = rng.choice([1_000, 20_000])
    return ("\n".join(f"键{i}: {i}" for i in range(n)) + "\n").encode()


# Full-width digits and punctuation, zero-width characters, mixed 全角/半角 punctuation, Unicode line breaks.
ODD = (
    "０１２３４５６７８９", "．", "－", "，", "：", "；", "（", "）", "｛", "｝", "［", "］", "＃", "＆", "＊", "！",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u3000", "\u2028", "\u2029", "\x85",
    "\u202e", "\u0301", "\U0001f600", "\ufffd", "\ud7ff", "\ue000", "\uffff", "\t", "\x0b", "\x0c",
)


def odd_unicode(rng: random.Random) -> bytes:
    text = _sample_text()
    chars = list(text)
    for _ in range(rng.randint(1, 30)):
        i = rng.randrange(len(chars))
        chars[i] = rng.choice(ODD) if rng.random() < 0.8 else chars[i].translate(_TO_FULLWIDTH)
    return "".join(chars).encode("utf-8", "surrogatepass")


_TO_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def fullwidth_numbers(rng: random.Random) -> bytes:
    text = _sample_text()
    out, n = [], 0
    for part in re.split(r"(: \d+[,}])", text):
        if re.fullmatch(r": \d+[,}]", part) and rng.random() < 0.3:
            part = ": " + part[2:-1].translate(_TO_FULLWIDTH) + part[-1]
            n += 1
        out.append(part)
    return "".join(out).replace(": ", rng.choice([": ", "：", ":\u3000"]), rng.randint(0, 3)).encode()


def bom_crlf(rng: random.Random) -> bytes:
    text = _sample_text()
    if rng.random() < 0.7:
        text = text.replace("\n", rng.choice(["\r\n", "\r", "\n\r"]))
    data = text.encode()
    bom = rng.choice([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""])
    return bom + data


def gbk(rng: random.Random) -> bytes:
    text = _sample_text()
    encoding = rng.choice(["gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-32", "latin-1"])
    data = text.encode(encoding, "replace")
    if rng.random() < 0.5:  # a GBK paste inside a UTF-8 file
        i = rng.randrange(len(text))
        data = text[:i].encode() + "政府信息".encode("gbk") + text[i:].encode()
    return data


def binary(rng: random.Random) -> bytes:
    size = rng.choice([1, 16, 1_000, 100_000])
    data = rng.randbytes(size)
    if rng.random() < 0.5:
        data = data.replace(b"\x00", b"")
    return data


def structure(rng: random.Random, depth: int = 0) -> object:
    """Return a random YAML value: report keys and odd scalars, nested a little."""
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice([
            0, -1, 1.5, 10**30, True, None, "", "待填", "2024", "２０２４", "0x1F", "1e400", ".inf", "~",
            "2024-02-30", "2025-01-07", "人民政府", "a\u200bb", "#x", "*a", "&a", "!tag", "- x", "x: y",
            rng.choice(VECTORS), "政" * rng.randint(0, 200),
        ])
    keys = ["机关名称", "机关代码", "地区", "机关类别", "年度", "格式", "联系方式", "导语", "一、总体情况", "表一", "表二",
            "表三", "落款", "署名", "日期", "机构", "自然人", "总计", "一、本年新收政府信息公开申请数量", "x", "1", ""]
    if roll < 0.8:
        return {rng.choice(keys): structure(rng, depth + 1) for _ in range(rng.randint(0, 8))}
    return [structure(rng, depth + 1) for _ in range(rng.randint(0, 5))]


def random_yaml(rng: random.Random) -> bytes:
    data = structure(rng)
    style = rng.choice([None, True, False])
    try:
        text = yaml.safe_dump(data, allow_unicode=rng.random() < 0.8, default_flow_style=style, sort_keys=False)
    except yaml.YAMLError:  # pragma: no cover - safe_dump handles all of the above
        text = repr(data)
    return text.encode()


def mutated_report(rng: random.Random) -> bytes:
    """The sample with a few random edits: lines dropped, moved or doubled, slices replaced."""
    lines = _sample_text().split("\n")
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.25:
            del lines[i]
        elif op < 0.5:
            lines.insert(rng.randrange(len(lines)), lines[i])
        elif op < 0.75:
            lines[i] = " " * rng.randint(0, 6) + lines[i].lstrip()
        else:
            j = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:j] + rng.choice([*ODD, *VECTORS, ": ", "- ", "{", "}", "'", '"', "&a ", "*a", "!!str "]) + lines[i][j:]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def hostile_fields(rng: random.Random) -> bytes:
    """A well-formed report with script injection, traversal and odd values in its fields."""
    data = sample_data()
    key = rng.choice(["机关名称", "机关代码", "地区", "年度", "格式", "导语", "机关类别"])
    data[key] = rng.choice([
        *VECTORS, "../../x", "..\\x", "/etc/passwd", "%2e%2e/x", "x\x00y", "a" * 300, "湖北省/../x", "\u202e", 10**40, -1, [], {},
    ])
    return dump(data).encode("utf-8", "surrogatepass")


GENERATORS: dict[str, Generator] = {
    "deep_flow": deep_flow,
    "deep_block": deep_block,
    "deep_sequence": deep_sequence,
    "alias_bomb": alias_bomb,
    "alias_in_report": alias_in_report,
    "huge_number": huge_number,
    "huge_string": huge_string,
    "huge_keys": huge_keys,
    "odd_unicode": odd_unicode,
    "fullwidth_numbers": fullwidth_numbers,
    "bom_crlf": bom_crlf,
    "gbk": gbk,
    "binary": binary,
    "random_yaml": random_yaml,
    "mutated_report": mutated_report,
    "hostile_fields": hostile_fields,
}
