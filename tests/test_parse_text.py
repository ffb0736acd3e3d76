"""The text reader and the mapper on every layout copied from web pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from layouts import T2_EXPECTED, expected_t3, expected_t4, render

from pipeline.codebook import cell_ids
from pipeline.parse import parse_bytes, parse_file
from pipeline.textnorm import classify_value

FIX = Path(__file__).parent / "fixtures"


def _assert_cells(result: dict, expected_raw: dict[str, str]) -> None:
    wrong = []
    for cid, raw in expected_raw.items():
        sem, val = classify_value(raw)
        got = result["cells"][cid]
        if (got["semantic"], got["value"]) != (sem, val):
            wrong.append((cid, got["semantic"], got["value"], got["raw"], "want", sem, val))
    assert not wrong, wrong[:10]


def test_seed_reads_exactly_as_its_key():
    result = parse_file(FIX / "seed_2024_bayanmuren.txt")
    key = json.loads((FIX / "seed_2024_bayanmuren.expected.json").read_text(encoding="utf-8"))
    assert set(result["cells"]) == set(cell_ids()) and len(result["cells"]) == 200
    for cid, exp in key["cells"].items():
        got = result["cells"][cid]
        assert (got["semantic"], got["value"]) == (exp["semantic"], exp["value"]), cid
    assert result["agency"] == key["agency_name"]
    assert result["year"] == key["year"]
    assert result["period"] == key["period"]
    assert result["published_on"] == key["published_on"]
    assert result["format_version"] == key["format_version"]
    malformed = [p for p in result["problems"] if p["code"] == "table_malformed"]
    assert len(malformed) == 1
    assert sorted(malformed[0]["cells"]) == sorted(c for c in cell_ids() if c.startswith("T4/"))
    assert all(result["cells"][c]["semantic"] == "MISSING" for c in cell_ids() if c.startswith("T4/"))
    # the blank in_force cells stay blank, never 0
    assert result["cells"]["T2/rules/in_force"] == {
        "semantic": "EMPTY",
        "value": None,
        "raw": "",
        "at": result["cells"]["T2/rules/in_force"]["at"],
        "read_by": "text",
        "confidence": 1.0,
        "inferred": False,
    }
    assert result["cells"]["T2/rules/in_force"]["at"].startswith("line ")


@pytest.mark.parametrize("layout", ["A", "B1", "B2", "C", "mixed", "wrapped", "tabs"])
def test_every_text_layout_reads_every_cell(layout):
    text = render(layout)
    result = parse_bytes(text.encode("utf-8"), f"report_{layout}.txt")
    assert "error" not in result, result.get("error")
    expected = {**T2_EXPECTED, **expected_t3(), **expected_t4()}
    _assert_cells(result, expected)
    assert result["agency"] == "阿拉善右旗雅布赖镇人民政府"
    assert result["year"] == 2023
    assert result["published_on"] == "2024-01-18"
    assert result["period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert not [p for p in result["problems"] if p["severity"] == "error"], result["problems"]


@pytest.mark.parametrize("layout", ["A", "B1", "C"])
def test_eighth_column_is_kept_without_shifting_the_others(layout):
    result = parse_bytes(render(layout, eighth=True).encode("utf-8"), "eighth.txt")
    _assert_cells(result, expected_t3())
    sub = result["extra_cells"]["T3/new/org_subtotal"]
    assert sub["semantic"] == "NUMERIC" and sub["value"] == 2 + 3 + 4 + 5 + 6
    assert len(result["cells"]) == 200


def test_truncated_table_three_leaves_the_rest_missing():
    text = render("A")
    cut = text.index("（四）无法提供")
    tail = text.index("四、政府信息公开行政复议")
    truncated = text[:cut] + text[tail:]
    result = parse_bytes(truncated.encode("utf-8"), "truncated.txt")
    cells = result["cells"]
    assert cells["T3/withheld_inquiry/total"]["semantic"] == "NUMERIC"
    missing_rows = ["unavailable_not_held", "declined_petition", "processed_total", "carried_forward"]
    for row in missing_rows:
        assert cells[f"T3/{row}/total"] == {
            "semantic": "MISSING",
            "value": None,
            "raw": None,
            "at": None,
            "read_by": None,
            "confidence": None,
            "inferred": False,
        }
    prob = [p for p in result["problems"] if p["code"] == "table_truncated"]
    assert prob and "T3/carried_forward/total" in prob[0]["cells"]
    assert "T3/new/total" not in prob[0]["cells"]


def test_traditional_characters_from_a_mirror_site():
    zhconv = pytest.importorskip("zhconv")
    trad = zhconv.convert(render("A"), "zh-hant")
    assert "開" in trad and "請" in trad
    result = parse_bytes(trad.encode("utf-8"), "trad.txt")
    _assert_cells(result, {**T2_EXPECTED, **expected_t3(), **expected_t4()})
    assert result["agency"] == "阿拉善右旗雅布赖镇人民政府"
    assert result["year"] == 2023


def test_spam_lines_never_become_agency_or_values():
    spam = "本文来源：某某资讯网 www.example-news.com 转载请注明出处\n"
    text = spam + render("B1")
    text = text.replace("规章 |", "规章 |\n扫一扫在手机打开当前页\n", 1)
    text = text.replace("（七）总计 |", "分享到：微信 微博\n（七）总计 |", 1)
    result = parse_bytes(text.encode("utf-8"), "spam.txt")
    assert result["agency"] == "阿拉善右旗雅布赖镇人民政府"
    _assert_cells(result, {**T2_EXPECTED, **expected_t3(), **expected_t4()})
    assert any(p["code"] == "spam_ignored" for p in result["problems"])


def test_2019_trial_format_is_recognised():
    text = (
        "额济纳旗东风镇人民政府2020年政府信息公开工作年度报告\n"
        "所列数据统计期限为2020年1月1日至2020年12月31日。\n"
        "一、总体情况\n略。\n二、主动公开政府信息情况\n"
        "第二十条第（一）项 | |||\n"
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
        "规章 | 0 | 0 | 0 |\n"
        "规范性文件 | 2 | 2 | 15 |\n"
        "第二十条第（五）项 | |||\n"
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
        "行政许可 | 12 | -1 | 340 |\n"
        "其他对外管理服务事项 | 3 | 0 | 7 |\n"
        "第二十条第（九）项 | |||\n"
        "信息内容 | 采购项目数量 | 采购总金额 | |\n"
        "政府集中采购 | 4 | 56.5 | |\n"
        "三、收到和处理政府信息公开申请情况\n"
        + "\n".join(
            line
            for line in render("A").split("\n")
            if "|" in line
            and (
                "申请" in line
                or "公开" in line
                or "（" in line
                or "." in line
                or "其他" in line
                or "总计" in line
                or "自然人" in line
                or "企业" in line
            )
            and "第二十条" not in line
            and "信息内容" not in line
            and "规章" not in line
            and "规范性文件" not in line
            and "行政" not in line[:4]
        )
    )
    # the 2019 Table 3 has a single （六）其他处理 row
    lines = text.split("\n")
    out = []
    skip = False
    for ln in lines:
        if ln.startswith("（六）其他处理"):
            out.append("（六）其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |")
            skip = True
            continue
        if skip and (ln.startswith("2.申请人逾期") or ln.startswith("3.其他")):
            continue
        skip = False
        out.append(ln)
    result = parse_bytes("\n".join(out).encode("utf-8"), "v2019.txt")
    assert result["format_version"] == "2019"
    assert result["cells"]["T2/rules/issued"]["semantic"] == "MISSING"
    extra = result["extra_cells"]
    assert extra["T2v2019/normative_docs/total_public"]["value"] == 15
    assert extra["T2v2019/licensing/change"]["value"] == -1
    assert extra["T2v2019/other_services/decisions"]["value"] == 7
    assert extra["T2v2019/procurement/procurement_amount"]["value"] == 56.5
    assert result["cells"]["T3/other_other/natural_person"]["value"] == 1
    assert result["cells"]["T3/other_no_fee/total"]["semantic"] == "MISSING"
    assert result["cells"]["T3/new/natural_person"]["value"] == 1


def test_2019_format_in_a_later_year_is_a_problem():
    text = render("A").replace(
        "本年制发件数 | 本年废止件数 | 现行有效件数", "本年新制作数量 | 本年新公开数量 | 对外公开总数量"
    )
    result = parse_bytes(text.encode("utf-8"), "late2019.txt")
    assert result["format_version"] == "2019"
    assert any(p["code"] == "format_2019_late" for p in result["problems"])


def test_page_without_tables():
    text = "某某镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作平稳推进。\n"
    result = parse_bytes(text.encode("utf-8"), "notables.txt")
    assert "error" not in result
    assert all(c["semantic"] == "MISSING" for c in result["cells"].values())
    codes = {p["code"] for p in result["problems"]}
    assert {"no_tables", "table_absent", "section_absent"} <= codes


def test_row_with_too_few_values_in_undelimited_layout_is_not_guessed():
    text = render("C")
    # drop the blank markers: the blank cell of row 2 vanishes (converters that collapse blank lines)
    import re

    collapsed = re.sub(r"\n{3,}", "\n\n", text)
    result = parse_bytes(collapsed.encode("utf-8"), "collapsed.txt")
    # rows that had a blank cell are ambiguous: never shifted, never invented
    for cid in ("T3/granted/business", "T3/granted/natural_person", "T3/granted/total"):
        assert result["cells"][cid]["semantic"] == "MISSING"
    assert any(p["code"] == "row_ambiguous" for p in result["problems"])
    # complete rows are still read
    assert result["cells"]["T3/new/total"]["value"] == 7


def test_markdown_tables_and_full_width_bars():
    text = render("A")
    md_lines = []
    for line in text.split("\n"):
        if "|" in line:
            cells = [c.strip() for c in line.rstrip().rstrip("|").split("|")]
            md_lines.append("| " + " | ".join(cells) + " |")
            if cells[0] in ("信息内容", "行政复议", "自然人"):
                md_lines.append("|" + "---|" * len(cells))
        else:
            md_lines.append(line)
    md = "\n".join(md_lines)
    result = parse_bytes(md.encode("utf-8"), "md.txt")
    _assert_cells(result, {**T2_EXPECTED, **expected_t3(), **expected_t4()})
    fw = text.replace("|", "｜")
    result = parse_bytes(fw.encode("utf-8"), "fw.txt")
    _assert_cells(result, {**T2_EXPECTED, **expected_t3(), **expected_t4()})


@pytest.mark.parametrize("sep", ["\t", "  ", " ", "\n", "\n\n"])
def test_a_browser_copy_reads_the_same_whatever_separates_its_cells(sep):
    """A table copied from a browser: cells separated by tabs, by spaces (a PDF viewer's copy, where a
    row can start with two levels of labels, "三、本年度办理结果 （一）予以公开 2 0 …"), or one cell per
    line with or without blank lines between (the empty cells of merged headers dropped)."""
    text = (FIX / "county_finance_2023_tabs.txt").read_text(encoding="utf-8")
    lines = []
    for line in text.split("\n"):
        cells = [c for c in line.split("\t") if c.strip()] if "\t" in line else [line]
        lines.append(sep.join(cells))
    result = parse_bytes("\n".join(lines).encode("utf-8"), "report.txt")
    assert result["agency"] == "某某县财政局" and result["year"] == 2023
    assert result["published_on"] == "2024-01-20"
    assert not [p for p in result["problems"] if p["severity"] != "info"], result["problems"]
    got = {cid: (c["semantic"], c["value"]) for cid, c in result["cells"].items()}
    assert got["T3/granted/total"] == ("NUMERIC", 2) and got["T3/partly_granted/natural_person"] == ("NUMERIC", 1)
    assert got["T3/unavailable_not_held/total"] == ("NUMERIC", 3) and got["T3/unavailable_not_held/business"] == (
        "NUMERIC",
        1,
    )
    assert got["T3/processed_total/total"] == ("NUMERIC", 7) and got["T3/carried_over/natural_person"] == ("NUMERIC", 1)
    assert got["T2/normative_docs/in_force"] == ("NUMERIC", 10) and got["T2/fees/amount"] == ("NUMERIC", 1.5)
    assert got["T4/review.upheld"] == ("NUMERIC", 1) and got["T4/review.total"] == ("NUMERIC", 1)
    assert got["T4/suit_direct.total"] == ("ZERO", 0)
    assert sum(1 for s, _v in got.values() if s == "NUMERIC") == 24
    assert sum(1 for s, _v in got.values() if s == "ZERO") == 176


@pytest.mark.parametrize(
    "title",
    [
        "某某县财政局2023年度政府信息公开工作报告",
        "2023年某某县财政局政府信息公开工作年度报告",
        "二〇二三年某某县财政局政府信息公开工作年度报告",
        "某某县财政局关于2023年度政府信息公开工作的年度报告",
        "某某县财政局政府信息公开工作年度报告（2023年）",
        "某某县财政局政府信息公开工作2023年度报告",
        "【年度报告】某某县财政局2023年政府信息公开工作年度报告",
        "某某县财政局2023年政府信息公开年报",
    ],
)
def test_agency_and_year_from_every_way_of_writing_the_title(title):
    text = (FIX / "county_finance_2023_tabs.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    result = parse_bytes(f"{title}\n{text}".encode(), "report.txt")
    assert (result["agency"], result["year"]) == ("某某县财政局", 2023)
