"""The review loop's plain functions on small data: parsing the decisions file, superseding, stale
dispositions and 整改情况 (remediation) across a republished report and the next year's report."""

from __future__ import annotations

from corpus.synthetic import Synthetic, build
from pipeline.review.apply import Review, apply_dispositions
from pipeline.review.decisions import COLUMNS, Decision, append, decisions_path, fingerprint, parse, read
from pipeline.warehouse import connect

U = "152921102"


def test_parse_reports_malformed_lines_by_number_and_keeps_the_rest():
    header = ",".join(COLUMNS)
    good = "D1,2026-01-01T00:00:00Z,张三,disposition,abcd,152921102,2024,r,i,,,,confirmed,,,,"
    text = (
        "\ufeff"
        + "\r\n".join(
            [
                header,
                good,
                "D2,x,y",
                "D3,2026,张三,disposition,abcd,,,,,,,,dismissed,,,,",
                "D4,2026,张三,correction,,u,2024,,,sha,,T3/new/total,,NUMERIC,abc,reading_error,",
                good.replace("D1", "D5"),
            ]
        )
        + "\r\n"
    )
    ds = parse(text)
    assert [(d.line, d.error is None) for d in ds] == [(2, True), (3, False), (4, False), (5, False), (6, True)]
    assert "fields" in ds[1].error and "reason" in ds[2].error and "not a number" in ds[3].error


def test_append_writes_bom_once_and_never_rewrites(tmp_path):
    d = Decision(decided_by="张三", kind="disposition", finding="f1", status="confirmed")
    append(tmp_path, [d])
    first = decisions_path(tmp_path).read_bytes()
    append(
        tmp_path, [Decision(decided_by="李四", kind="disposition", finding="f1", status="dismissed", reason="不是问题")]
    )
    after = decisions_path(tmp_path).read_bytes()
    assert after.startswith(first) and after.count(b"\xef\xbb\xbf") == 1
    assert [x.status for x in read(tmp_path)] == ["confirmed", "dismissed"]


def test_later_decision_supersedes_and_unknown_unit_is_rejected():
    a = Decision(decision_id="A", decided_by="x", kind="disposition", finding="f", status="confirmed", line=2)
    b = Decision(
        decision_id="B", decided_by="y", kind="disposition", finding="f", status="explained", reason="r", line=3
    )
    c = Decision(
        decision_id="C", decided_by="y", kind="assignment", report_sha256="s", unit_id="nope", reason="r", line=4
    )

    class Reg:
        def __contains__(self, u):
            return u == U

    rows = {r["decision_id"]: r for r in Review([a, b, c], Reg()).rows}
    assert rows["A"]["state"] == "superseded" and rows["A"]["superseded_by"] == "B"
    assert rows["B"]["state"] == "pending"
    assert rows["C"]["state"] == "rejected" and "line 4" in rows["C"]["state_reason"]


def _finding(con, rid, unit, year, status, rule="t4_group_total", inst="review"):
    con.execute(
        "INSERT INTO findings (finding_id, report_id, unit_id, year, rule_id, instance, scope, status, "
        "severity) VALUES (?, ?, ?, ?, ?, ?, 'report', ?, 'error')",
        [f"{rid}{rule}{inst}", rid, unit, year, rule, inst, status],
    )


def test_remediation_across_republished_and_next_year(tmp_path):
    db = tmp_path / "w.duckdb"
    build(db, Synthetic(years=(2023, 2024), seed=3))
    con = connect(db)
    try:
        rid = {
            (u, y): r for r, u, y in con.execute("SELECT report_id, unit_id, year FROM reports WHERE active").fetchall()
        }
        other = next(u for (u, y) in rid if u != U and y == 2023 and (u, 2024) in rid)
        # U: confirmed in 2023 on its report, still failing there, fixed in 2024
        _finding(con, rid[(U, 2023)], U, 2023, "FAIL")
        _finding(con, rid[(U, 2024)], U, 2024, "PASS")
        # other: confirmed on an older version (republished since), no longer failing; recurs in 2024
        _finding(con, rid[(other, 2023)], other, 2023, "PASS")
        _finding(con, rid[(other, 2024)], other, 2024, "FAIL")
        # a finding dismissed that no longer fires: stale, kept
        fp_u, fp_o = (
            fingerprint(U, 2023, "t4_group_total", "review"),
            fingerprint(other, 2023, "t4_group_total", "review"),
        )
        ds = [
            Decision(
                decision_id="D1",
                decided_by="x",
                kind="disposition",
                finding=fp_u,
                unit_id=U,
                year="2023",
                rule_id="t4_group_total",
                instance="review",
                report_sha256=rid[(U, 2023)] + "0" * 48,
                status="confirmed",
                line=2,
            ),
            Decision(
                decision_id="D2",
                decided_by="x",
                kind="disposition",
                finding=fp_o,
                unit_id=other,
                year="2023",
                rule_id="t4_group_total",
                instance="review",
                report_sha256="f" * 64,
                status="confirmed",
                line=3,
            ),
        ]
        Review(ds).apply_in_build(con)
        states = apply_dispositions(con)
        assert states == {"applied": 1, "stale": 1}
        assert (
            con.execute("SELECT review_status FROM findings WHERE fingerprint = ?", [fp_u]).fetchone()[0] == "confirmed"
        )
        rem = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT unit_id, republished, fires_now, fires_next_year, outcome FROM remediation"
            ).fetchall()
        }
        assert rem[U] == (False, True, False, "not_fixed")
        assert rem[other] == (True, False, True, "fixed")
        zh = dict(con.execute("SELECT unit_id, outcome_zh FROM remediation").fetchall())
        assert "次年报告中已无同一问题" in zh[U] and "次年报告中仍有同一问题" in zh[other]
    finally:
        con.close()


def test_serve_password_csrf_and_files_outside_the_pages(tmp_path):
    import re

    from pipeline.review.serve import create_app, is_loopback
    from pipeline.settings import from_env

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    s = from_env(inbox=tmp_path / "inbox", out=tmp_path / "run")
    (s.pages / "static").mkdir(parents=True)
    build(s.db, Synthetic(years=(2024,), seed=3))
    (s.pages / "index.html").write_text("<p>index</p>", encoding="utf-8")
    (tmp_path / "run" / "secret.txt").write_text("not a page", encoding="utf-8")
    app = create_app(s, password="pw")
    c = app.test_client()
    assert c.get("/pages/index.html").status_code == 302  # the reviewer first
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"name": "张三", "password": "pw"}).status_code == 403  # no token
    assert c.post("/login", data={"csrf": tok, "name": "张三", "password": "wrong"}).status_code == 400
    assert c.post("/login", data={"csrf": tok, "name": "张三", "password": "pw"}).status_code == 302
    assert c.get("/pages/index.html").status_code == 200
    for bad in (
        "/pages/../secret.txt",
        "/pages/%2e%2e/secret.txt",
        "/pages/..%2fsecret.txt",
        "/pages/../nianbao.duckdb",
        "/pages//etc/passwd",
    ):
        r = c.get(bad, follow_redirects=True)  # "//" is merged by a redirect inside the site
        assert r.status_code == 404 and b"not a page" not in r.data
    # a POST from another site carries no token: refused, nothing appended
    assert c.post("/decide", data={"finding": "x", "status": "confirmed"}).status_code == 403
    assert c.post("/decide", data={"csrf": tok + "x", "finding": "x", "status": "confirmed"}).status_code == 403
    assert not decisions_path(s.inbox).exists()
    r = c.post("/decide", data={"csrf": tok, "finding": "nope", "status": "confirmed"})
    assert r.status_code == 400 and "no finding" in r.text
    # an open redirect is not possible through `next`
    r = c.post("/bulk", data={"csrf": tok, "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/review")
