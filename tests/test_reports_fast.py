"""The reports' fast paths against their general paths (issue 15): the workbook's rows written as
XML at once against XlsxWriter's cell-by-cell writing, the unit pages' remembered cells and <td>s
against making them each time, and the template environment's dict lookup against Jinja's own.
Each pair must give the same bytes or values, on ordinary and odd inputs."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import jinja2
import markupsafe
import pytest
import xlsxwriter

import pipeline.reports.workbook as W
import pipeline.reports.xlsxrows as X
from corpus.synthetic import Synthetic, build
from pipeline.reports import templating as R
from pipeline.reports import unit as U


def _parts(path) -> dict[str, bytes]:
    """The parts of an xlsx file but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _same_workbook_both_ways(db, tmp_path, monkeypatch, module, switch: str) -> None:
    """The workbook of `db` written with `module.switch` on and off: the same parts, byte for byte."""
    for on in (True, False):
        monkeypatch.setattr(module, switch, on)
        W.write_workbook(db, tmp_path / f"{on}.xlsx")
    on, off = _parts(tmp_path / "True.xlsx"), _parts(tmp_path / "False.xlsx")
    assert on.keys() == off.keys()
    for name in off:
        assert on[name] == off[name], name


ODD_STRINGS = [
    "plain",
    " leading",
    "trailing ",
    "\u3000全角空格",
    "a & b < c > d \"q\" 'a'",
    "two\nlines",
    "tab\tinside",
    "ctrl\x01char",
    "_x0041_ looks escaped",
    "<r>rich-looking</r>",
    "〔不适用〕/",
    "\ufffe non-character",
    "x" * 20_000,  # beyond half of Excel's limit: XlsxWriter's own check
    "",
    "😀 astral",
]
ODD_VALUES = [
    0,
    1,
    -1,
    10**17,
    1.5,
    -0.0,
    1e-7,
    1e20,
    0.1 + 0.2,
    float("nan"),
    float("inf"),
    True,
    Decimal("2.50"),
    None,
    dt.datetime(2024, 1, 31),
] + ODD_STRINGS


def _book(path, fast: bool, monkeypatch):
    monkeypatch.setattr(X, "FAST_ROWS", fast)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties({"created": dt.datetime(2024, 1, 1)})
    head = wb.add_format({"bold": True, "border": 1})
    pct = wb.add_format({"num_format": "0.0%"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ocr = wb.add_format({"italic": True})
    ws = wb.add_worksheet("odd")
    ws.set_column(1, 1, 12, pct)  # a column with a format: cells without one take it
    ws.set_column(2, 2, 12, date)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, ["a", "b", "c", "d"], head)
    row = 1
    n = len(ODD_VALUES)
    for i in range(n):
        # every value in every column, with and without a cell format, in varying company
        vals = [ODD_VALUES[(i + k) % n] for k in range(5)]
        X.write_row(ws, row, vals)
        fmts = [None, pct, date if isinstance(vals[2], dt.datetime) else None, ocr, None]
        X.write_row(ws, row + 1, vals, fmts)
        row += 3  # a gap of one row
    ws.set_row(row, 30)  # a row with attributes
    X.write_row(ws, row, [1, "x"])
    X.write_row(ws, row + 1, [None, None])  # nothing to write
    X.write_row(ws, row + 2, [None, 5, None, "y"])
    ws.write(row + 3, 0, "written by XlsxWriter")
    X.write_row(ws, row + 3, [None, 7])  # the same row as a pending cell: XlsxWriter's way
    X.write_row(ws, row + 4, [1, 2, 3])
    X.write_row(ws, 1_048_576, [1])  # beyond Excel's last row: not written
    ws2 = wb.add_worksheet("cells")
    ws2.write_row(0, 0, ["h"] * 3, head)
    for r in range(1, 300):
        X.write_row(ws2, r, [f"u{r}", None if r % 7 == 0 else f"单位{r}", 2024] + [r * k * 0.5 for k in range(200)])
    wb.close()


@pytest.mark.parametrize("texts_max", [3, 50_000])  # the remembered texts forgotten often, or not
def test_fast_rows_write_what_xlsxwriter_writes(tmp_path, monkeypatch, texts_max):
    monkeypatch.setattr(X, "TEXTS_MAX", texts_max)
    monkeypatch.setattr(X, "_TEXTS", {})
    _book(tmp_path / "fast.xlsx", True, monkeypatch)
    _book(tmp_path / "general.xlsx", False, monkeypatch)
    fast, general = _parts(tmp_path / "fast.xlsx"), _parts(tmp_path / "general.xlsx")
    assert fast.keys() == general.keys()
    for name in general:
        assert fast[name] == general[name], name


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    build(db, Synthetic(years=(2023, 2024), departments=1))
    return db


def test_the_workbook_is_the_same_by_either_path(small_warehouse, tmp_path, monkeypatch):
    _same_workbook_both_ways(small_warehouse, tmp_path, monkeypatch, X, "FAST_ROWS")


CELLS = [
    None,
    ("NUMERIC", 12.0, "12"),
    ("NUMERIC", 12, "12"),
    ("NUMERIC", 12.5, " 12.50 "),
    ("NUMERIC", -0.0, "-0"),
    ("NUMERIC", 1e20, "1e20"),
    ("ZERO", 0.0, "0"),
    ("ZERO", 0.0, "〇"),
    ("NA", None, " / "),
    ("NA", None, ""),
    ("NA", None, None),
    ("TEXT", None, "很长很长很长很长的文字说明"),
    ("TEXT", None, "短"),
    ("EMPTY", None, ""),
    ("MISSING", None, None),
    ("ODD", None, "x"),
]


def test_remembered_tds_are_the_drawn_tds(monkeypatch):
    monkeypatch.setattr(R, "TD_MEMO_MAX", 7)
    form = R.FormTables()
    ids = list(U.ALL_IDS)
    for k in range(4):
        cells = {cid: U.unit_cell(cid, CELLS[(i + k) % len(CELLS)]) for i, cid in enumerate(ids)}
        cells[ids[3]]["marks"].append({"n": 2, "side": "左", "status": "fail", "title": "第 2 条"})
        cells[ids[4]]["sub"] = "小计"
        cells[ids[5]]["cls"] += " ocr"
        cells[ids[5]]["title"] = EVIL = "<b>&'\""
        cells[ids[6]]["text"] = EVIL
        for name, args in (("table2", ()), ("table3", (list(R.T3_COLUMNS),)), ("table4", ())):
            fixed, keys = form._skeleton(name, args)
            plain = [fixed[0]]
            for (key, span), text in zip(keys, fixed[1:]):
                plain += [R._td(cells[key], span), text]
            assert str(getattr(form, name)(cells, *args)) == "".join(plain)


class Sub(dict):
    pass


@pytest.mark.parametrize(
    "obj, name",
    [
        ({"n": 1}, "n"),
        ({"items": 3}, "items"),  # a dict's own attribute wins, as in Jinja
        ({"keys": 3}, "keys"),
        ({}, "missing"),
        ({"a": None}, "a"),
        (Sub(n=2), "n"),
        ([1, 2], "append"),
        ("text", "upper"),
        (None, "x"),
        ({"__class__": 1}, "__class__"),
    ],
)
def test_the_environment_looks_up_what_jinja_looks_up(obj, name):
    ours = R.environment().getattr(obj, name)
    theirs = jinja2.Environment(undefined=jinja2.StrictUndefined).getattr(obj, name)
    assert type(ours) is type(theirs)
    if isinstance(theirs, jinja2.Undefined):
        with pytest.raises(jinja2.UndefinedError):
            str(ours)
    else:
        assert ours == theirs


def test_a_row_is_written_once(tmp_path, monkeypatch):
    monkeypatch.setattr(X, "FAST_ROWS", True)
    wb = xlsxwriter.Workbook(
        str(tmp_path / "x.xlsx"), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    ws = wb.add_worksheet()
    X.write_row(ws, 1, [1, 2])
    with pytest.raises(ValueError, match="written already"):
        X.write_row(ws, 1, [3])
    wb.close()


class Html:
    def __html__(self):
        return "<b>safe</b>"


class SubStr(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "<script>alert('x')</script>&\"",
        "全角＜＞",
        "&amp;",
        0,
        1.5,
        None,
        True,
        Html(),
        SubStr("<a>"),
        markupsafe.Markup("<i>kept</i>"),
        ["<"],
        "\x00\n\t",
    ],
)
def test_the_templates_escape_as_markupsafe_does(value):
    got, want = R._escape(value), markupsafe.escape(value)
    assert type(got) is type(want) is markupsafe.Markup
    assert str(got) == str(want)


def test_the_templates_use_that_escape_and_render_as_jinja_does():
    env = R.environment()
    plain = jinja2.Environment(loader=env.loader, autoescape=True)
    src = "{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{{ a }}|{{ b.c }}|{{ m(a) }}|{{ a ~ b.c }}|{{ n }}"
    ctx = {"a": "<&'\">", "b": {"c": "x<y"}, "n": 5}
    t = env.from_string(src)
    assert t.root_render_func.__globals__["escape"] is R._escape
    assert t.render(**ctx) == plain.from_string(src).render(**ctx)


# Odd cells for 全部单元格: what DuckDB writes itself and what it leaves to Python (see workbook._cells_sql)
ODD_CELLS = [
    ("NUMERIC", 0.1 + 0.2, None),
    ("NUMERIC", 1234.5, None),
    ("NUMERIC", -7.0, None),
    ("NUMERIC", -0.0, None),
    ("NUMERIC", 1e-5, None),
    ("NUMERIC", 0.0001, None),
    ("NUMERIC", 999999999999999.0, None),
    ("NUMERIC", 1e15, None),
    ("NUMERIC", 1e17, None),
    ("NUMERIC", 123456789.123, None),
    ("ZERO", 0.0, "〇"),
    ("NA", None, "/"),
    ("NA", None, " / "),
    ("NA", None, ""),
    ("NA", None, None),
    ("TEXT", None, "a&b<c>"),
    ("TEXT", None, "_x0041_"),
    ("TEXT", None, "不\u200b适用"),
    ("TEXT", None, "两行\n文字"),
    ("TEXT", None, "\u3000全角空格"),
    ("TEXT", None, "见附件（2）"),
    ("TEXT", None, "x" * 300),
    ("EMPTY", None, ""),
    ("MISSING", None, None),
    ("ODD", None, "x"),
]


def _odd_cells(db) -> None:
    """Odd cells, a missing and a repeated cell row, an OCR doubt and a unit name with a control
    character in a copy of the small warehouse."""
    import duckdb

    con = duckdb.connect(str(db))
    try:
        reps = [r for (r,) in con.execute("SELECT report_id FROM reports WHERE active ORDER BY report_id").fetchall()]
        ids = [c for (c,) in con.execute("SELECT DISTINCT cell_id FROM cells ORDER BY cell_id").fetchall()]
        for k, (sem, value, raw) in enumerate(ODD_CELLS):
            con.execute(
                "UPDATE cells SET semantic = ?, value = ?, raw = ? WHERE report_id = ? AND cell_id = ?",
                [sem, value, raw, reps[(3 * k) % len(reps)], ids[k % len(ids)]],
            )
        con.execute("DELETE FROM cells WHERE report_id = ? AND cell_id = ?", [reps[1], ids[5]])
        con.execute("INSERT INTO cells SELECT * FROM cells WHERE report_id = ? AND cell_id = ?", [reps[2], ids[6]])
        con.execute("DELETE FROM cells WHERE report_id = ?", [reps[4]])
        con.execute(
            "INSERT INTO problems (report_id, seq, code, severity, message, cells) VALUES (?, 99, 'ocr_uncertain', "
            "'warning', 'doubt', ?)",
            [reps[7], [ids[0], ids[9], "not a cell"]],
        )
        unit = con.execute("SELECT unit_id FROM reports WHERE report_id = ?", [reps[8]]).fetchone()[0]
        con.execute("UPDATE units SET name = name || '\x01' WHERE unit_id = ?", [unit])
    finally:
        con.close()


@pytest.fixture(scope="module")
def odd_warehouse(small_warehouse, tmp_path_factory):
    import shutil

    db = tmp_path_factory.mktemp("odd") / "w.duckdb"
    shutil.copyfile(small_warehouse, db)
    _odd_cells(db)
    return db


@pytest.mark.parametrize("cell_range", [1, 7, 1_000])
def test_the_cells_made_by_duckdb_are_the_cells_made_in_python(odd_warehouse, tmp_path, monkeypatch, cell_range):
    monkeypatch.setattr(W, "CELL_RANGE", cell_range)
    monkeypatch.setattr(W, "CELL_CHUNK", 5)
    _same_workbook_both_ways(odd_warehouse, tmp_path, monkeypatch, W, "SQL_CELLS")


def test_the_odd_cells_reach_the_sheet(odd_warehouse, tmp_path):
    from openpyxl import load_workbook

    W.write_workbook(odd_warehouse, tmp_path / "w.xlsx")
    ws = load_workbook(tmp_path / "w.xlsx", read_only=True)["全部单元格"]
    values = {v for row in ws.iter_rows(min_row=3, values_only=True) for v in row[3:]}
    for want in (
        0.3,  # 0.1 + 0.2 to 16 digits, as XlsxWriter writes it
        1234.5,
        -7,
        1e-5,
        1e17,
        "〔不适用〕/",
        "〔文字〕a&b<c>",
        "〔?〕",
        "〔缺〕",
    ):
        assert want in values, want


def _rows(path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.mark.parametrize("sql", [True, False])
def test_a_sheet_past_excels_row_limit_goes_on_in_continuation_sheets(
    small_warehouse, tmp_path, monkeypatch, caplog, sql
):
    monkeypatch.setattr(W, "SQL_CELLS", sql)
    res = W.write_workbook(small_warehouse, tmp_path / "whole.xlsx")
    assert res["continued"] == {}
    whole = _rows(res["path"])
    n_reports = len(whole["全部单元格"]) - 2
    limit = 2 + (n_reports + 2) // 3  # 全部单元格 on three sheets, the last one shorter
    monkeypatch.setattr(W, "ROW_LIMIT", limit)
    with caplog.at_level("WARNING", logger=W.__name__):
        res = W.write_workbook(small_warehouse, tmp_path / "split.xlsx")
    split = _rows(res["path"])
    cells = ["全部单元格", "全部单元格 (2)", "全部单元格 (3)"]
    assert res["continued"]["全部单元格"] == cells
    assert [n for n in split if n.startswith("全部单元格")] == cells
    # every report once, in order, each sheet with the two header rows, none past the limit
    assert [r for n in cells for r in split[n][2:]] == whole["全部单元格"][2:]
    for n in cells:
        assert split[n][:2] == whole["全部单元格"][:2]
        assert 2 < len(split[n]) <= limit
    # the other sheets past the limit too (检查发现 has more rows than 全部单元格)
    for title, rows in whole.items():
        if title in ("说明", "全部单元格") or len(rows) <= limit:
            continue
        parts = res["continued"][title]
        assert parts[0] == title and parts[1] == f"{title} (2)"
        assert [r for n in parts for r in split[n][1:]] == rows[1:]
        assert all(split[n][0] == rows[0] for n in parts)
    # said in 说明 and in the log
    notes = {r[0]: r[1] for r in split["说明"] if r[0]}
    for n in cells:
        assert f"Excel 一张工作表最多 {limit:,} 行" in notes[n], n
    assert any("全部单元格" in m and "全部单元格 (3)" in m for m in caplog.messages)


@pytest.mark.parametrize(
    "value",
    [
        "FAIL",
        "statutory",
        "league",
        "on_time",
        "error",
        "confirmed",
        "x",
        0,
        1,
        2.5,
        12.0,
        "37.5",
        True,
        False,
        [],
        ["a", 1],
        "2024-01-31",
        dt.date(2024, 1, 31),
        Decimal("2.50"),
    ],
)
def test_the_sheets_convert_their_values_as_value_does(value):
    kinds = {
        kind
        for cols in (
            W.SUMMARY_COLS,
            W.LEAGUE_COLS,
            W.FINDING_COLS,
            W.DECISION_COLS,
            W.RULE_COLS,
            W.MISSING_COLS,
            W.REMEDIATION_COLS,
        )
        for _h, _k, kind, _w in cols
    }
    for kind in kinds:
        try:
            want = W._value(value, kind)
        except (ValueError, TypeError, AttributeError):
            continue
        if want is not None and kind == "date":
            want = dt.datetime.combine(want, dt.time())
        conv = W._CONVERT.get(kind)
        got = value if conv is None else conv(value)
        assert got == want and type(got) is type(want), (kind, value)


def test_shared_values_are_the_values_they_replace():
    """data._Shared hands back one object per distinct short string and integer: equal to what it
    replaces and of the same type (1, True and 1.0 are equal keys of a dict, not the same value), so
    a row's pickled bytes (a page's fingerprint) and what a page shows are unchanged."""
    from pipeline.reports.data import _Shared
    from pipeline.reports.inputs import canonical

    s = _Shared()
    odd = [1, True, 1.0, 0, False, 0.0, -0.0, None, "", "1", "a" * 65, 2**70, float("nan"), [1, "x"], ("x",)]
    for _ in range(2):  # the first time each value is new, the second time it is shared
        for v in odd:
            w = s.one(v)
            assert type(w) is type(v) and canonical(w) == canonical(v)
    one = "".join(["ab", "c"])
    assert s.one(one) is s.one("".join(["a", "bc"]))  # equal strings: one object
    long = "a" * 65
    assert s.one(long) is long  # a long string is not kept
    row = {"a": True, "b": 1, "c": 1.0, "d": "x", "e": None}
    assert canonical(s.row(dict(row))) == canonical(row) and [type(v) for v in s.row(dict(row)).values()] == [
        type(v) for v in row.values()
    ]
    t = (True, 1, 1.0, "x", None, 7)
    assert canonical(s.tuple(t)) == canonical(t)
