"""The office's review loop (pipeline/review): decisions kept beside the inbox and applied in every run.

The bundled sample is copied and run; decisions of each kind are recorded through the command line
(as an office would), the pipeline is run again from scratch, and the warehouse is read back:
dispositions on findings, a cell correction that changes a verdict and the rollups, an assignment of
a set-aside file, stale corrections after a file is replaced, a malformed line, two decisions on one
target, the workbook round trip and the Word notices.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from warehouse_query import query as _q

from pipeline.cli import main
from pipeline.review.decisions import decisions_path, fingerprint, parse
from pipeline.run import run_pipeline
from pipeline.settings import SAMPLE_INBOX, from_env

pytestmark = pytest.mark.slow

ARCHIVE = "2022/阿拉善盟档案馆2022年政府信息公开工作年度报告.htm"  # set aside: no unit of the registry


def _run(s):
    ok, _ = run_pipeline(s)
    assert ok


def _cli(s, *args) -> int:
    return main([*args, "--inbox", str(s.inbox), "--out", str(s.out)])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("review")
    shutil.copytree(SAMPLE_INBOX, base / "inbox")
    s = from_env(inbox=base / "inbox", out=base / "run")
    _run(s)
    db = s.db
    first = {
        "row_total": _q(
            db,
            """SELECT f.fingerprint, f.unit_id, f.year, f.lhs_cells[1], f.rhs_value, f.lhs_value
                               FROM findings f WHERE f.rule_id = 't3_row_total' AND f.status = 'FAIL'
                                 AND f.likely_cause = 'publisher_error' AND len(f.lhs_cells) = 1
                               ORDER BY f.year DESC, f.unit_id LIMIT 1""",
        )[0],
        "fails": _q(
            db,
            """SELECT fingerprint, unit_id, year FROM findings WHERE status = 'FAIL'
                           AND rule_id <> 't3_row_total' ORDER BY year DESC, unit_id, rule_id, instance LIMIT 4""",
        ),
    }
    fp_fix, unit, year, cell, rhs, lhs = first["row_total"]
    first["rollup_before"] = _q(
        db,
        "SELECT value_sum FROM rollup_cells WHERE hierarchy = 'statutory' AND "
        "group_level = 'league' AND year = ? AND cell_id = ?",
        [year, cell],
    )[0][0]
    (dismiss, *_), (confirm, *_), (explain, *_), (twice, *_) = first["fails"]
    assert (
        _cli(s, "review", "decide", dismiss, "--status", "dismissed", "--reason", "小计列为可选列", "--by", "张三") == 0
    )
    assert _cli(s, "review", "decide", confirm, "--status", "confirmed", "--by", "李四") == 0
    assert (
        _cli(
            s,
            "review",
            "decide",
            explain,
            "--status",
            "explained",
            "--reason",
            "单位来函说明：统计口径不同",
            "--by",
            "李四",
        )
        == 0
    )
    # two decisions on one target: the later stands, both are in the log
    assert _cli(s, "review", "decide", twice, "--status", "confirmed", "--by", "张三") == 0
    assert (
        _cli(s, "review", "decide", twice, "--status", "dismissed", "--reason", "复核后认为不是问题", "--by", "王五")
        == 0
    )
    assert (
        _cli(
            s,
            "review",
            "correct",
            "--unit",
            unit,
            "--year",
            str(year),
            "--cell",
            cell,
            "--value",
            str(rhs),
            "--reason",
            "reading_error",
            "--by",
            "张三",
        )
        == 0
    )
    assert (
        _cli(
            s,
            "review",
            "assign",
            ARCHIVE,
            "--unit",
            "1529",
            "--reason",
            "盟档案馆由盟行署办公室代为报送",
            "--by",
            "张三",
        )
        == 0
    )
    # a line typed by hand, malformed: reported with its line number, the rest applies
    with open(decisions_path(s.inbox), "a", encoding="utf-8") as f:
        f.write("Dbroken,2026-01-01T00:00:00Z,某人,disposition,abc\r\n")
    # a rebuild from scratch: the warehouse and the state are gone, the decisions file is not
    shutil.rmtree(s.out)
    _run(s)
    return (
        s,
        first,
        dict(
            dismiss=dismiss,
            confirm=confirm,
            explain=explain,
            twice=twice,
            fix=fp_fix,
            unit=unit,
            year=year,
            cell=cell,
            rhs=rhs,
            lhs=lhs,
        ),
    )


def test_decisions_file_is_bom_csv_and_outside_the_inbox_scan(site):
    s, _first, _ids = site
    raw = decisions_path(s.inbox).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert _q(s.db, "SELECT count(*) FROM manifest WHERE path LIKE '_review/%'")[0][0] == 0
    assert len(parse(raw.decode("utf-8"))) == 8


def test_each_disposition_survives_the_rebuild(site):
    s, _first, ids = site
    got = dict(
        (fp, (st, note, by))
        for fp, st, note, by in _q(
            s.db,
            "SELECT fingerprint, review_status, review_note, reviewed_by FROM findings WHERE fingerprint IN (?, ?, ?, ?)",
            [ids["dismiss"], ids["confirm"], ids["explain"], ids["twice"]],
        )
    )
    assert got[ids["dismiss"]] == ("dismissed", "小计列为可选列", "张三")
    assert got[ids["confirm"]] == ("confirmed", None, "李四")
    assert got[ids["explain"]] == ("explained", "单位来函说明：统计口径不同", "李四")
    # the later decision stands, the earlier is kept as superseded
    assert got[ids["twice"]][0] == "dismissed"
    hist = _q(
        s.db,
        "SELECT status, state, superseded_by IS NOT NULL FROM decisions WHERE finding = ? ORDER BY line",
        [ids["twice"]],
    )
    assert hist == [("confirmed", "superseded", True), ("dismissed", "applied", False)]
    # the fingerprint is the stable id: unit, year, rule, instance
    unit, year, rule, inst = _q(
        s.db, "SELECT unit_id, year, rule_id, instance FROM findings WHERE fingerprint = ?", [ids["confirm"]]
    )[0]
    assert fingerprint(unit, year, rule, inst) == ids["confirm"]


def test_a_dismissed_finding_no_longer_counts_as_open(site):
    s, _first, ids = site
    n_open, n_rev = _q(
        s.db,
        """SELECT sum(findings_open), sum(findings_reviewed) FROM rollup_summary
                                WHERE hierarchy = 'statutory' AND group_level = 'league'""",
    )[0]
    direct = _q(
        s.db,
        """SELECT count(*) FILTER (WHERE review_status = 'open'),
                                count(*) FILTER (WHERE review_status IN ('confirmed', 'dismissed', 'explained'))
                         FROM findings f JOIN reports r ON r.report_id = f.report_id AND r.active
                         WHERE f.unit_id IN (SELECT unit_id FROM rollup_members WHERE hierarchy = 'statutory'
                                             AND group_level = 'league')""",
    )[0]
    assert (n_open, n_rev) == direct
    assert n_rev == 4


def test_a_correction_changes_the_verdict_and_the_rollups_not_the_raw_text(site):
    s, first, ids = site
    row = _q(
        s.db,
        """SELECT c.semantic, c.value, c.semantic_read, c.value_read, c.raw, c.value_source, c.decision_id
                      FROM cells c JOIN reports r USING (report_id)
                      WHERE r.active AND r.unit_id = ? AND r.year = ? AND c.cell_id = ?""",
        [ids["unit"], ids["year"], ids["cell"]],
    )[0]
    sem, value, sem_read, value_read, raw, source, dec = row
    assert value == ids["rhs"] and value_read == ids["lhs"] and source == "review" and dec.startswith("D")
    assert raw is not None and float(raw.replace(",", "")) == ids["lhs"]  # the text as read stays
    assert _q(s.db, "SELECT status FROM findings WHERE fingerprint = ?", [ids["fix"]])[0][0] == "PASS"
    after = _q(
        s.db,
        "SELECT value_sum FROM rollup_cells WHERE hierarchy = 'statutory' AND group_level = 'league' "
        "AND year = ? AND cell_id = ?",
        [ids["year"], ids["cell"]],
    )[0][0]
    assert after - first["rollup_before"] == ids["rhs"] - ids["lhs"]
    summed = _q(
        s.db,
        """SELECT sum(c.value) FROM cells c JOIN reports r USING (report_id)
                         WHERE r.active AND r.year = ? AND c.cell_id = ? AND c.semantic IN ('NUMERIC', 'ZERO')
                           AND r.unit_id IN (SELECT unit_id FROM rollup_members WHERE hierarchy = 'statutory'
                                             AND group_level = 'league')""",
        [ids["year"], ids["cell"]],
    )[0][0]
    assert after == summed


def test_an_assignment_gives_the_file_to_the_unit(site):
    s, _first, _ids = site
    (unit,) = _q(s.db, "SELECT unit_id FROM manifest WHERE path = ?", [ARCHIVE])[0]
    assert unit == "1529"
    assert _q(s.db, "SELECT match_method FROM reports WHERE path = ?", [ARCHIVE])[0][0] == "review_assignment"
    assert _q(s.db, "SELECT state FROM decisions WHERE kind = 'assignment'")[0][0] == "applied"


def test_a_malformed_line_is_reported_with_its_line_number(site):
    s, _first, _ids = site
    state, reason = _q(s.db, "SELECT state, state_reason FROM decisions WHERE decision_id = 'Dbroken'")[0]
    assert state == "rejected" and reason.startswith("line 9:")
    assert _q(s.db, "SELECT count(*) FROM decisions WHERE state = 'applied'")[0][0] == 6


def test_cli_refuses_bad_decisions_with_exit_2(site, capsys):
    s, _first, ids = site
    assert _cli(s, "review", "decide", ids["confirm"], "--status", "dismissed", "--by", "张三") == 2
    assert "needs a reason" in capsys.readouterr().err
    assert _cli(s, "review", "decide", "0000000000000000", "--status", "confirmed", "--by", "张三") == 2
    assert "no finding" in capsys.readouterr().err
    assert (
        _cli(
            s,
            "review",
            "correct",
            "--unit",
            ids["unit"],
            "--year",
            str(ids["year"]),
            "--cell",
            "T9/x/y",
            "--value",
            "1",
            "--reason",
            "reading_error",
            "--by",
            "张三",
        )
        == 2
    )


def test_review_list_json_filters_by_status(site, capsys):
    import json

    s, _first, ids = site
    capsys.readouterr()
    assert _cli(s, "review", "list", "--status", "dismissed", "--json") == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {o["id"] for o in out} == {ids["dismiss"], ids["twice"]}
    assert all({"id", "unit_id", "unit_name", "year", "rule_id", "verdict", "status", "cells"} <= set(o) for o in out)


def test_workbook_shows_review_status_and_round_trips(site, tmp_path):
    from openpyxl import load_workbook

    s, _first, ids = site
    wb = load_workbook(s.workbook)
    ws = wb["检查发现"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    by_id = {r[col["编号"]].value: r for r in rows}
    assert by_id[ids["confirm"]][col["复核状态"]].value == "已确认"
    assert by_id[ids["dismiss"]][col["复核状态"]].value == "已排除"
    opened = [r for r in rows if r[col["复核状态"]].value == "待复核"][:4]
    fill = [
        (opened[0], "确认", "", "赵六"),
        (opened[1], "排除", "表格为可选格式", "赵六"),
        (opened[2], "已说明", "单位已来函说明", "赵六"),
    ]
    for r, verdict, note, by in fill:
        ws.cell(row=r[0].row, column=col["复核结论"] + 1, value=verdict)
        ws.cell(row=r[0].row, column=col["说明"] + 1, value=note)
        ws.cell(row=r[0].row, column=col["复核人"] + 1, value=by)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    before = len(parse(decisions_path(s.inbox).read_text(encoding="utf-8-sig")))
    assert main(["review", "import", str(filled), "--inbox", str(s.inbox), "--out", str(s.out)]) == 0
    after = parse(decisions_path(s.inbox).read_text(encoding="utf-8-sig"))
    assert len(after) == before + 3
    new = {d.finding: (d.status, d.reason, d.decided_by) for d in after[before:]}
    assert new == {
        opened[0][col["编号"]].value: ("confirmed", "", "赵六"),
        opened[1][col["编号"]].value: ("dismissed", "表格为可选格式", "赵六"),
        opened[2][col["编号"]].value: ("explained", "单位已来函说明", "赵六"),
    }
    # refused with the row number: a dismissal without reason, an unknown finding
    ws.cell(row=opened[3][0].row, column=col["复核结论"] + 1, value="排除")
    wb.save(filled)
    assert main(["review", "import", str(filled), "--inbox", str(s.inbox), "--out", str(s.out)]) == 2
    ws.cell(row=opened[3][0].row, column=col["说明"] + 1, value="理由")
    ws.cell(row=opened[3][0].row, column=col["编号"] + 1, value="ffffffffffffffff")
    wb.save(filled)
    assert main(["review", "import", str(filled), "--inbox", str(s.inbox), "--out", str(s.out)]) == 2
    assert len(parse(decisions_path(s.inbox).read_text(encoding="utf-8-sig"))) == before + 3  # nothing appended


def test_review_import_reads_the_findings_continuation_sheets(site, tmp_path, monkeypatch):
    """Past Excel's row limit the findings go on in 检查发现 (2), …: a decision typed there is imported,
    and a refusal names the sheet and the row."""
    from openpyxl import load_workbook

    from pipeline.reports import workbook as W
    from pipeline.review.actions import Refused, import_workbook

    s, _first, _ids = site
    whole = load_workbook(s.workbook, read_only=True)
    n_findings = whole["检查发现"].max_row - 1
    whole.close()
    monkeypatch.setattr(W, "ROW_LIMIT", 1 + (n_findings + 1) // 2)  # two sheets, a header row each
    split = tmp_path / "split.xlsx"
    assert "检查发现" in W.write_workbook(s.db, split)["continued"]
    wb = load_workbook(split)
    ws = wb["检查发现 (2)"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    row = next(r for r in ws.iter_rows(min_row=2) if r[col["复核状态"]].value == "待复核")
    ws.cell(row=row[0].row, column=col["复核结论"] + 1, value="已说明")
    ws.cell(row=row[0].row, column=col["说明"] + 1, value="单位已来函说明")
    ws.cell(row=row[0].row, column=col["复核人"] + 1, value="钱七")
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    inbox = tmp_path / "inbox"
    shutil.copytree(s.inbox, inbox)
    got = import_workbook(inbox, s.db, filled)
    assert [(d.finding, d.status, d.reason, d.decided_by) for d in got] == [
        (row[col["编号"]].value, "explained", "单位已来函说明", "钱七")
    ]
    ws.cell(row=row[0].row, column=col["复核结论"] + 1, value="也许")
    wb.save(filled)
    with pytest.raises(Refused, match=rf"检查发现 \(2\) row {row[0].row}: 复核结论"):
        import_workbook(inbox, s.db, filled)


def test_notices_one_docx_per_unit_with_confirmed_findings(site, tmp_path):
    from docx import Document

    from pipeline.review.notices import write_notices

    s, _first, ids = site
    year = _q(s.db, "SELECT year FROM findings WHERE fingerprint = ?", [ids["confirm"]])[0][0]
    res = write_notices(s.db, tmp_path / "notices", year, issued=date(2026, 3, 1))
    confirmed = _q(
        s.db,
        """SELECT f.unit_id, u.full_name, f.message_zh, f.lhs_value FROM findings f
                            JOIN units u USING (unit_id) WHERE f.review_status = 'confirmed' AND f.year = ?""",
        [year],
    )
    units = {c[0] for c in confirmed}
    assert len(res["notices"]) == len(units) >= 1
    for uid, full_name, msg, lhs in confirmed:
        path = next(p for p in res["notices"] if f"_{uid}_" in Path(p).name)
        text = "\n".join(p.text for p in Document(path).paragraphs)
        assert "整改通知" in text and f"{full_name}：" in text
        assert msg.strip()[:20] in text
        assert "2026年3月31日前" in text  # reply deadline: 30 days after issue
        assert "涉及单元格" in text or lhs is None
    # the 通报: its totals equal the warehouse
    summary = Document(res["summary"])
    problems = _q(
        s.db,
        """SELECT count(*) FROM findings f JOIN reports r ON r.report_id = f.report_id AND r.active
                           WHERE f.year = ? AND f.status = 'FAIL' AND f.review_status <> 'dismissed'""",
        [year],
    )[0][0]
    by_rule = summary.tables[0]
    total_row = [c.text for c in by_rule.rows[-1].cells]
    assert total_row[0] == "合计" and int(total_row[1]) == problems
    assert sum(int(r.cells[1].text) for r in by_rule.rows[1:-1]) == problems
    by_unit = summary.tables[1]
    assert sum(int(r.cells[1].text) for r in by_unit.rows[1:]) == problems
    cov = _q(
        s.db,
        "SELECT units_expected, reports_read, late FROM rollup_summary WHERE hierarchy = 'statutory' "
        "AND group_level = 'league' AND year = ?",
        [year],
    )[0]
    body = "\n".join(p.text for p in summary.paragraphs)
    assert f"应报送单位{cov[0]}个" in body and f"已读取报告{cov[1]}份" in body and f"逾期发布{cov[2]}份" in body


def test_pages_notices_asset_and_cli_show_the_review(site, capsys):
    import json

    from pipeline.reports.inputs import group_path, unit_path

    s, _first, ids = site
    unit, year = _q(s.db, "SELECT unit_id, year FROM findings WHERE fingerprint = ?", [ids["confirm"]])[0]
    html = (s.pages / unit_path(unit, year)).read_text(encoding="utf-8")
    assert "已确认" in html and ids["confirm"] in html
    assert "复核与整改情况" in html  # its 整改情况
    n_open, n_rev = _q(
        s.db,
        "SELECT findings_open, findings_reviewed FROM rollup_summary WHERE hierarchy = "
        "'statutory' AND group_level = 'league' AND year = ?",
        [year],
    )[0]
    league = _q(s.db, "SELECT unit_id FROM units WHERE level = 'league'")[0][0]
    page = (s.pages / group_path("statutory", league, year)).read_text(encoding="utf-8")
    assert f'待复核 <b class="rv-open">{n_open}</b> 条，已复核 <b class="rv-done">{n_rev}</b> 条' in page
    # the job's notices asset wrote the year's notices
    assert list((s.out / "notices" / str(year)).glob("整改通知_*.docx"))
    assert list((s.out / "notices" / str(year)).glob("通报_*.docx"))
    capsys.readouterr()
    assert (
        main(
            [
                "notices",
                "--year",
                str(year),
                "--banner",
                "152921",
                "--json",
                "--inbox",
                str(s.inbox),
                "--out",
                str(s.out),
                "--date",
                "2026-03-01",
            ]
        )
        == 0
    )
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[-1]["kind"] == "通报" and "152921" in out[-1]["path"]
    assert main(["notices", "--year", str(year), "--banner", "nope", "--inbox", str(s.inbox), "--out", str(s.out)]) == 2
    from openpyxl import load_workbook

    wb = load_workbook(s.workbook, read_only=True)
    rem = [r for r in wb["整改情况"].iter_rows(min_row=2, values_only=True)]
    assert any(r[5] == ids["confirm"] for r in rem)


def test_replacing_a_report_file_makes_its_corrections_stale(site):
    s, _first, ids = site
    (path,) = _q(
        s.db, "SELECT path FROM reports WHERE active AND unit_id = ? AND year = ?", [ids["unit"], ids["year"]]
    )[0]
    p = Path(s.inbox) / path
    p.write_bytes(p.read_bytes() + b"\n")  # republished: another version of the file
    _run(s)
    state, reason = _q(s.db, "SELECT state, state_reason FROM decisions WHERE kind = 'correction'")[0]
    assert state == "stale" and "replaced" in reason
    src = _q(
        s.db,
        """SELECT c.value_source FROM cells c JOIN reports r USING (report_id)
                      WHERE r.active AND r.unit_id = ? AND r.year = ? AND c.cell_id = ?""",
        [ids["unit"], ids["year"], ids["cell"]],
    )[0][0]
    assert src == "read"
    # the confirmed finding's 整改情况 is known
    rem = _q(s.db, "SELECT outcome, outcome_zh FROM remediation WHERE fingerprint = ?", [ids["confirm"]])
    assert rem and rem[0][0] in ("fixed", "not_fixed", "resolved") and rem[0][1]
    # and the stale correction is shown on the unit's page
    from pipeline.reports.inputs import unit_path

    html = (s.pages / unit_path(ids["unit"], ids["year"])).read_text(encoding="utf-8")
    assert "已失效" in html and ids["cell"] in html
