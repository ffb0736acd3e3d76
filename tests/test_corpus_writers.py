"""Writers of the corpus generator: every form puts every value exactly where the spec says.

Each check reads the rendered file by independent means (string search, tiny per-layout decoders
written here, lxml's HTML tree, python-docx cell access, pdfplumber) and compares with the spec and
with `expected_cells`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import (
    LAYOUTS,
    ReportSpec,
    expected_cells,
    expected_extra_cells,
    render_html,
    render_text,
    write,
    write_docx,
    write_html,
    write_pdf,
    write_pdf_image_only,
    write_text,
)
from corpus.spec import example_spec
from pipeline.codebook import cell_ids
from pipeline.textnorm import classify_value

T3_COLS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total"]
T3_ROWS = [  # code, the row's own label (last label cell), a distinctive fragment
    ("new", "一、本年新收政府信息公开申请数量", "本年新收"),
    ("carried_over", "二、上年结转政府信息公开申请数量", "上年结转"),
    ("granted", "（一）予以公开", "予以公开"),
    ("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    ("withheld_state_secret", "1.属于国家秘密", "国家秘密"),
    ("withheld_prohibited", "2.其他法律行政法规禁止公开", "禁止公开"),
    ("withheld_three_safety", "3.危及“三安全一稳定”", "三安全一稳定"),
    ("withheld_third_party", "4.保护第三方合法权益", "第三方"),
    ("withheld_internal", "5.属于三类内部事务信息", "内部事务"),
    ("withheld_process", "6.属于四类过程性信息", "过程性"),
    ("withheld_enforcement_file", "7.属于行政执法案卷", "执法案卷"),
    ("withheld_inquiry", "8.属于行政查询事项", "查询事项"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", "不掌握"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", "另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确", "仍不明确"),
    ("declined_petition", "1.信访举报投诉类申请", "信访"),
    ("declined_duplicate", "2.重复申请", "重复申请"),
    ("declined_publication", "3.要求提供公开出版物", "出版物"),
    ("declined_excessive", "4.无正当理由大量反复申请", "大量反复"),
    ("declined_confirmation", "5.要求行政机关确认或重新出具已获取信息", "重新出具"),
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "不补正"),
    ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "缴纳费用"),
    ("other_other", "3.其他", None),
    ("processed_total", "（七）总计", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理", "结转下年度"),
]
# rows whose <tr> starts with two label cells (a rowspan label and the row's own)
TWO_LABELS = {"granted", "withheld_state_secret", "unavailable_not_held", "declined_petition", "other_no_correction"}

T4_IDS = [
    f"T4/{g}.{c}"
    for g in ("review", "suit_direct", "suit_after_review")
    for c in ("upheld", "corrected", "other", "pending", "total")
]


def mixed_cells() -> dict[str, str]:
    """Blank, '/', zero and non-zero cells, blanks in first, middle and last columns, odd number forms."""
    cells: dict[str, str] = {}
    for ri, (code, _, _) in enumerate(T3_ROWS):
        for ci, col in enumerate(T3_COLS):
            cells[f"T3/{code}/{col}"] = str(100 * (ri + 1) + ci)  # unique, so a shifted value shows
    cells.update(dict(zip((f"T3/new/{c}" for c in T3_COLS), ["11", "", "0", "/", "3件", "１２", "1,472"])))
    cells.update(dict(zip((f"T3/carried_over/{c}" for c in T3_COLS), ["", "21", "22", "23", "24", "25", ""])))
    cells.update(dict(zip((f"T3/granted/{c}" for c in T3_COLS), ["0", "0", "", "0", "0", "0", "0"])))
    cells.update(dict(zip((f"T3/carried_forward/{c}" for c in T3_COLS), ["—", "0", "0", "0", "0", "0", ""])))
    cells.update(
        {
            "T2/rules/issued": "0",
            "T2/rules/repealed": "1",
            "T2/rules/in_force": "",
            "T2/normative_docs/issued": "/",
            "T2/normative_docs/repealed": "2",
            "T2/normative_docs/in_force": "37",
            "T2/licensing/decisions": "44",
            "T2/penalties/decisions": "",
            "T2/coercion/decisions": "0",
            "T2/fees/amount": "18.8710",
        }
    )
    cells.update(dict(zip(T4_IDS, ["", "0", "1", "/", "2", "3", "4", "5", "", "12", "0", "0", "0", "0", "0"])))
    return cells


def make_spec(**changes) -> ReportSpec:
    kwargs = dict(agency="阿拉善左旗巴彦木仁苏木人民政府", year=2024, published_on="2025-01-06", cells=mixed_cells())
    kwargs.update(changes)
    return ReportSpec(**kwargs)


def vals(spec: ReportSpec, code: str) -> list[str]:
    return [spec.cells[f"T3/{code}/{c}"] for c in T3_COLS]


def check_against_truth(spec: ReportSpec, got: dict[str, str]) -> None:
    """Decoded raw texts (cell id -> text) classify exactly as `expected_cells` says."""
    truth = expected_cells(spec)
    assert got, "nothing decoded"
    for cid, raw in got.items():
        sem, val = classify_value(raw)
        assert truth[cid] == {"semantic": sem, "value": val}, (cid, raw, truth[cid])
    for cid, t in truth.items():
        if t["semantic"] != "MISSING" and cid.startswith("T3/"):
            assert cid in got, cid


# ------------------------------------------------------------------------------------------------
# Tiny per-layout decoders (deliberately independent of the writers' code)


def decode_a(text: str, label: str, n_labels: int, n_values: int = 7) -> list[str]:
    """Layout A / wrapped: the line that starts with the label; cells are what lies between pipes."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(label + " |") or (line.startswith(label) and lines[i + 1] == "|"):
            parts = [p.strip() for p in line.split("|")]
            return parts[n_labels : n_labels + n_values]
    raise AssertionError(f"no line for {label}")


def decode_b1(text: str, label: str, n_labels: int, n_values: int = 7) -> list[str]:
    lines = text.split("\n")
    i = lines.index(label + " |")
    cells = lines[i + n_labels : i + n_labels + n_values]
    assert all(c.endswith(" |") for c in cells), cells
    return [c[:-2] for c in cells]


def decode_b2(text: str, label: str, n_labels: int, n_values: int = 7) -> list[str]:
    lines = text.split("\n")
    i = lines.index(label)
    assert lines[i + 1] == "|"
    j = i + 2 + 2 * (n_labels - 1)
    out = []
    while len(out) < n_values:
        if lines[j] == "|":
            out.append("")
            j += 1
        else:
            assert lines[j + 1] == "|", lines[j : j + 2]
            out.append(lines[j])
            j += 2
    return out


def decode_c(text: str, label: str, n_labels: int, n_values: int = 7) -> list[str]:
    items = text.split("\n\n")
    i = items.index(label)
    return items[i + n_labels : i + n_labels + n_values]


def decode_mixed(text: str, label: str, n_labels: int, n_values: int = 7) -> list[str]:
    lines = text.split("\n")
    if any(line.startswith(label + " | ") for line in lines):
        return decode_a(text, label, n_labels, n_values)
    if label + " |" in lines:
        return decode_b1(text, label, n_labels, n_values)
    return decode_b2(text, label, n_labels, n_values)


DECODERS = {"A": decode_a, "wrapped": decode_a, "B1": decode_b1, "B2": decode_b2, "C": decode_c, "mixed": decode_mixed}


def row_label(code: str, label: str, layout: str) -> str:
    """The first cell of the row's <tr> (a rowspan label where the row starts one)."""
    first = {
        "granted": "三、本年度办理结果",
        "withheld_state_secret": "（三）不予公开",
        "unavailable_not_held": "（四）无法提供",
        "declined_petition": "（五）不予处理",
        "other_no_correction": "（六）其他处理",
    }
    return first.get(code, label)


# ------------------------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_layouts_put_every_t3_value_in_its_column(tmp_path, layout):
    spec = make_spec()
    path = tmp_path / f"r_{layout}.txt"
    write_text(spec, path, layout)
    text = path.read_text(encoding="utf-8")
    dec = DECODERS[layout]
    got = {}
    for code, label, _ in T3_ROWS:
        n_labels = 2 if code in TWO_LABELS else 1
        cells = dec(text, row_label(code, label, layout), n_labels)
        assert cells == vals(spec, code), (layout, code, cells)
        got.update({f"T3/{code}/{c}": v for c, v in zip(T3_COLS, cells)})
    check_against_truth(spec, got)
    # T4: its only data row is the one after the 15 column headers
    if layout in ("A", "wrapped", "mixed"):
        line = next(
            x
            for x in text.split("\n")
            if x.startswith(" | 0 | 1 |") or x.startswith("| 0 | 1 |") or x.startswith(" |") and "| 12 |" in x
        )
        assert [p.strip() for p in line.split("|")][:15] == [spec.cells[c] for c in T4_IDS]


def test_layout_a_lines_are_exactly_the_seed_style():
    text = render_text(make_spec(), "A")
    lines = text.split("\n")
    for expected in [
        "一、本年新收政府信息公开申请数量 | 11 | | 0 | / | 3件 | １２ | 1,472 | ||",
        "二、上年结转政府信息公开申请数量 | | 21 | 22 | 23 | 24 | 25 | | ||",
        "三、本年度办理结果 | （一）予以公开 | 0 | 0 | | 0 | 0 | 0 | 0 | |",
        "（三）不予公开 | 1.属于国家秘密 | 500 | 501 | 502 | 503 | 504 | 505 | 506 | |",
        "2.其他法律行政法规禁止公开 | 600 | 601 | 602 | 603 | 604 | 605 | 606 | ||",
        "四、结转下年度继续办理 | — | 0 | 0 | 0 | 0 | 0 | |",  # last row: no padding
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||||",
        "自然人 | 法人或其他组织 | 总计 | |||||||",
        "商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||",
        "第二十条第（一）项 | |||",
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "规章 | 0 | 1 | |",
        "行政规范性文件 | / | 2 | 37 |",
        "信息内容 | 本年处理决定数量 | ||",
        "行政许可 | 44 | ||",
        "行政处罚 | | ||",
        "行政事业性收费 | 18.8710 |",
        "行政复议 | 行政诉讼 | |||||||||||||",
        " | 0 | 1 | / | 2 | 3 | 4 | 5 | | 12 | 0 | 0 | 0 | 0 | 0 |",
    ]:
        assert expected in lines, expected
    assert lines[0] == "阿拉善左旗巴彦木仁苏木人民政府2024年政府信息公开工作年度报告"
    assert lines[1].startswith("- 发布日期:2025-01-06 ")
    assert "所列数据统计期限为2024年1月1日至2024年12月31日" in lines[3]
    assert "如对本年度报告有疑问，请与阿拉善左旗巴彦木仁苏木人民政府办公室联系（电话：" in lines[3]
    for h in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert h in lines


def test_layout_b1_b2_c_cell_conventions():
    spec = make_spec()
    b1 = render_text(spec, "B1").split("\n")
    i = b1.index("二、上年结转政府信息公开申请数量 |")
    assert b1[i + 1 : i + 9] == [" |", "21 |", "22 |", "23 |", "24 |", "25 |", " |", "|||"]
    b2 = render_text(spec, "B2").split("\n")
    i = b2.index("二、上年结转政府信息公开申请数量")
    assert b2[i + 1 : i + 14] == ["|", "|", "21", "|", "22", "|", "23", "|", "24", "|", "25", "|", "|"]
    assert not any(line.endswith(" |") and line != "|" for line in b2[i : i + 14])
    c = render_text(spec, "C")
    assert "|" not in c.split("三、收到和处理政府信息公开申请情况")[1].split("五、")[0]
    assert "二、上年结转政府信息公开申请数量\n\n\n\n21\n\n22\n\n23\n\n24\n\n25\n\n\n\n（一）" not in c
    assert "二、上年结转政府信息公开申请数量\n\n\n\n21\n\n22\n\n23\n\n24\n\n25\n\n\n\n三、本年度办理结果" in c


def test_wrapped_layout_wraps_closing_pipe():
    text = render_text(make_spec(), "wrapped", wrap_every=2, wrap_offset=0)
    lines = text.split("\n")
    wrapped = [lines[i] for i in range(len(lines) - 1) if lines[i + 1] == "|" and not lines[i].endswith("|")]
    assert len(wrapped) >= 8
    assert "一、本年新收政府信息公开申请数量 | 11 | | 0 | / | 3件 | １２ | 1,472" in wrapped


def test_text_bom_and_crlf(tmp_path):
    p = tmp_path / "b.txt"
    write_text(make_spec(), p, "A", bom=True, newline="\r\n")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_heading_variants_and_absent_sections():
    spec = make_spec(sections={"problems": "问题一。", "overview": None})
    text = render_text(spec, "A", headings=1)
    assert "五、存在的问题及改进情况" in text.split("\n")
    assert not any(line.startswith("一、总体") for line in text.split("\n"))
    assert "四、因政府信息公开工作申请行政复议、提起行政诉讼情况" in text


def test_traditional_converts_text_not_values():
    spec = make_spec(traditional=True)
    text = render_text(spec, "A")
    assert "政府信息公開工作年度報告" in text
    assert "一、本年新收政府信息公開申請數量 | 11 | | 0 | / | 3件 | １２ | 1,472 | ||" in text.split("\n")
    assert "信息" in text and "报告" not in text
    assert expected_cells(spec) == expected_cells(make_spec())


def test_spam_lines_between_blocks_never_inside_tables():
    spam = [
        (0, "扫一扫在手机打开当前页"),
        (3, "本文来源：XX网 www.xxx.com 转载请注明出处"),
        (-1, "【打印本页】【关闭窗口】"),
    ]
    spec = make_spec(spam_lines=spam)
    for layout in LAYOUTS:
        text = render_text(spec, layout)
        lines = [x for x in text.split("\n") if x]
        assert lines[0] == "扫一扫在手机打开当前页"
        assert lines[-1] == "【打印本页】【关闭窗口】"
        assert "本文来源：XX网 www.xxx.com 转载请注明出处" in lines
    html = render_html(spec)
    assert html.count("扫一扫在手机打开当前页") == 1


def test_seed_is_reproduced_byte_for_byte(shared_dir):
    """The seed's spec, rendered in layout A with half-width punctuation, is the seed file itself."""
    seed = shared_dir / "seed" / "000_92677b2e9b962d1d.txt"
    if not seed.exists():
        pytest.skip("shared seed not available")
    exp = json.loads(seed.with_suffix(".expected.json").read_text(encoding="utf-8"))
    raw = {"ZERO": "0", "EMPTY": ""}
    cells = {
        cid: raw.get(v["semantic"], str(v["value"])) for cid, v in exp["cells"].items() if v["semantic"] != "MISSING"
    }
    ref = seed.read_text(encoding="utf-8")
    lines = ref.split("\n")

    def between(a, b):
        return "\n".join(lines[lines.index(a) + 1 : lines.index(b)])

    spec = ReportSpec(
        agency=exp["agency_name"],
        year=exp["year"],
        published_on="2025-01-06 17:44",
        cells=cells,
        sections={
            "overview": between("一、总体情况", "二、主动公开政府信息情况"),
            "proactive": "",
            "requests": "",
            "appeals": "",
            "problems": between("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
            "other": "\n".join(lines[lines.index("六、其他需要报告的事项") + 1 :]),
        },
        tables={"T4": "malformed_t4_like_seed"},
        phone="0483-8118999",
        site_name="阿拉善高新区、乌兰布和示范区管委会",
        site_url="http://gxq.als.gov.cn/",
    )
    assert render_text(spec, "A", ascii_punct=True) == ref
    assert expected_cells(spec) == exp["cells"]


@pytest.fixture
def shared_dir() -> Path:
    here = Path(__file__).resolve().parents[1]
    for cand in (here.parent / "shared", Path("/work/shared")):
        if cand.exists():
            return cand
    return here.parent / "shared"


# ------------------------------------------------------------------------------------------------
# Random specs: whatever is blank, truncated or absent, every written value decodes to the truth

POOL = [
    "0",
    "0",
    "0",
    "",
    "",
    "/",
    "-",
    "—",
    "无",
    "不适用",
    "7",
    "12",
    "3件",
    "１２",
    "1,472",
    "18.8710",
    "　",
    "0 ",
    "不详",
    "205",
]


def random_spec(rng, fv: str) -> ReportSpec:
    cells = {cid: rng.choice(POOL) for cid in cell_ids()}
    n_rows = 23 if fv == "2019" else 25
    tables = {}
    for t, n in (("T2", 6), ("T3", n_rows), ("T4", 1)):
        tables[t] = rng.choice(["ok", "ok", "ok", "absent", f"truncated:{rng.randrange(0, n + 1)}"])
    if rng.random() < 0.2:
        tables["T4"] = "malformed_t4_like_seed"
    return ReportSpec(
        agency="阿拉善右旗雅布赖镇人民政府",
        year=2023,
        cells=cells,
        format_version=fv,
        tables=tables,
        published_on=rng.choice([None, "2024-01-20"]),
        traditional=rng.random() < 0.2,
        title=rng.choice([None, "__default__"]),
    )


def t3_rows_of(spec: ReportSpec):
    """(code, first label of the <tr>, labels before the values) of the written T3 rows."""
    rows = []
    for code, label, _ in T3_ROWS:
        if spec.format_version == "2019" and code in ("other_no_correction", "other_no_fee"):
            continue
        first = row_label(code, label, "A")
        n_labels = 2 if code in TWO_LABELS else 1
        if spec.format_version == "2019" and code == "other_other":
            first, n_labels = "（六）其他处理", 1
        rows.append((code, first, n_labels))
    status = spec.tables.get("T3", "ok")
    if status == "absent":
        return [], rows
    if status.startswith("truncated:"):
        n = int(status.split(":")[1])
        return rows[:n], rows[n:]
    return rows, []


@pytest.mark.parametrize("seed", range(12))
def test_random_specs_text_and_html_decode_to_truth(seed):
    import random

    import lxml.html

    from corpus.model import transform

    rng = random.Random(seed)
    spec = random_spec(rng, "2019" if seed % 4 == 3 else "2021")
    truth = expected_cells(spec)
    written, cut = t3_rows_of(spec)
    tr = (lambda x: transform(x, False, True)) if spec.traditional else (lambda x: x)
    for layout in LAYOUTS:
        text = render_text(spec, layout)
        got = {}
        for code, first, n_labels in written:
            cells = DECODERS[layout](text, tr(first), n_labels)
            got.update({f"T3/{code}/{c}": v for c, v in zip(T3_COLS, cells)})
        for code, first, _ in cut:
            if code == "new" and spec.tables.get("T4") == "malformed_t4_like_seed":
                continue  # the malformed Table 4 is a copy of that row
            assert tr(first) + " |" not in text.split("\n") and "\n" + tr(first) + "\n" not in text
        for cid, raw in got.items():
            assert truth[cid] == dict(zip(("semantic", "value"), classify_value(raw))), (layout, cid, raw)
        assert len(got) == sum(1 for c, t in truth.items() if c.startswith("T3/") and t["semantic"] != "MISSING")
    enc = rng.choice(["utf-8", "gbk", "gb18030", "utf-8-sig"])
    html = render_html(
        spec,
        encoding=enc,
        cell_wrap=rng.choice(["none", "p", "span", "p_span", "mixed"]),
        empty_cell=rng.choice(["", "&nbsp;"]),
        t2_split=rng.random() < 0.5,
    )
    tables = lxml.html.fromstring(html).xpath("//table")
    t3 = [t for t in tables if tr("申请人情况") in t.text_content() and len(html_grid(t)[0]) == 10]
    if not written:
        return
    grid = html_grid(t3[0])
    for i, (code, _, _) in enumerate(written):
        row = grid[3 + i]
        for c, v in zip(T3_COLS, row[3:]):
            assert truth[f"T3/{code}/{c}"] == dict(zip(("semantic", "value"), classify_value(v))), (code, c, v)


# ------------------------------------------------------------------------------------------------
# Truth


def test_truth_semantics_and_missing():
    spec = make_spec()
    t = expected_cells(spec)
    assert list(t) == list(cell_ids()) and len(t) == 200
    assert t["T3/new/natural_person"] == {"semantic": "NUMERIC", "value": 11}
    assert t["T3/new/business"] == {"semantic": "EMPTY", "value": None}
    assert t["T3/new/research"] == {"semantic": "ZERO", "value": 0}
    assert t["T3/new/nonprofit"] == {"semantic": "NA", "value": None}
    assert t["T3/new/legal_services"] == {"semantic": "NUMERIC", "value": 3}
    assert t["T3/new/other_org"] == {"semantic": "NUMERIC", "value": 12}
    assert t["T3/new/total"] == {"semantic": "NUMERIC", "value": 1472}
    assert t["T2/fees/amount"] == {"semantic": "NUMERIC", "value": 18.871}
    assert t["T3/carried_forward/natural_person"]["semantic"] == "NA"

    cut = expected_cells(make_spec(tables={"T3": "truncated:5", "T2": "absent", "T4": "malformed_t4_like_seed"}))
    assert cut["T3/withheld_state_secret/total"]["semantic"] == "NUMERIC"
    assert cut["T3/withheld_prohibited/total"]["semantic"] == "MISSING"
    assert all(cut[c]["semantic"] == "MISSING" for c in cell_ids() if c.startswith(("T2/", "T4/")))

    sp = make_spec()
    del sp.cells["T3/new/total"]
    sp.cells["T3/new/other_org"] = None
    t = expected_cells(sp)
    assert t["T3/new/total"]["semantic"] == "MISSING" and t["T3/new/other_org"]["semantic"] == "MISSING"

    absent_section = expected_cells(make_spec(sections={"requests": None}))
    assert all(absent_section[c]["semantic"] == "MISSING" for c in cell_ids() if c.startswith("T3/"))


def test_2019_format(tmp_path):
    spec = make_spec(format_version="2019")
    spec.extra_cells = {
        "T2v2019/rules/produced": "3",
        "T2v2019/procurement/procurement_amount": "12.5",
        "T2v2019/fees/change": "",
    }
    t = expected_cells(spec)
    assert all(t[c]["semantic"] == "MISSING" for c in cell_ids() if c.startswith("T2/"))
    assert t["T3/other_no_correction/total"]["semantic"] == "MISSING"
    assert t["T3/other_no_fee/total"]["semantic"] == "MISSING"
    assert t["T3/other_other/total"] == {"semantic": "NUMERIC", "value": 2306}
    extra = expected_extra_cells(spec)
    assert extra["T2v2019/rules/produced"] == {"semantic": "NUMERIC", "value": 3}
    assert extra["T2v2019/fees/change"]["semantic"] == "EMPTY"
    assert extra["T2v2019/rules/published"]["semantic"] == "MISSING"
    text = render_text(spec, "A")
    lines = text.split("\n")
    assert "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |" in lines
    assert "规章 | 3 | ||" in lines  # the other two cells are absent from the spec
    assert "（六）其他处理 | 2300 | 2301 | 2302 | 2303 | 2304 | 2305 | 2306 | ||" in lines
    assert "不补正" not in text and "国办公开办函〔2019〕60号" in text
    assert "政府集中采购 | 12.5 |" in lines  # 采购项目数量 absent: not written, the amount moves left


def test_org_subtotal_column_does_not_shift_the_others():
    spec = make_spec(org_subtotal=True)
    spec.extra_cells = {"T3/new/org_subtotal": "1,490", "T3/carried_over/org_subtotal": ""}
    lines = render_text(spec, "A").split("\n")
    assert "一、本年新收政府信息公开申请数量 | 11 | 1,490 | | 0 | / | 3件 | １２ | 1,472 | ||" in lines
    assert "自然人 | 法人或其他组织 | 总计 | ||||||||" in lines
    assert "小计 | 商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||" in lines
    # a row without a subtotal value: the cell is not written, the row is one cell short
    assert "三、本年度办理结果 | （一）予以公开 | 0 | 0 | | 0 | 0 | 0 | 0 | ||" in lines
    assert expected_cells(spec) == expected_cells(make_spec())
    assert expected_extra_cells(spec)["T3/new/org_subtotal"] == {"semantic": "NUMERIC", "value": 1490}


def test_truncated_and_malformed_tables_in_text():
    spec = make_spec(tables={"T3": "truncated:4", "T4": "malformed_t4_like_seed"})
    lines = render_text(spec, "A").split("\n")
    i = lines.index("三、收到和处理政府信息公开申请情况")
    assert lines[i + 4].startswith("一、本年新收")
    assert (
        lines[i + 7]
        == "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 400 | 401 | 402 | 403 | 404 | 405 | 406 |"
    )
    assert lines[i + 8] == "四、政府信息公开行政复议、行政诉讼情况"
    # the seed's accident: the T3 header and one row of seven values instead of Table 4
    assert lines[i + 9 : i + 13] == [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||",
        "自然人 | 法人或其他组织 | 总计 | |||||",
        "商业 企业 | 科研 机构 | 社会公益组织 | 法律服务机构 | 其他 | |||",
        "一、本年新收政府信息公开申请数量 | 11 | | 0 | / | 3件 | １２ | 1,472 |",
    ]


# ------------------------------------------------------------------------------------------------
# HTML


def html_grid(table) -> list[list[str | None]]:
    """Place the <td>/<th> of an lxml table on its grid (rowspan/colspan), text stripped."""
    grid: dict[tuple[int, int], str] = {}
    taken: set[tuple[int, int]] = set()
    rows = table.xpath(".//tr")
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            grid[(r, c)] = td.text_content().replace("\xa0", " ").strip()
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
            width = max(width, c)
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("cell_wrap", ["none", "p_span", "mixed"])
def test_html_values_in_grid_columns(tmp_path, encoding, cell_wrap):
    import lxml.html

    spec = make_spec()
    p = tmp_path / "r.html"
    write_html(spec, p, encoding=encoding, cell_wrap=cell_wrap, empty_cell="&nbsp;", title_tag="div")
    data = p.read_bytes()
    if encoding in ("gbk", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert f'charset={encoding}"'.encode() in data
        text = data.decode(encoding)
    else:
        assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        text = data.decode("utf-8-sig")
        assert '<meta charset="utf-8">' in text
    assert '<div class="title">阿拉善左旗巴彦木仁苏木人民政府2024年政府信息公开工作年度报告</div>' in text
    assert "<span>发布时间：2025-01-06 " in text
    tree = lxml.html.fromstring(text)
    tables = tree.xpath("//table")
    assert len(tables) == 3
    t3 = html_grid(tables[1])
    assert len(t3) == 28 and all(len(r) == 10 for r in t3)
    got = {}
    for ri, (code, label, _) in enumerate(T3_ROWS):
        row = t3[3 + ri]
        assert label in [x for x in row[:3] if x], (code, row[:3])
        assert row[3:] == vals(spec, code), code
        got.update({f"T3/{code}/{c}": v for c, v in zip(T3_COLS, row[3:])})
    check_against_truth(spec, got)
    assert t3[5][0] == "三、本年度办理结果" and t3[6][0] is None  # rowspan over the outcome rows
    t4 = html_grid(tables[2])
    assert t4[3] == [spec.cells[c] for c in T4_IDS]
    t2 = html_grid(tables[0])
    assert t2[2] == ["规章", "0", "1", ""] and t2[13][:2] == ["行政事业性收费", "18.8710"]


def test_html_rowspans_like_the_template():
    import lxml.html

    tree = lxml.html.fromstring(render_html(make_spec()))
    t3 = tree.xpath("//table")[1]
    spans = {td.text_content().strip(): (td.get("rowspan"), td.get("colspan")) for td in t3.xpath(".//td")}
    assert spans["三、本年度办理结果"] == ("22", None)
    assert spans["（三）不予公开"] == ("8", None)
    assert spans["（四）无法提供"] == ("3", None)
    assert spans["（五）不予处理"] == ("5", None)
    assert spans["（六）其他处理"] == ("3", None)
    assert spans["（一）予以公开"] == (None, "2")
    assert spans["一、本年新收政府信息公开申请数量"] == (None, "3")
    assert spans["申请人情况"] == (None, "7")
    t4 = tree.xpath("//table")[2]
    heads = [(td.text_content(), td.get("rowspan"), td.get("colspan")) for td in t4.xpath(".//tr[1]/td|.//tr[2]/td")]
    assert heads[:2] == [("行政复议", None, "5"), ("行政诉讼", None, "10")]
    assert heads[2] == ("结果维持", "2", None)
    assert heads[-2:] == [("未经复议直接起诉", None, "5"), ("复议后起诉", None, "5")]


def test_html_t2_split_and_org_subtotal():
    import lxml.html

    spec = make_spec()
    spec.extra_cells = {f"T3/{code}/org_subtotal": f"9{i}" for i, (code, _, _) in enumerate(T3_ROWS)}
    tree = lxml.html.fromstring(render_html(spec, t2_split=True, org_subtotal=True, th_headers=True))
    tables = tree.xpath("//table")
    assert len(tables) == 6
    assert [html_grid(t)[0][0] for t in tables[:4]] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    t3 = html_grid(tables[4])
    assert all(len(r) == 11 for r in t3)
    assert t3[2][4] == "小计"
    assert t3[3][3:] == ["11", "90", "", "0", "/", "3件", "１２", "1,472"]


# ------------------------------------------------------------------------------------------------
# docx


def _docx_shape(table) -> list[list[tuple[int, str | None]]]:
    return [[(tc.grid_span, tc.vMerge) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def test_docx_cells_and_merges(tmp_path, shared_dir):
    import docx

    spec = make_spec()
    p = tmp_path / "r.docx"
    write_docx(spec, p)
    d = docx.Document(str(p))
    assert len(d.tables) == 3
    t2, t3, t4 = d.tables
    assert len(t3.rows) == 28 and len(t3.columns) == 10
    got = {}
    for ri, (code, label, _) in enumerate(T3_ROWS):
        cells = t3.rows[3 + ri].cells
        assert len(cells) == 10
        assert cells[2].text == label
        values = [c.text for c in cells[3:]]
        assert values == vals(spec, code), code
        got.update({f"T3/{code}/{c}": v for c, v in zip(T3_COLS, values)})
    check_against_truth(spec, got)
    # merged for real: one w:tc spans the grid columns; vMerge restart/continue down the rows
    assert t3.rows[3].cells[0]._tc is t3.rows[3].cells[2]._tc
    assert t3.rows[5]._tr.tc_lst[0].vMerge == "restart"
    assert all(t3.rows[r]._tr.tc_lst[0].vMerge == "continue" for r in range(6, 27))
    assert t3.rows[27]._tr.tc_lst[0].vMerge is None
    assert t3.cell(7, 1).text == "（三）不予公开"
    assert [c.text for c in t2.rows[2].cells] == ["规章", "0", "1", ""]
    assert t2.rows[6].cells[1]._tc is t2.rows[6].cells[3]._tc and t2.rows[6].cells[1].text == "44"
    assert [c.text for c in t4.rows[3].cells] == [spec.cells[c] for c in T4_IDS]
    assert t4.rows[1].cells[0].text == "结果维持" and t4.rows[1]._tr.tc_lst[0].vMerge == "restart"
    template = shared_dir / "fixtures" / "real" / "national_template_2021.docx"
    if template.exists():
        tpl = docx.Document(str(template))
        for mine, theirs in zip(d.tables, tpl.tables):
            assert _docx_shape(mine) == _docx_shape(theirs)


def test_docx_absent_cells_and_truncation(tmp_path):
    import docx

    spec = make_spec(tables={"T3": "truncated:4"})
    new = vals(spec, "new")
    del spec.cells["T3/new/total"]
    p = tmp_path / "r.docx"
    write_docx(spec, p)
    t3 = docx.Document(str(p)).tables[1]
    assert len(t3.rows) == 3 + 4
    assert len(t3.rows[3]._tr.tc_lst) == 1 + 6  # the label and six values: total never written
    assert [c.text for c in t3.rows[3].cells][3:9] == new[:6]
    assert t3.rows[5]._tr.tc_lst[0].vMerge == "restart"  # the vertical label clipped to what is left
    assert t3.rows[6]._tr.tc_lst[0].vMerge == "continue"


# ------------------------------------------------------------------------------------------------
# PDF


def _pdf_t3_rows(pdf) -> dict[str, list[str]]:
    out = {}
    for page in pdf.pages:
        for table in page.extract_tables():
            for row in table:
                if len(row) != 10:
                    continue
                label = "".join(c or "" for c in row[:3]).replace("\n", "")
                for code, lab, frag in T3_ROWS:
                    key = frag or lab
                    if code == "other_other":
                        hit = label.endswith("3.其他")
                    else:
                        hit = key in label
                    if hit and code not in out:
                        out[code] = [c or "" for c in row[3:]]
    return out


def test_pdf_text_layer_tables_and_page_break(tmp_path):
    import pdfplumber

    spec = make_spec()
    p = tmp_path / "r.pdf"
    write_pdf(spec, p)
    with pdfplumber.open(str(p)) as pdf:
        assert pdf.pages[0].width == pytest.approx(595.28, abs=0.1)
        assert all(len(pg.chars) > 0 for pg in pdf.pages)
        texts = [pg.extract_text() for pg in pdf.pages]
        for i, t in enumerate(texts, 1):
            assert t.rstrip().endswith(f"- {i} -")
        full = "\n".join(texts)
        assert "阿拉善左旗巴彦木仁苏木人民政府2024年政府信息" in full
        for h in ("一、总体情况", "三、收到和处理政府信息公开申请情况", "六、其他需要报告的事项"):
            assert h in full
        first = next(i for i, t in enumerate(texts) if "一、本年新收政府信息公开申请数量" in t)
        last = next(i for i, t in enumerate(texts) if "四、结转下年度继续办理" in t)
        assert last == first + 1, "Table 3 runs over exactly one page break"
        assert "申请人情况" not in texts[last], "the header is not repeated"
        # the vertical label, one character per line
        assert "三、\n本\n年\n度\n办\n理\n结\n果" in "\n".join(
            c for t in pdf.pages[first].extract_tables() for r in t for c in r if c
        )
        rows = _pdf_t3_rows(pdf)
        assert set(rows) == {code for code, _, _ in T3_ROWS}
        got = {}
        for code, values in rows.items():
            assert values == vals(spec, code), code
            got.update({f"T3/{code}/{c}": v for c, v in zip(T3_COLS, values)})
        check_against_truth(spec, got)
        # long labels wrapped over three lines
        cells = [c for pg in pdf.pages for t in pg.extract_tables() for r in t for c in r if c]
        assert any(c.startswith("1.申请人无正当理由") and c.count("\n") == 2 for c in cells)
        t2 = next(t for pg in pdf.pages for t in pg.extract_tables() if t and t[0][0] == "第二十条第（一）项")
        assert t2[2] == ["规章", "0", "1", ""]
        assert t2[6][:2] == ["行政许可", "44"]
        t4 = next(t for pg in pdf.pages for t in pg.extract_tables() if t and t[0][0] == "行政复议")
        assert [c or "" for c in t4[3]] == [spec.cells[c] for c in T4_IDS]


def test_pdf_variants_render(tmp_path):
    import pdfplumber

    for i, spec in enumerate(
        [
            make_spec(format_version="2019"),
            make_spec(org_subtotal=True, traditional=True),
            make_spec(tables={"T3": "truncated:6", "T4": "malformed_t4_like_seed"}, title=None),
        ]
    ):
        p = tmp_path / f"v{i}.pdf"
        write_pdf(spec, p)
        with pdfplumber.open(str(p)) as pdf:
            text = "\n".join(pg.extract_text() for pg in pdf.pages)
            assert "本年新收" in text or "本年新收".replace("收", "收") in text
            if spec.traditional:
                assert "報告" in text
            if spec.format_version == "2019":
                assert "本年新制作数量" in text and "政府集中采购" in text


def test_pdf_image_only_has_no_text_layer(tmp_path):
    import pdfplumber

    p = tmp_path / "scan.pdf"
    write_pdf_image_only(make_spec(), p)
    with pdfplumber.open(str(p)) as pdf:
        assert len(pdf.pages) >= 3
        assert all(len(pg.chars) == 0 for pg in pdf.pages)
        assert all(len(pg.images) == 1 for pg in pdf.pages)
        assert not "".join(pg.extract_text() or "" for pg in pdf.pages).strip()


# ------------------------------------------------------------------------------------------------
# Determinism, dispatch and speed


def test_rendering_is_deterministic(tmp_path):
    spec = example_spec(seed=5, traditional=True)
    for kind in ("text", "html", "pdf"):
        a, b = tmp_path / f"a_{kind}", tmp_path / f"b_{kind}"
        write(spec, a, kind)
        write(spec, b, kind)
        assert a.read_bytes() == b.read_bytes(), kind


# The writers' rendering rates are measured by bench/bench_writers.py, not by a timed test.
