"""`nianbao check` on real files: the seed's must_find problems and the real city report."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main


def _run(capsys, *args) -> tuple[int, list[dict]]:
    code = main(["check", "--json", *map(str, args)])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_findings(tmp_path_factory):
    import io
    import sys
    from pathlib import Path

    seed = Path(__file__).parent / "fixtures" / "seed_2024_bayanmuren.txt"
    buf = io.StringIO()
    old = sys.stdout
    sys.stdout = buf
    try:
        code = main(["check", "--json", str(seed)])
    finally:
        sys.stdout = old
    return code, json.loads(buf.getvalue().splitlines()[0])


def test_seed_must_find_problems_are_findings_with_rule_ids(seed_findings):
    code, result = seed_findings
    assert code == 1  # FAILs found
    assert result["unit_id"] == "152921203"
    by = {(f["rule_id"], f["instance"]): f for f in result["findings"]}
    # 1. Table 4 malformed: all 15 cells MISSING, not 0
    t4 = by[("structure_tables", "T4")]
    assert t4["status"] == "FAIL" and len(t4["lhs_cells"]) == 15
    # 2. T2 in_force blank for 规章 and 行政规范性文件 (EMPTY, not 0)
    blank = by[("cells_filled", "T2")]
    assert blank["status"] == "FAIL"
    assert set(blank["lhs_cells"]) == {"T2/rules/in_force", "T2/normative_docs/in_force"}
    # 3. a township cannot make 规章, yet it repealed one
    cap = by[("rules_capacity", "-")]
    assert cap["status"] == "FAIL" and cap["lhs_cells"] == ["T2/rules/repealed"]


def test_seed_table_four_checks_are_not_assessable_not_pass(seed_findings):
    _, result = seed_findings
    by = {(f["rule_id"], f["instance"]): f["status"] for f in result["findings"]}
    for g in ("review", "suit_direct", "suit_after_review"):
        assert by[("t4_group_total", g)] == "NOT_ASSESSABLE"


def test_real_city_report_has_no_arithmetic_fail_and_its_text_agrees(real_pdf, capsys):
    code, results = _run(capsys, real_pdf)
    assert code == 0
    r = results[0]
    assert r["summary"].get("FAIL", 0) == 0
    from pipeline.checks.batch import from_parsed
    from pipeline.checks.findings import run_checks
    from pipeline.parse import parse_file

    parsed = parse_file(real_pdf)
    parsed["report_id"] = "city"
    table, _ = run_checks(
        from_parsed([parsed], [{}]),
        only={"text_vs_table", "t3_balance", "t3_outcomes_sum", "t3_row_total", "t4_group_total"},
    )
    assert set(table["status"]) == {"PASS"}
    stated = dict(
        zip(
            table.loc[table.rule_id == "text_vs_table", "instance"],
            table.loc[table.rule_id == "text_vs_table", "lhs_value"],
        )
    )
    assert stated == {
        "received": 3119,
        "answered": 3050,
        "carried_over": 34,
        "carried_forward": 103,
        "reviews": 351,
        "suits": 46,
    }


def test_check_against_previous_year(tmp_path, capsys):
    from corpus import example_spec, write

    prev = example_spec(3, year=2023)
    cur = example_spec(4, year=2024)
    for c in ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total"):
        cur.cells[f"T3/carried_over/{c}"] = prev.cells[f"T3/carried_forward/{c}"]
    cur.cells["T3/carried_over/natural_person"] = "77"
    write(prev, tmp_path / "2023.txt", "text")
    write(cur, tmp_path / "2024.txt", "text")
    code, results = _run(capsys, tmp_path / "2024.txt", "--previous", tmp_path / "2023.txt")
    assert code == 1
    carry = [f for f in results[0]["findings"] if f["rule_id"] == "carryover" and f["status"] == "FAIL"]
    assert {f["instance"] for f in carry} >= {"natural_person"}


def test_check_unreadable_file_says_why(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, results = _run(capsys, empty)
    assert code == 2 and results[0]["error"] == "the file is empty"
