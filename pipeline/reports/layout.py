"""The official layout of the three tables (国办公开办函〔2021〕30号) as data the templates draw.

Table 2 comes in four blocks (第二十条第（一）（五）（六）（八）项), each with its own header row;
Table 3 has a label area of three columns with merged group labels (三、本年度办理结果 over 22 rows,
（三）不予公开 over 8 …) and a header of three rows (申请人情况 › 法人或其他组织 › 商业企业 …);
Table 4 has a header of three rows (行政复议 | 行政诉讼 › 未经复议直接起诉 | 复议后起诉 › results).
"""

from __future__ import annotations

T3_COLUMNS = ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total")
T3_PARTS = T3_COLUMNS[:-1]
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
T4_COLUMN_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                    "total": "总计"}
T4_GROUP_LABELS = {"review": "行政复议", "suit_direct": "行政诉讼（未经复议直接起诉）",
                   "suit_after_review": "行政诉讼（复议后起诉）"}
T3_COLUMN_LABELS = {"natural_person": "自然人", "business": "商业企业", "research": "科研机构",
                    "nonprofit": "社会公益组织", "legal_services": "法律服务机构", "other_org": "其他",
                    "total": "总计", "org_subtotal": "法人或其他组织小计"}

# Table 2: (block heading, column headers [(label, colspan)], rows: (row code, label, [(col code, colspan)]))
T2_BLOCKS = (
    ("第二十条第（一）项", (("本年制发件数", 1), ("本年废止件数", 1), ("现行有效件数", 1)), (
        ("rules", "规章", (("issued", 1), ("repealed", 1), ("in_force", 1))),
        ("normative_docs", "行政规范性文件", (("issued", 1), ("repealed", 1), ("in_force", 1))),
    )),
    ("第二十条第（五）项", (("本年处理决定数量", 3),), (
        ("licensing", "行政许可", (("decisions", 3),)),
    )),
    ("第二十条第（六）项", (("本年处理决定数量", 3),), (
        ("penalties", "行政处罚", (("decisions", 3),)),
        ("coercion", "行政强制", (("decisions", 3),)),
    )),
    ("第二十条第（八）项", (("本年收费金额（单位：万元）", 3),), (
        ("fees", "行政事业性收费", (("amount", 3),)),
    )),
)

# Table 2 of the 2019 trial format (国办公开办函〔2019〕60号), cell ids T2v2019/<row>/<column>.
T2V2019_BLOCKS = (
    ("第二十条第（一）项", (("本年新制作数量", 1), ("本年新公开数量", 1), ("对外公开总数量", 1)), (
        ("rules", "规章", (("produced", 1), ("published", 1), ("total_public", 1))),
        ("normative_docs", "规范性文件", (("produced", 1), ("published", 1), ("total_public", 1))),
    )),
    ("第二十条第（五）项", (("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)), (
        ("licensing", "行政许可", (("previous_items", 1), ("change", 1), ("decisions", 1))),
        ("other_services", "其他对外管理服务事项", (("previous_items", 1), ("change", 1), ("decisions", 1))),
    )),
    ("第二十条第（六）项", (("上一年项目数量", 1), ("本年增/减", 1), ("处理决定数量", 1)), (
        ("penalties", "行政处罚", (("previous_items", 1), ("change", 1), ("decisions", 1))),
        ("coercion", "行政强制", (("previous_items", 1), ("change", 1), ("decisions", 1))),
    )),
    ("第二十条第（八）项", (("上一年项目数量", 1), ("本年增/减", 2)), (
        ("fees", "行政事业性收费", (("previous_items", 1), ("change", 2))),
    )),
    ("第二十条第（九）项", (("采购项目数量", 1), ("采购总金额", 2)), (
        ("procurement", "政府集中采购", (("procurement_items", 1), ("procurement_amount", 2))),
    )),
)

T3_HEADER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Table 3 body: (row code, label cells [(text, colspan, rowspan)]) in official order. The label area
# is three columns wide; a merged group label appears only on the first row of its group.
T3_ROWS = (
    ("new", (("一、本年新收政府信息公开申请数量", 3, 1),)),
    ("carried_over", (("二、上年结转政府信息公开申请数量", 3, 1),)),
    ("granted", (("三、本年度办理结果", 1, 22), ("（一）予以公开", 2, 1))),
    ("partly_granted", (("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1),)),
    ("withheld_state_secret", (("（三）不予公开", 1, 8), ("1.属于国家秘密", 1, 1))),
    ("withheld_prohibited", (("2.其他法律行政法规禁止公开", 1, 1),)),
    ("withheld_three_safety", (("3.危及“三安全一稳定”", 1, 1),)),
    ("withheld_third_party", (("4.保护第三方合法权益", 1, 1),)),
    ("withheld_internal", (("5.属于三类内部事务信息", 1, 1),)),
    ("withheld_process", (("6.属于四类过程性信息", 1, 1),)),
    ("withheld_enforcement_file", (("7.属于行政执法案卷", 1, 1),)),
    ("withheld_inquiry", (("8.属于行政查询事项", 1, 1),)),
    ("unavailable_not_held", (("（四）无法提供", 1, 3), ("1.本机关不掌握相关政府信息", 1, 1))),
    ("unavailable_needs_creation", (("2.没有现成信息需要另行制作", 1, 1),)),
    ("unavailable_unclear", (("3.补正后申请内容仍不明确", 1, 1),)),
    ("declined_petition", (("（五）不予处理", 1, 5), ("1.信访举报投诉类申请", 1, 1))),
    ("declined_duplicate", (("2.重复申请", 1, 1),)),
    ("declined_publication", (("3.要求提供公开出版物", 1, 1),)),
    ("declined_excessive", (("4.无正当理由大量反复申请", 1, 1),)),
    ("declined_confirmation", (("5.要求行政机关确认或重新出具已获取信息", 1, 1),)),
    ("other_no_correction", (("（六）其他处理", 1, 3),
                             ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 1, 1))),
    ("other_no_fee", (("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 1, 1),)),
    ("other_other", (("3.其他", 1, 1),)),
    ("processed_total", (("（七）总计", 2, 1),)),
    ("carried_forward", (("四、结转下年度继续办理", 3, 1),)),
)

# Short row names for messages, league tables and the workbook.
T3_SHORT = {
    "new": "本年新收", "carried_over": "上年结转", "granted": "予以公开", "partly_granted": "部分公开",
    "withheld_state_secret": "不予公开·国家秘密", "withheld_prohibited": "不予公开·法律行政法规禁止",
    "withheld_three_safety": "不予公开·三安全一稳定", "withheld_third_party": "不予公开·第三方权益",
    "withheld_internal": "不予公开·内部事务", "withheld_process": "不予公开·过程性信息",
    "withheld_enforcement_file": "不予公开·行政执法案卷", "withheld_inquiry": "不予公开·行政查询事项",
    "unavailable_not_held": "无法提供·本机关不掌握", "unavailable_needs_creation": "无法提供·需另行制作",
    "unavailable_unclear": "无法提供·补正后仍不明确", "declined_petition": "不予处理·信访举报投诉",
    "declined_duplicate": "不予处理·重复申请", "declined_publication": "不予处理·公开出版物",
    "declined_excessive": "不予处理·大量反复申请", "declined_confirmation": "不予处理·确认或重新出具",
    "other_no_correction": "其他处理·逾期不补正", "other_no_fee": "其他处理·逾期未缴费",
    "other_other": "其他处理·其他", "processed_total": "办理结果总计", "carried_forward": "结转下年度",
}
T2_ROW_LABELS = {"rules": "规章", "normative_docs": "行政规范性文件", "licensing": "行政许可",
                 "penalties": "行政处罚", "coercion": "行政强制", "fees": "行政事业性收费"}
T2_COLUMN_LABELS = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                    "decisions": "本年处理决定数量", "amount": "本年收费金额（万元）"}

SECTION_TITLES = (
    ("overview", "一、总体情况"),
    ("proactive", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
)


T2V2019_LABELS = {"produced": "本年新制作数量", "published": "本年新公开数量", "total_public": "对外公开总数量",
                  "previous_items": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
                  "procurement_items": "采购项目数量", "procurement_amount": "采购总金额"}
T2V2019_ROWS = {"rules": "规章", "normative_docs": "规范性文件", "licensing": "行政许可",
                "other_services": "其他对外管理服务事项", "penalties": "行政处罚", "coercion": "行政强制",
                "fees": "行政事业性收费", "procurement": "政府集中采购"}
T3_COLUMNS_WITH_SUBTOTAL = T3_PARTS + ("org_subtotal", "total")


def short_label(cell_id: str) -> str:
    """A short Chinese name of a cell: 表三 予以公开·自然人, 表四 行政复议·总计, 表二 规章·现行有效件数."""
    table, _, rest = cell_id.partition("/")
    if table == "T2":
        row, _, col = rest.partition("/")
        return f"表二 {T2_ROW_LABELS.get(row, row)}·{T2_COLUMN_LABELS.get(col, col)}"
    if table == "T3":
        row, _, col = rest.partition("/")
        return f"表三 {T3_SHORT.get(row, row)}·{T3_COLUMN_LABELS.get(col, col)}"
    if table == "T4":
        row, _, col = rest.partition(".")
        return f"表四 {T4_GROUP_LABELS.get(row, row)}·{T4_COLUMN_LABELS.get(col, col)}"
    if table == "T2v2019":
        row, _, col = rest.partition("/")
        return f"表二（2019 格式） {T2V2019_ROWS.get(row, row)}·{T2V2019_LABELS.get(col, col)}"
    return cell_id


def all_cell_ids() -> list[str]:
    """The 200 cells in the order of the official form."""
    out = []
    for _h, _cols, rows in T2_BLOCKS:
        for code, _label, cols in rows:
            out += [f"T2/{code}/{c}" for c, _ in cols]
    for code, _labels in T3_ROWS:
        out += [f"T3/{code}/{c}" for c in T3_COLUMNS]
    for g in T4_GROUPS:
        out += [f"T4/{g}.{c}" for c in T4_COLUMNS]
    return out
