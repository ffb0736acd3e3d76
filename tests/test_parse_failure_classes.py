"""The failure classes of real reports (issue 11), each on a small made-up report in the style seen:
where the agency is named, flattened and converted tables, PDF grids, 2019/hybrid formats, blank
cells written as &nbsp;, publication dates in metadata tables, and values placed without a label."""

from __future__ import annotations

import pytest
from realistic import (
    COLS,
    GROUP_BEFORE,
    T3_LABELS,
    T4,
    expected,
    report,
    t2_pipes,
    t3_pipes,
    t3_row,
    wrong_cells,
)

from pipeline.document import Document, GridCell, Para, Table
from pipeline.mapper import map_document
from pipeline.parse import parse_bytes


def _parse(text: str, name: str = "report.txt") -> dict:
    r = parse_bytes(text.encode("utf-8"), name)
    assert "error" not in r, r.get("error")
    return r


# ------------------------------------------------------------------------------------------------
# 1. Where the agency is named

NO_AGENCY_TITLE = "2023年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    "title, preamble, opening, ending, agency",
    [
        # the opening sentence of 一、总体情况
        (
            NO_AGENCY_TITLE,
            "",
            "2023年，巴润别立镇人民政府认真贯彻落实《条例》，扎实推进政务公开。",
            "",
            "巴润别立镇人民政府",
        ),
        (
            NO_AGENCY_TITLE,
            "",
            "2024年，在县委、县政府的坚强领导下，清河县卫生健康委员会深入贯彻《条例》要求。",
            "",
            "清河县卫生健康委员会",
        ),
        (NO_AGENCY_TITLE, "", "2022年，商务局信息公开工作在区政府的指导下有序开展。", "", "商务局"),
        (NO_AGENCY_TITLE, "", "2023年，宗别立镇党委、政府高度重视政府信息公开工作。", "", "宗别立镇人民政府"),
        # a short form in the title, the fullest in the opening sentence
        (
            "卫健委2023年政府信息公开工作年度报告",
            "",
            "2023年，额济纳旗卫生健康委员会认真贯彻《条例》。",
            "",
            "额济纳旗卫生健康委员会",
        ),
        # a preamble
        (
            "政府信息公开工作年度报告",
            "根据《中华人民共和国政府信息公开条例》要求，现特向社会公布乌兰布和乡2025年度政府信息公开工作年度报告。",
            "2025年，我乡坚持以公开为常态。",
            "",
            "乌兰布和乡",
        ),
        # traditional characters
        (NO_AGENCY_TITLE, "", "2023年，溫都爾勒圖鎮人民政府認真貫徹落實《條例》。", "", "温都尔勒图镇人民政府"),
        # the signature
        (
            NO_AGENCY_TITLE,
            "",
            "2023年，我镇认真贯彻落实《条例》。",
            "图克镇人民政府\n2024年1月10日\n",
            "图克镇人民政府",
        ),
        # an abbreviation in the title, its full name in the text
        (
            "旗民委2023年政府信息公开工作年度报告",
            "",
            "2023年，阿拉善左旗民族事务委员会（以下简称旗民委）认真贯彻《条例》。",
            "",
            "阿拉善左旗民族事务委员会",
        ),
        (
            "图克镇2023年政府信息公开工作年度报告",
            "",
            "2023年，我镇认真贯彻落实《条例》。",
            "图克镇人民政府\n2024年1月10日\n",
            "图克镇人民政府",
        ),
        # a short form in the title, the fullest form in the signature
        (
            "商务局2022年政府信息公开工作年度报告",
            "",
            "2022年，我局认真贯彻《条例》。",
            "正镶白旗商务局\n2023年1月20日\n",
            "正镶白旗商务局",
        ),
        # the contact line
        (
            NO_AGENCY_TITLE,
            "如对本报告有疑问，请与吉兰泰镇人民政府党政综合办公室联系。",
            "2023年，我镇认真贯彻落实《条例》。",
            "",
            "吉兰泰镇人民政府",
        ),
        (
            NO_AGENCY_TITLE,
            "",
            "2023年，我镇认真贯彻落实《条例》。",
            "联系单位：敖伦布拉格镇人民政府党政办公室；联系电话：0483-8123456\n",
            "敖伦布拉格镇人民政府",
        ),
    ],
)
def test_agency_from_every_place_a_person_would_look(title, preamble, opening, ending, agency):
    r = _parse(report(title=title, preamble=preamble, opening=opening, ending=ending))
    assert r["agency"] == agency
    assert wrong_cells(r) == []


def test_agency_and_year_from_the_page_title_only():
    body = report(title="", opening="本年度，我市持续推进政务公开。").replace("\n", "<br>\n")
    html = (
        f"<html><head><title>额肯呼都格镇2024年政府信息公开工作年度报告</title></head><body><p>{body}</p></body></html>"
    )
    r = _parse(html, "page.html")
    assert r["agency"] == "额肯呼都格镇" and r["year"] == 2024


# ------------------------------------------------------------------------------------------------
# 2. A whole Table 2 flattened onto one line after its headers


def test_table2_flattened_onto_one_line():
    flat = (
        "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 0 0 0 行政规范性文件 2 0 15 "
        "第二十条第（五）项 信息内容 本年处理决定数量 行政许可 36 第二十条第（六）项 信息内容 本年处理决定数量 "
        "行政处罚 4 行政强制 0 第二十条第（八）项 信息内容 本年收费金额（单位：万元） 行政事业性收费 0\n"
    )
    r = _parse(report(t2=flat))
    assert wrong_cells(r) == []
    # the header on its own lines, the rows flattened after it
    split = (
        "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0 行政规范性文件 2 0 15\n"
        "第二十条第（五）项 信息内容 本年处理决定数量 行政许可 36 第二十条第（六）项 信息内容 本年处理决定数量 "
        "行政处罚 4 行政强制 0 第二十条第（八）项 信息内容 本年收费金额（单位：万元） 行政事业性收费 0\n"
    )
    r = _parse(report(t2=split))
    assert wrong_cells(r) == []


def test_publication_date_from_a_copied_metadata_line():
    text = "索引号：11152921/2024-00003 发布机构：巴润别立镇人民政府 公开日期：2024-01-17\n" + report()
    assert _parse(text)["published_on"] == "2024-01-17"


# ------------------------------------------------------------------------------------------------
# 3. PDF tables (the grids a PDF reader hands to the mapper)


def _grid(rows: list[list[str | None]], at: str) -> Table:
    return Table(
        rows=[
            [
                GridCell("", f"{at} r{i}c{j}", cont=True) if c is None else GridCell(c, f"{at} r{i}c{j}")
                for j, c in enumerate(row)
            ]
            for i, row in enumerate(rows)
        ],
        at=at,
    )


def _t3_grid() -> list[list[str | None]]:
    rows = [
        [
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            None,
            "申请人情况",
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"],
        [None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None],
    ]
    for code, lab in T3_LABELS:
        pre = GROUP_BEFORE.get(code, None)
        rows.append([pre or "", lab] + [str(v) for v in t3_row(code)])
    return rows


def _t2_grid() -> list[list[str | None]]:
    return [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["行政规范性文件", "2", "0", "15"],
        ["信息内容", "本年处理决定数量", None, None],
        ["行政许可", "36", None, None],
        ["行政处罚", "4", None, None],
        ["行政强制", "0", None, None],
        ["信息内容", "本年收费金额（单位：万元）", None, None],
        ["行政事业性收费", "0", None, None],
    ]


def _pdf_doc(t3=None, t4=None, before=()) -> Document:
    blocks = [
        Para("巴润别立镇人民政府2023年政府信息公开工作年度报告", "page 1"),
        Para("一、总体情况", "page 1"),
        *before,
        Para("二、主动公开政府信息情况", "page 2"),
        _grid(_t2_grid(), "page 2, table 1"),
        Para("三、收到和处理政府信息公开申请情况", "page 2"),
        _grid(t3 or _t3_grid(), "page 3, table 2"),
        Para("四、政府信息公开行政复议、行政诉讼情况", "page 4"),
        _grid(t4, "page 4, table 3"),
    ]
    return Document(kind="pdf", blocks=blocks)


T4_HEAD_MANY_LINES = [
    ["行政复议", None, None, None, None, "行政诉讼", None, None, None, None, None, None, None, None, None, ""],
    [
        "结果",
        "结果",
        "其他",
        "尚未",
        "总",
        "未经复议直接起诉",
        None,
        None,
        None,
        None,
        "复议后起诉",
        None,
        None,
        None,
        None,
        "",
    ],
    [
        "维持",
        "纠正",
        "结果",
        "审结",
        "计",
        "结果",
        "结果",
        "其他",
        "尚未",
        "总",
        "结果",
        "结果",
        "其他",
        "尚未",
        "总",
        "",
    ],
    [None, None, None, None, None, "维持", "纠正", "结果", "审结", "计", "维持", "纠正", "结果", "审结", "计", ""],
]


def _mapped(doc: Document) -> dict:
    m = map_document(doc)
    return {"cells": m.cells, "problems": m.problems, "format_version": m.format_version}


def test_pdf_table4_header_over_many_lines_and_15_values_next_to_an_empty_16th_cell():
    t4 = T4_HEAD_MANY_LINES + [[str(v) for v in T4] + [""]]
    r = _mapped(_pdf_doc(t4=t4))
    assert wrong_cells(r) == []


def test_pdf_table4_with_a_spare_blank_cell_between_the_groups():
    """The header's 行政诉讼 block drawn one column wider: 16 cells, the blank one in the middle."""
    vals = [str(v) for v in T4]
    r = _mapped(_pdf_doc(t4=T4_HEAD_MANY_LINES[:1] + [vals[:5] + [""] + vals[5:]]))
    assert wrong_cells(r) == []
    # the same grid whose sums do not close is not guessed
    bad = vals[:4] + ["3"] + [""] + vals[5:]
    r = _mapped(_pdf_doc(t4=T4_HEAD_MANY_LINES[:1] + [bad]))
    assert all(
        r["cells"][f"T4/{g}.upheld"]["semantic"] == "MISSING" for g in ("review", "suit_direct", "suit_after_review")
    )


def test_pdf_row_label_wrapped_in_its_cell_with_values_on_the_last_line():
    t3 = _t3_grid()
    i = next(k for k, row in enumerate(t3) if (row[1] or "").startswith("（二）部分公开"))
    t3[i : i + 1] = [
        ["", "（二）部分公开（区分处理的，只计这一情", "", "", "", "", "", "", ""],
        [None, "形，不计其他情形）"] + [str(v) for v in t3_row("partly_granted")],
    ]
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert [w for w in wrong_cells(r) if w[0].startswith("T3")] == []


@pytest.mark.parametrize(
    "typo, code",
    [
        ("2.其他法律行政止公开", "withheld_prohibited"),
        ("2.没有现存信息需要另行制做", "unavailable_needs_creation"),
        ("3.补正后申请内容扔不名确", "unavailable_unclear"),
    ],
)
def test_labels_with_typos_are_matched_when_unambiguous(typo, code):
    label = dict(T3_LABELS)[code]
    t3 = [[c if c != label else typo for c in row] for row in _t3_grid()]
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert [w for w in wrong_cells(r) if w[0].startswith("T3")] == []
    assert any(p["code"] == "label_typo" and typo in p["message"] for p in r["problems"])


def test_table2_labels_with_typos():
    t2 = t2_pipes().replace("行政规范性文件 |", "行政规范性文 |").replace("行政事业性收费 |", "行政事业姓收费 |")
    r = _parse(report(t2=t2))
    assert wrong_cells(r) == []
    assert sum(p["code"] == "label_typo" for p in r["problems"]) == 2


def test_a_label_that_matches_no_row_closely_enough_is_not_guessed():
    label = dict(T3_LABELS)["withheld_prohibited"]
    t3 = [[c if c != label else "2.其他禁止" for c in row] for row in _t3_grid()]
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert all(
        r["cells"][f"T3/withheld_prohibited/{c}"]["semantic"] in ("MISSING",)
        or r["cells"][f"T3/withheld_prohibited/{c}"]["inferred"]
        for c in COLS
    )


def test_a_table3_word_in_an_earlier_table_on_another_page_is_not_a_row():
    box = _grid(
        [
            ["（三）政府信息管理情况。加强网站及政务新媒", None, None, None],
            ["体日常管理，运用第三方检测平台实行常态化监测。", None, None, None],
            ["4.保护第三方合法权益", "9", "9", "9"],
        ],
        "page 1, table 1",
    )
    r = _mapped(_pdf_doc(before=[box], t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert wrong_cells(r) == []
    assert not any(p["code"] == "duplicate_row" for p in r["problems"])


# ------------------------------------------------------------------------------------------------
# 4. Text converted from PDF by other tools (markdown)

MD_T3_HEAD = (
    "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |\n"
    "|---|---|---|---|---|---|---|---|\n"
    "| | 自然人 | 法人或其他组织 | | | | | 总计 |\n"
    "| | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |\n"
)


def _md_row(cells) -> str:
    return "| " + " | ".join(cells) + " |\n"


def test_markdown_each_table3_row_its_own_little_table():
    out = [MD_T3_HEAD, "\n"]
    for code, lab in T3_LABELS:
        out.append(_md_row(["", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", "总计"]))
        out.append("|---|---|---|---|---|---|---|---|\n")
        out.append(_md_row([lab] + [str(v) for v in t3_row(code)]))
        out.append("\n")
    r = _parse(report(t3="".join(out)), "report.md")
    assert wrong_cells(r) == []


def test_markdown_labels_without_ordinals_and_split_over_two_cells():
    out = [MD_T3_HEAD]
    for code, lab in T3_LABELS:
        vals = [str(v) for v in t3_row(code)]
        if code == "new":
            out.append(_md_row(["本年新收政府信息公开申请数量"] + vals))
        elif code == "withheld_state_secret":
            out.append(_md_row(["（三）不", "予公开"]) + _md_row([lab] + vals))
        elif code == "partly_granted":
            out.append(_md_row(["（二）部分", "公开（区分处理的，只计这一情形，不计其他情形）"] + vals))
        else:
            pre = GROUP_BEFORE.get(code)
            if pre:
                out.append(_md_row([pre]))
            out.append(_md_row([lab] + vals))
    r = _parse(report(t3="".join(out)), "report.md")
    assert wrong_cells(r) == []
    assert not any(c["inferred"] for c in r["cells"].values())


def test_markdown_rows_under_a_wrong_header_row_and_page_footers_inside_tables():
    out = [MD_T3_HEAD]
    for code, lab in T3_LABELS:
        if code == "withheld_internal":
            out.append("\n— 3 —\n\n")
            out.append(_md_row(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "", "", "", ""]))
            out.append("|---|---|---|---|---|---|---|---|\n")
        pre = GROUP_BEFORE.get(code)
        out.append(_md_row(([pre] if pre else []) + [lab] + [str(v) for v in t3_row(code)]))
    r = _parse(report(t3="".join(out)), "report.md")
    assert wrong_cells(r) == []
    assert not any(p["severity"] == "error" for p in r["problems"])


@pytest.mark.parametrize(
    "head",
    [
        "| 行政复议 | | | | | 行政诉讼 |\n|---|---|---|---|---|---|\n",
        "| 行政复议 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 行政诉讼 | 未经复议直接起诉 | | | | 复议后起诉 |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    ],
)
def test_markdown_table4_values_under_a_garbled_header(head):
    r = _parse(report(t4=head + _md_row([str(v) for v in T4])), "report.md")
    assert wrong_cells(r) == []


# ------------------------------------------------------------------------------------------------
# 5. 2019-template and hybrid reports in 2021+ years

T2_2019 = (
    "第二十条第（一）项 |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n规章 | 0 | 0 | 0 |\n"
    "规范性文件 | 2 | 2 | 15 |\n第二十条第（五）项 |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
    "行政许可 | 10 | 0 | 36 |\n其他对外管理服务事项 | 0 | 0 | 0 |\n第二十条第（六）项 |\n"
    "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n行政处罚 | 5 | 0 | 4 |\n行政强制 | 1 | 0 | 0 |\n"
    "第二十条第（八）项 |\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 0 | 0 |\n"
    "第二十条第（九）项 |\n信息内容 | 采购项目数量 | 采购总金额 |\n政府集中采购 | 0 | 0 |\n"
)


def _single_other_row() -> str:
    return t3_pipes(skip=("other_no_correction", "other_no_fee", "other_other")).replace(
        "（七）总计", "（六）其他处理 | " + " | ".join(str(v) for v in t3_row("other_other")) + " |\n（七）总计"
    )


def test_2019_template_in_a_2022_report():
    r = _parse(report(title="巴润别立镇人民政府2022年政府信息公开工作年度报告", t2=T2_2019, t3=_single_other_row()))
    assert r["format_version"] == "2019"
    want = {
        k: v
        for k, v in expected().items()
        if not k.startswith(("T3/other_no_correction", "T3/other_no_fee", "T2/rules", "T2/normative_docs", "T2/fees"))
    }
    assert wrong_cells(r, want) == []
    for cid in ("T2/rules/issued", "T2/fees/amount", "T3/other_no_fee/total"):
        assert r["cells"][cid]["semantic"] == "MISSING"
    assert r["extra_cells"]["T2v2019/licensing/decisions"]["value"] == 36
    assert any(p["code"] == "format_2019_late" for p in r["problems"])


def test_hybrid_2021_table2_with_a_single_other_handling_row():
    r = _parse(report(t3=_single_other_row()))
    assert r["format_version"] == "2021"
    want = {k: v for k, v in expected().items() if not k.startswith(("T3/other_no_correction", "T3/other_no_fee"))}
    assert wrong_cells(r, want) == []
    assert r["cells"]["T3/other_no_fee/natural_person"]["semantic"] == "MISSING"
    codes = [p["code"] for p in r["problems"]]
    assert "format_hybrid" in codes and "format_2019_late" not in codes and "rows_missing" not in codes


# ------------------------------------------------------------------------------------------------
# 6. Blank cells written &nbsp; or <o:p> </o:p>


def test_word_html_blank_cells_are_empty_and_a_row_of_them_is_a_row():
    def td(x):
        return f"<td><p><span>{x}</span><o:p></o:p></p></td>"

    blank = ["&nbsp;", "<o:p> </o:p>", "<span lang=EN-US><o:p>&nbsp;</o:p></span>"]
    rows = []
    for i, (code, lab) in enumerate(T3_LABELS):
        vals = [td(v) for v in t3_row(code)]
        if code in ("withheld_inquiry",):
            vals = [f"<td>{blank[k % 3]}</td>" for k in range(7)]
        rows.append(f"<tr><td>{lab}</td>{''.join(vals)}</tr>")
    head = (
        "<tr><td rowspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=7>申请人情况</td></tr>"
        "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>"
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
    )
    html = (
        "<html><body><p>巴润别立镇人民政府2023年政府信息公开工作年度报告</p><p>三、收到和处理政府信息公开申请情况</p>"
        f"<table>{head}{''.join(rows)}</table></body></html>"
    )
    r = _parse(html, "page.html")
    for c in COLS:
        assert r["cells"][f"T3/withheld_inquiry/{c}"]["semantic"] == "EMPTY"
        assert r["cells"][f"T3/granted/{c}"]["semantic"] in ("ZERO", "NUMERIC")
    assert not any(p["code"] in ("rows_missing", "table_truncated") for p in r["problems"])


# ------------------------------------------------------------------------------------------------
# 7. Publication date from metadata tables, never a page clock or a capture time


def test_publication_date_from_the_metadata_table_not_the_clock_or_capture_time():
    body = report(ending="巴润别立镇人民政府\n2024年1月15日\n").replace("\n", "<br>\n")
    html = (
        "<html><head><title>巴润别立镇人民政府2023年政府信息公开工作年度报告</title></head><body>"
        "<div>采集时间：2025-12-30T21:37:37+08:00</div><div>2025年12月30日 星期二</div>"
        "<table><tr><td>名称</td><td colspan=3>巴润别立镇人民政府2023年政府信息公开工作年度报告</td></tr>"
        "<tr><td>索引号</td><td>11152921/2024-00003</td><td>发布机构</td><td>巴润别立镇人民政府</td></tr>"
        "<tr><td>成文日期</td><td>2024-01-15</td><td>公开日期</td><td>2024-01-17</td></tr></table>"
        f"<p>{body}</p></body></html>"
    )
    r = _parse(html, "page.html")
    assert r["published_on"] == "2024-01-17"
    assert r["signed_on"] == "2024-01-15"


def test_no_publication_date_is_taken_from_a_page_clock():
    body = report().replace("\n", "<br>\n")
    html = (
        "<html><body><div>今天是：2025年12月30日 星期二</div><div>采集时间：2025-12-30</div>"
        f"<p>{body}</p></body></html>"
    )
    assert _parse(html, "page.html")["published_on"] is None


# ------------------------------------------------------------------------------------------------
# Values placed without a label: only where the place is certain and the identities confirm them


def _lost_label(code: str, vals=None) -> str:
    lab = dict(T3_LABELS)[code]
    vals = t3_row(code) if vals is None else vals
    return (
        t3_pipes().replace(lab + " | ", "|" if False else "")
        if False
        else t3_pipes().replace(
            f"{lab} | " + " | ".join(str(v) for v in t3_row(code)) + " |",
            " | " + " | ".join(str(v) for v in vals) + " |",
        )
    )


def test_a_row_whose_label_is_lost_is_placed_when_certain_and_confirmed():
    r = _parse(report(t3=_lost_label("partly_granted")))
    assert wrong_cells(r) == []
    for c in COLS:
        assert r["cells"][f"T3/partly_granted/{c}"]["inferred"] is True
    assert not any(r["cells"][cid]["inferred"] for cid in r["cells"] if "/partly_granted/" not in cid)
    p = [p for p in r["problems"] if p["code"] == "row_inferred"]
    assert len(p) == 1 and set(p[0]["cells"]) == {f"T3/partly_granted/{c}" for c in COLS}


def test_a_row_whose_label_is_lost_stays_missing_when_the_identities_do_not_confirm_it():
    # the values do not add up to the processed total: never a guess
    r = _parse(report(t3=_lost_label("partly_granted", [2, 0, 0, 0, 1, 0, 4])))
    for c in COLS:
        cell = r["cells"][f"T3/partly_granted/{c}"]
        assert cell["semantic"] == "MISSING" and not cell["inferred"]
    assert any(p["code"] == "rows_missing" for p in r["problems"])


def test_two_rows_lost_together_are_not_placed():
    t3 = t3_pipes()
    for code in ("withheld_three_safety", "withheld_third_party"):
        lab = dict(T3_LABELS)[code]
        t3 = t3.replace(f"{lab} | ", " | ")
    r = _parse(report(t3=t3))
    for code in ("withheld_three_safety", "withheld_third_party"):
        assert r["cells"][f"T3/{code}/total"]["semantic"] == "MISSING"


# ------------------------------------------------------------------------------------------------
# A PDF whose tables have no ruling lines (cells placed by position only)


def test_pdf_tables_without_ruling_lines_are_read_from_the_text_lines(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "borderless.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    y = 800

    def line(cells, size=9):
        nonlocal y
        if y < 60:
            c.showPage()
            y = 800
        c.setFont("STSong-Light", size)
        x = 40
        for k, t in enumerate(cells):
            c.drawString(x, y, t)
            x = (300 if k == 0 else x + 36) if len(cells) > 2 else x + 200
        y -= 16

    for row in report().splitlines():
        cells = [x.strip() for x in row.split("|") if x.strip()]
        if not cells:
            continue
        if (
            len(cells) > 1
            and cells[0].startswith(("三、本年度", "（三）不予", "（四）无法", "（五）不予", "（六）其他"))
            and not cells[1].isdigit()
        ):
            line([cells[0]])
            cells = cells[1:]
        while len(cells) > 2 and len(cells[0]) > 26:  # a long label wraps in its column
            line([cells[0][:26]])
            cells = [cells[0][26:]] + cells[1:]
        line(cells)
    c.save()
    r = parse_bytes(path.read_bytes(), "borderless.pdf")
    assert r["kind"] == "pdf"
    assert any(p["code"] == "pdf_tables_unruled" for p in r["problems"])
    assert wrong_cells(r) == []
    assert r["agency"] == "巴润别立镇人民政府" and r["year"] == 2023


def test_a_blank_row_is_not_joined_with_a_next_row_whose_label_has_a_typo():
    t3 = _t3_grid()
    for row in t3:
        if row[1] == "1.本机关不掌握相关政府信息":
            row[2:] = [""] * 7
        if row[1] == "2.没有现成信息需要另行制作":
            row[0], row[1] = "", "没有现存信息需要另行制做"
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert all(r["cells"][f"T3/unavailable_not_held/{c}"]["semantic"] == "EMPTY" for c in COLS)
    assert r["cells"]["T3/unavailable_needs_creation/natural_person"]["value"] == 1


def test_a_table3_word_in_a_boxed_paragraph_after_table3_is_not_a_row():
    box = _grid(
        [["（一）存在的主要问题。对涉及第三方合法权益的申请征求意见不够及时。", None, None, None]], "page 5, table 4"
    )
    doc = _pdf_doc(t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]])
    doc.blocks += [Para("五、存在的主要问题及改进情况", "page 5"), box]
    r = _mapped(doc)
    assert wrong_cells(r) == []
    assert not any(p["code"] == "duplicate_row" for p in r["problems"])


def test_converted_table_cells_written_nbsp_or_word_markup_are_empty():
    def blank_row(code):
        lab = dict(T3_LABELS)[code]
        return f"{lab} | " + " | ".join(str(v) for v in t3_row(code)) + " |", f"{lab} | " + " | ".join(
            ["&nbsp;", "<o:p> </o:p>", "<o:p>&nbsp;</o:p>", " ", "&#160;", "<br>", "&nbsp;"]
        ) + " |"

    old, new = blank_row("withheld_inquiry")
    r = _parse(report(t3=t3_pipes().replace(old, new)), "report.md")
    for c in COLS:
        assert r["cells"][f"T3/withheld_inquiry/{c}"]["semantic"] == "EMPTY"
    want = {k: v for k, v in expected().items() if "/withheld_inquiry/" not in k}
    assert wrong_cells(r, want) == []
    assert not any(p["code"] in ("rows_missing", "row_ambiguous") for p in r["problems"])


def test_pdf_label_cell_over_two_grid_rows_with_its_values_in_the_lower_one():
    t3 = _t3_grid()
    i = next(k for k, row in enumerate(t3) if (row[1] or "").startswith("（二）部分公开"))
    vals = [str(v) for v in t3_row("partly_granted")]
    t3[i : i + 1] = [["", t3[i][1]] + [""] * 7, [None, None] + vals]
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert wrong_cells(r) == []
    assert not any(p["code"] == "orphan_values" for p in r["problems"])
    # a values row under a blank row whose label cell does not reach it is not taken for it
    t3 = _t3_grid()
    i = next(k for k, row in enumerate(t3) if (row[1] or "").startswith("8.属于行政查询事项"))
    t3[i][2:] = [""] * 7
    t3.insert(i + 1, [None, ""] + ["5"] * 7)
    r = _mapped(_pdf_doc(t3=t3, t4=T4_HEAD_MANY_LINES[:1] + [[str(v) for v in T4]]))
    assert all(r["cells"][f"T3/withheld_inquiry/{c}"]["semantic"] == "EMPTY" for c in COLS)
