"""Small, literal report texts in each layout copied from real web pages, for reader tests.

Deliberately independent of `corpus` (the corpus writers): a reader bug and a writer bug
must not cancel out. Values are distinctive (row*100 + column) so a shifted cell cannot pass.
"""

from __future__ import annotations

T3_ROWS = [
    ("new", ["一、本年新收政府信息公开申请数量"]),
    ("carried_over", ["二、上年结转政府信息公开申请数量"]),
    ("granted", ["三、本年度办理结果", "（一）予以公开"]),
    ("partly_granted", ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("withheld_state_secret", ["（三）不予公开", "1.属于国家秘密"]),
    ("withheld_prohibited", ["2.其他法律行政法规禁止公开"]),
    ("withheld_three_safety", ["3.危及“三安全一稳定”"]),
    ("withheld_third_party", ["4.保护第三方合法权益"]),
    ("withheld_internal", ["5.属于三类内部事务信息"]),
    ("withheld_process", ["6.属于四类过程性信息"]),
    ("withheld_enforcement_file", ["7.属于行政执法案卷"]),
    ("withheld_inquiry", ["8.属于行政查询事项"]),
    ("unavailable_not_held", ["（四）无法提供", "1.本机关不掌握相关政府信息"]),
    ("unavailable_needs_creation", ["2.没有现成信息需要另行制作"]),
    ("unavailable_unclear", ["3.补正后申请内容仍不明确"]),
    ("declined_petition", ["（五）不予处理", "1.信访举报投诉类申请"]),
    ("declined_duplicate", ["2.重复申请"]),
    ("declined_publication", ["3.要求提供公开出版物"]),
    ("declined_excessive", ["4.无正当理由大量反复申请"]),
    ("declined_confirmation", ["5.要求行政机关确认或重新出具已获取信息"]),
    ("other_no_correction", ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]),
    ("other_no_fee", ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]),
    ("other_other", ["3.其他"]),
    ("processed_total", ["（七）总计"]),
    ("carried_forward", ["四、结转下年度继续办理"]),
]
T3_COLS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total"]
T4_COLS = [
    f"{g}.{c}"
    for g in ("review", "suit_direct", "suit_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
]


def t3_value(r: int, c: int) -> str:
    """Distinctive raw text per cell, with blanks, '/' and '无' sprinkled in known places."""
    if (r, c) in ((2, 1), (7, 0), (24, 6)):
        return ""
    if (r, c) == (3, 3):
        return "/"
    if (r, c) == (5, 5):
        return "无"
    if (r, c) == (6, 2):
        return "0"
    return str(r * 100 + c + 1)


def t4_value(i: int) -> str:
    if i == 3:
        return ""
    if i == 7:
        return "0"
    return str(900 + i)


def expected_t3() -> dict[str, str]:
    out = {}
    for r, (code, _) in enumerate(T3_ROWS):
        for c, col in enumerate(T3_COLS):
            out[f"T3/{code}/{col}"] = t3_value(r, c)
    return out


def expected_t4() -> dict[str, str]:
    return {f"T4/{k}": t4_value(i) for i, k in enumerate(T4_COLS)}


T2_EXPECTED = {
    "T2/rules/issued": "0",
    "T2/rules/repealed": "",
    "T2/rules/in_force": "/",
    "T2/normative_docs/issued": "3",
    "T2/normative_docs/repealed": "1",
    "T2/normative_docs/in_force": "27",
    "T2/licensing/decisions": "1,472",
    "T2/penalties/decisions": "",
    "T2/coercion/decisions": "5",
    "T2/fees/amount": "18.8710",
}

OPENING = """阿拉善右旗雅布赖镇人民政府2023年政府信息公开工作年度报告
发布时间：2024-01-18 09:30
本年度报告根据《中华人民共和国政府信息公开条例》编制。所列数据统计期限为2023年1月1日至2023年12月31日。如对本年度报告有疑问,请与雅布赖镇人民政府党政综合办公室联系。
一、总体情况
2023年，雅布赖镇认真贯彻落实《条例》，推进政务公开。
二、主动公开政府信息情况
"""
MIDDLE_3 = "三、收到和处理政府信息公开申请情况\n"
MIDDLE_4 = "四、政府信息公开行政复议、行政诉讼情况\n"
CLOSING = """五、存在的主要问题及改进情况
一是公开内容不够全面。
六、其他需要报告的事项
本年度未收取信息处理费。
"""


def _t2_rows() -> list[list[str]]:
    e = T2_EXPECTED
    return [
        ["第二十条第（一）项", "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", e["T2/rules/issued"], e["T2/rules/repealed"], e["T2/rules/in_force"]],
        [
            "行政规范性文件",
            e["T2/normative_docs/issued"],
            e["T2/normative_docs/repealed"],
            e["T2/normative_docs/in_force"],
        ],
        ["第二十条第（五）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", e["T2/licensing/decisions"], "", ""],
        ["第二十条第（六）项", "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政处罚", e["T2/penalties/decisions"], "", ""],
        ["行政强制", e["T2/coercion/decisions"], "", ""],
        ["第二十条第（八）项", "", "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        ["行政事业性收费", e["T2/fees/amount"], "", ""],
    ]


def _t2_rows_compact() -> list[list[str]]:
    """Table 2 rows without the merged-cell padding (for one-cell-per-line layouts)."""
    out = []
    for row in _t2_rows():
        cells = list(row)
        label = cells[0]
        if label.startswith("第二十条"):
            out.append([label])
        elif label == "信息内容":
            out.append([c for c in cells if c])
        elif label in ("规章", "行政规范性文件"):
            out.append(cells)
        else:
            out.append(cells[:2])
    return out


def _t3_header(eighth: bool = False) -> list[list[str]]:
    orgs = ["商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他"]
    if eighth:
        orgs = orgs + ["小计"]
    return [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        orgs,
    ]


def _t3_rows(eighth: bool = False) -> list[list[str]]:
    rows = []
    for r, (code, labels) in enumerate(T3_ROWS):
        vals = [t3_value(r, c) for c in range(7)]
        if eighth:
            sub = sum(int(v) for v in vals[1:6] if v.isdigit())
            vals = vals[:6] + [str(sub)] + vals[6:]
        rows.append(list(labels) + vals)
    return rows


def _t4_rows() -> list[list[str]]:
    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        ["行政复议", "行政诉讼"],
        leaves + ["未经复议直接起诉", "复议后起诉"],
        leaves + leaves,
        [t4_value(i) for i in range(15)],
    ]


def render(layout: str, eighth: bool = False) -> str:
    """A whole report whose three tables are written in `layout`: A, B1, B2, C, mixed, wrapped, tabs."""
    t2 = _t2_rows() if layout in ("A", "wrapped", "tabs") else _t2_rows_compact()
    t3 = _t3_header(eighth) + _t3_rows(eighth)
    t4 = _t4_rows()
    return OPENING + _table(t2, layout) + MIDDLE_3 + _table(t3, layout) + MIDDLE_4 + _table(t4, layout) + CLOSING


def _row_a(cells: list[str]) -> str:
    return " | ".join(cells) + " |"


def _table(rows: list[list[str]], layout: str) -> str:
    out: list[str] = []
    for i, row in enumerate(rows):
        if layout == "A":
            out.append(_row_a(row))
        elif layout == "tabs":
            out.append("\t".join(row))
        elif layout == "wrapped":
            if i % 2:
                out.append(" | ".join(row))
                out.append("|")
            else:
                out.append(_row_a(row))
        elif layout == "B1":
            out += [f"{c} |" if c else " |" for c in row]
            out.append("|||")
        elif layout == "B2":
            for c in row:
                if c:
                    out.append(c)
                out.append("|")
        elif layout == "C":
            for c in row:
                if c:
                    out.append(c)
                    out.append("")
                else:
                    out += ["", ""]
        elif layout == "mixed":
            k = i % 3
            if k == 0:
                out.append(_row_a(row))
            elif k == 1:
                out += [f"{c} |" if c else " |" for c in row]
            else:
                for c in row:
                    if c:
                        out.append(c)
                    out.append("|")
        else:
            raise ValueError(layout)
    return "\n".join(out) + "\n"
