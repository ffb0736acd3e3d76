"""Made-up township and county reports in the styles real bodies publish, for the failure classes
of issue 11 (agency only in the opening, flattened tables, markdown conversions, hybrid formats…).

Values are realistic (small numbers, mostly 0) but consistent: every identity of FORMAT.md holds,
so a value placed without its label can be confirmed. Independent of `corpus`.
"""

from __future__ import annotations

T3_LABELS = [
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("withheld_state_secret", "1.属于国家秘密"),
    ("withheld_prohibited", "2.其他法律行政法规禁止公开"),
    ("withheld_three_safety", "3.危及“三安全一稳定”"),
    ("withheld_third_party", "4.保护第三方合法权益"),
    ("withheld_internal", "5.属于三类内部事务信息"),
    ("withheld_process", "6.属于四类过程性信息"),
    ("withheld_enforcement_file", "7.属于行政执法案卷"),
    ("withheld_inquiry", "8.属于行政查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    ("declined_petition", "1.信访举报投诉类申请"),
    ("declined_duplicate", "2.重复申请"),
    ("declined_publication", "3.要求提供公开出版物"),
    ("declined_excessive", "4.无正当理由大量反复申请"),
    ("declined_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "3.其他"),
    ("processed_total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
]
GROUP_BEFORE = {
    "granted": "三、本年度办理结果",
    "withheld_state_secret": "（三）不予公开",
    "unavailable_not_held": "（四）无法提供",
    "declined_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
COLS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total"]

# natural person, business, research, nonprofit, legal services, other, total
T3 = {
    "new": [12, 3, 0, 0, 1, 0, 16],
    "carried_over": [1, 0, 0, 0, 0, 0, 1],
    "granted": [5, 1, 0, 0, 0, 0, 6],
    "partly_granted": [2, 0, 0, 0, 1, 0, 3],
    "withheld_three_safety": [1, 0, 0, 0, 0, 0, 1],
    "withheld_process": [1, 0, 0, 0, 0, 0, 1],
    "unavailable_not_held": [2, 1, 0, 0, 0, 0, 3],
    "unavailable_needs_creation": [1, 0, 0, 0, 0, 0, 1],
    "declined_petition": [1, 0, 0, 0, 0, 0, 1],
    "other_other": [0, 1, 0, 0, 0, 0, 1],
    "processed_total": [13, 3, 0, 0, 1, 0, 17],
}
T2 = {
    "rules": [0, 0, 0],
    "normative_docs": [2, 0, 15],
    "licensing": [36],
    "penalties": [4],
    "coercion": [0],
    "fees": [0],
}
T2_IDS = {
    "rules": ["issued", "repealed", "in_force"],
    "normative_docs": ["issued", "repealed", "in_force"],
    "licensing": ["decisions"],
    "penalties": ["decisions"],
    "coercion": ["decisions"],
    "fees": ["amount"],
}
T4 = [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]
T4_IDS = [
    f"{g}.{c}"
    for g in ("review", "suit_direct", "suit_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
]


def t3_row(code: str) -> list[int]:
    return T3.get(code, [0] * 7)


def expected() -> dict[str, tuple[str, int]]:
    """cell id -> (semantic, value) of the whole report."""
    out = {}
    for code, vals in T2.items():
        for col, v in zip(T2_IDS[code], vals):
            out[f"T2/{code}/{col}"] = v
    for code, _ in T3_LABELS:
        for col, v in zip(COLS, t3_row(code)):
            out[f"T3/{code}/{col}"] = v
    for cid, v in zip(T4_IDS, T4):
        out[f"T4/{cid}"] = v
    return {k: ("ZERO", 0) if v == 0 else ("NUMERIC", v) for k, v in out.items()}


def wrong_cells(result: dict, want: dict | None = None) -> list:
    want = expected() if want is None else want
    return [
        (cid, result["cells"][cid]["semantic"], result["cells"][cid]["value"], exp)
        for cid, exp in want.items()
        if (result["cells"][cid]["semantic"], result["cells"][cid]["value"]) != exp
    ]


def _j(vals) -> list[str]:
    return [str(v) for v in vals]


def t2_pipes() -> str:
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *_j(T2["rules"])],
        ["行政规范性文件", *_j(T2["normative_docs"])],
        ["第二十条第（五）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", *_j(T2["licensing"])],
        ["第二十条第（六）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", *_j(T2["penalties"])],
        ["行政强制", *_j(T2["coercion"])],
        ["第二十条第（八）项"],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", *_j(T2["fees"])],
    ]
    return "\n".join(" | ".join(r) + " |" for r in rows) + "\n"


T3_HEAD = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |\n"
    "自然人 | 法人或其他组织 | 总计 |\n商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n"
)


def t3_pipes(label=lambda code, lab: lab, skip=()) -> str:
    out = [T3_HEAD]
    for code, lab in T3_LABELS:
        if code in skip:
            continue
        pre = GROUP_BEFORE.get(code)
        cells = ([pre] if pre else []) + [label(code, lab)] + _j(t3_row(code))
        out.append(" | ".join(cells) + " |\n")
    return "".join(out)


def t4_pipes() -> str:
    leaves = "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计"
    return (
        f"行政复议 | 行政诉讼 |\n{leaves} | 未经复议直接起诉 | 复议后起诉 |\n{leaves} | {leaves} |\n"
        + " | ".join(_j(T4))
        + " |\n"
    )


def report(
    title: str = "巴润别立镇人民政府2023年政府信息公开工作年度报告",
    preamble: str = "",
    opening: str = "2023年，巴润别立镇认真贯彻落实《中华人民共和国政府信息公开条例》，推进政务公开。",
    t2: str | None = None,
    t3: str | None = None,
    t4: str | None = None,
    ending: str = "",
) -> str:
    return (
        f"{title}\n{preamble}\n一、总体情况\n{opening}\n二、主动公开政府信息情况\n"
        f"{t2_pipes() if t2 is None else t2}三、收到和处理政府信息公开申请情况\n"
        f"{t3_pipes() if t3 is None else t3}四、政府信息公开行政复议、行政诉讼情况\n"
        f"{t4_pipes() if t4 is None else t4}五、存在的主要问题及改进情况\n一是公开内容不够全面。\n"
        f"六、其他需要报告的事项\n本年度未收取信息处理费。\n{ending}"
    )
