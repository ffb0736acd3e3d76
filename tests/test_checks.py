"""Every rule of the catalogue: a report that passes it and one that fails it (GX decides FAIL)."""

from __future__ import annotations

import copy

import pytest
from checkdata import TOWNSHIP, clean_report, mutated, set_cell

from pipeline.checks.batch import from_parsed
from pipeline.checks.catalogue import rules
from pipeline.checks.findings import run_checks

CASES: dict[str, tuple[dict, dict]] = {}  # name -> (report, unit facts)


def _unit(uid: str, **kw) -> dict:
    return {**TOWNSHIP, "unit_id": uid, "name": uid, **kw}


def _case(name: str, report: dict, unit: dict | None = None) -> None:
    report["path"] = name
    CASES[name] = (report, unit or _unit("u-" + name))


def _build() -> None:
    base = clean_report(key=1)
    _case("clean", base)
    _case("clean_b", clean_report(unit="额济纳旗东风镇人民政府", key=5))

    _case("t3_balance", set_cell(clean_report(key=2), "T3/new/natural_person", "9"))
    r = clean_report(key=3)
    set_cell(r, "T3/granted/business", "2")
    set_cell(r, "T3/granted/total", str(int(r["cells"]["T3/granted/total"]["value"]) + 2))
    _case("t3_outcomes_sum", r)
    r = clean_report(key=4)
    set_cell(r, "T3/carried_forward/total", "7")
    _case("t3_row_total", r)
    r = clean_report(key=6)
    r["extra_cells"] = {"T3/new/org_subtotal": {"semantic": "NUMERIC", "value": 5, "raw": "5", "at": "t"}}
    _case("t3_org_subtotal", r)
    r = clean_report(key=7)
    r["extra_cells"] = {"T3/new/org_subtotal": {"semantic": "NUMERIC", "value": 2, "raw": "2", "at": "t"}}
    _case("t3_org_subtotal_ok", r)
    _case("t4_group_total", set_cell(clean_report(key=8), "T4/review.total", "4"))
    _case("counts_nonnegative", set_cell(clean_report(key=9), "T2/penalties/decisions", "-3"))
    _case("counts_whole", set_cell(clean_report(key=10), "T2/licensing/decisions", "2.5"))
    _case("fees_nonnegative", set_cell(clean_report(key=12), "T2/fees/amount", "-1.5"))
    _case("cells_filled", set_cell(clean_report(key=13), "T3/new/business", ""))
    _case("rules_capacity", set_cell(clean_report(key=14), "T2/rules/repealed", "1"))
    r = clean_report(key=15)
    r["sections"]["other"] = None
    _case("structure_sections", r)
    r = clean_report(key=16)
    r["problems"] = [
        {"code": "table_truncated", "severity": "error", "message": "cut", "cells": ["T3/carried_forward/total"]}
    ]
    _case("structure_tables", r)
    _case("structure_format", mutated(clean_report(key=17), format_version="2019"))
    r = clean_report(key=26)
    r["problems"] = [
        {"code": "format_hybrid", "severity": "warning", "message": "（六）其他处理 is one row", "cells": []}
    ]
    _case("structure_format_hybrid", r)
    _case(
        "identity_year", mutated(clean_report(key=18), title="阿拉善右旗雅布赖镇人民政府2023年政府信息公开工作年度报告")
    )
    _case("identity_period", mutated(clean_report(key=19), period={"start": "2024-01-01", "end": "2024-06-30"}))
    _case("timeliness", mutated(clean_report(key=20), published_on="2025-04-01"))
    _case("timeliness_unknown", mutated(clean_report(key=21), published_on=None))
    r = clean_report(key=22)
    r["sections"]["overview"] = r["sections"]["overview"].replace(
        "全年共受理政府信息公开申请", "全年共受理政府信息公开申请9"
    )
    _case("text_vs_table", r)
    r = clean_report(key=23)
    set_cell(r, "T2/fees/amount", "1.5")
    r["sections"]["other"] = "本年度无其他需要报告的事项。"
    _case("fees_mentioned", r)
    r = clean_report(key=24)
    set_cell(r, "T2/fees/amount", "1.5")
    r["sections"]["other"] = "本年度收取信息处理费0.5万元。"
    _case("fees_mentioned_ok", r)
    r = clean_report(key=25)
    r["sections"]["problems"] = "无。"
    _case("problems_section_substance", r)

    # two years of one unit: clean pair, and pairs that break one cross-year rule each
    prev = clean_report(year=2023, key=30)
    cf = [
        prev["cells"][f"T3/carried_forward/{c}"]["value"]
        for c in ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org")
    ]
    _case("pair_prev", prev, _unit("u-pair"))
    _case("pair_cur", clean_report(year=2024, key=31, carried_over=cf, in_force=11), _unit("u-pair"))

    prev = clean_report(year=2023, key=32)
    _case("carry_prev", prev, _unit("u-carry"))
    cur = clean_report(year=2024, key=33, carried_over=cf)
    set_cell(cur, "T3/carried_over/legal_services", "3")  # breaks carry-over in one column only
    set_cell(cur, "T3/carried_over/total", str(int(cur["cells"]["T3/carried_over/total"]["value"]) + 3))
    set_cell(cur, "T3/new/legal_services", str(int(cur["cells"]["T3/new/legal_services"]["value"]) - 3 + 3))
    _case("carryover", cur, _unit("u-carry"))

    prev = clean_report(year=2023, key=34)
    _case("cont_prev", prev, _unit("u-cont"))
    cur = clean_report(year=2024, key=35, carried_over=cf)
    set_cell(cur, "T2/normative_docs/in_force", "15")  # 10 + 2 - 1 = 11 expected
    _case("t2_in_force_continuity", cur, _unit("u-cont"))

    prev = clean_report(year=2023, key=36)
    _case("jump_prev", prev, _unit("u-jump"))
    cur = clean_report(year=2024, key=37, carried_over=cf)
    set_cell(cur, "T2/licensing/decisions", "900")
    _case("jump_fivefold", cur, _unit("u-jump"))

    prev = clean_report(year=2023, key=38)
    _case("copy_prev", prev, _unit("u-copy"))
    cur = clean_report(year=2024, key=39, carried_over=cf)
    cur["sections"] = copy.deepcopy(prev["sections"])
    _case("copy_previous_year", cur, _unit("u-copy"))

    a = clean_report(unit="阿拉善左旗宗别立镇人民政府", key=40)
    b = clean_report(unit="阿拉善左旗吉兰泰镇人民政府", key=41)
    b["sections"] = copy.deepcopy(a["sections"])
    for k, v in b["sections"].items():
        if v:
            b["sections"][k] = v.replace("阿拉善左旗宗别立镇人民政府", "阿拉善左旗吉兰泰镇人民政府")
    _case("copy_units_a", a)
    _case("copy_across_units", b)


@pytest.fixture(scope="module")
def findings():
    CASES.clear()
    _build()
    names = list(CASES)
    results = [copy.deepcopy(CASES[n][0]) for n in names]
    for i, r in enumerate(results):
        r["report_id"] = names[i]
    units = [CASES[n][1] for n in names]
    table, validation = run_checks(from_parsed(results, units))
    return table


def status(table, report: str, rule_id: str, instance: str | None = None) -> set[str]:
    sel = (table["report_id"] == report) & (table["rule_id"] == rule_id)
    if instance is not None:
        sel &= table["instance"] == instance
    return set(table.loc[sel, "status"])


def test_clean_report_passes_every_report_rule(findings):
    bad = findings[(findings["report_id"] == "clean") & findings["status"].isin(["FAIL", "UNCERTAIN"])]
    assert bad.empty, bad[["rule_id", "instance", "status", "message_zh"]].to_string()


def test_clean_pair_passes_every_cross_year_rule(findings):
    sel = findings["report_id"] == "pair_cur"
    bad = findings[sel & findings["status"].isin(["FAIL", "UNCERTAIN"])]
    assert bad.empty, bad[["rule_id", "instance", "status", "message_zh"]].to_string()


RULE_CASES = {
    "t3_balance": ("t3_balance", "natural_person"),
    "t3_outcomes_sum": ("t3_outcomes_sum", "business"),
    "t3_row_total": ("t3_row_total", "carried_forward"),
    "t3_org_subtotal": ("t3_org_subtotal", "new"),
    "t4_group_total": ("t4_group_total", "review"),
    "counts_nonnegative": ("counts_nonnegative", "T2"),
    "counts_whole": ("counts_whole", "T2"),
    "fees_nonnegative": ("fees_nonnegative", None),
    "cells_filled": ("cells_filled", "T3"),
    "rules_capacity": ("rules_capacity", None),
    "structure_sections": ("structure_sections", "other"),
    "structure_tables": ("structure_tables", "T3"),
    "structure_format": ("structure_format", None),
    "identity_year": ("identity_year", None),
    "identity_period": ("identity_period", None),
    "timeliness": ("timeliness", None),
    "text_vs_table": ("text_vs_table", "received"),
    "fees_mentioned": ("fees_mentioned", None),
    "problems_section_substance": ("problems_section_substance", None),
    "carryover": ("carryover", "legal_services"),
    "t2_in_force_continuity": ("t2_in_force_continuity", "normative_docs"),
    "jump_fivefold": ("jump_fivefold", "licensing"),
    "copy_previous_year": ("copy_previous_year", None),
    "copy_across_units": ("copy_across_units", None),
}


def test_every_rule_of_the_catalogue_has_a_case():
    assert set(RULE_CASES) == {r.id for r in rules()}


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_rule_fails_on_its_case_and_passes_on_the_clean_report(findings, case):
    rule_id, instance = RULE_CASES[case]
    assert status(findings, case, rule_id, instance) == {"FAIL"}, case
    clean = (
        "pair_cur"
        if rule_id in ("carryover", "t2_in_force_continuity", "jump_fivefold", "copy_previous_year")
        else (
            "t3_org_subtotal_ok"
            if rule_id == "t3_org_subtotal"
            else "fees_mentioned_ok"
            if rule_id == "fees_mentioned"
            else "clean"
        )
    )
    assert status(findings, clean, rule_id, instance) == {"PASS"}, (clean, rule_id)


def test_a_hybrid_2021_report_fails_the_format_rule(findings):
    assert status(findings, "structure_format_hybrid", "structure_format") == {"FAIL"}


def test_blank_operand_gives_uncertain_never_fail(findings):
    assert status(findings, "cells_filled", "t3_row_total", "new") == {"UNCERTAIN"}
    assert status(findings, "cells_filled", "t3_balance", "business") == {"UNCERTAIN"}
    row = findings[
        (findings["report_id"] == "cells_filled")
        & (findings["rule_id"] == "t3_balance")
        & (findings["instance"] == "business")
    ].iloc[0]
    assert "空白不等于0" in row["message_zh"]


def test_unknown_publication_date_is_uncertain(findings):
    assert status(findings, "timeliness_unknown", "timeliness") == {"UNCERTAIN"}


def test_broken_carry_over_is_caught_in_one_column_only(findings):
    sel = (findings["report_id"] == "carryover") & (findings["rule_id"] == "carryover")
    fails = set(findings.loc[sel & (findings["status"] == "FAIL"), "instance"])
    assert fails == {"legal_services", "total"}
    passes = set(findings.loc[sel & (findings["status"] == "PASS"), "instance"])
    assert passes == {"natural_person", "business", "research", "nonprofit", "other_org"}
    row = findings[sel & (findings["instance"] == "legal_services")].iloc[0]
    assert row["other_report_id"] == "carry_prev"
    assert row["lhs_cells"] == ["T3/carried_over/legal_services"]


def test_failing_findings_name_their_cells_and_explain_in_chinese(findings):
    fails = findings[findings["status"] == "FAIL"]
    assert len(fails) > 20
    for row in fails.itertuples():
        assert row.message_zh and any("\u4e00" <= ch <= "\u9fff" for ch in row.message_zh)
    ident = fails[fails["rule_id"] == "t3_balance"].iloc[0]
    assert ident["lhs_cells"] == ["T3/new/natural_person", "T3/carried_over/natural_person"]
    assert ident["difference"] == ident["lhs_value"] - ident["rhs_value"] != 0


def test_split_digit_is_flagged_as_a_reading_artefact():
    r = clean_report(key=50)
    # natural_person should read 12 and business 0; the page shows "1" and "2" in adjacent cells
    set_cell(r, "T3/new/natural_person", "12")
    set_cell(r, "T3/new/business", "0")
    set_cell(
        r,
        "T3/new/total",
        str(
            sum(
                r["cells"][f"T3/new/{c}"]["value"]
                for c in ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org")
            )
        ),
    )
    set_cell(r, "T3/new/natural_person", "1")
    set_cell(r, "T3/new/business", "2")
    slip = clean_report(key=51)
    set_cell(slip, "T3/new/total", str(int(slip["cells"]["T3/new/total"]["value"]) + 4))
    table, _ = run_checks(
        from_parsed([dict(r, report_id="split"), dict(slip, report_id="slip")], [_unit("a"), _unit("b")]),
        only={"t3_row_total"},
    )
    split = table[(table["report_id"] == "split") & (table["instance"] == "new")].iloc[0]
    assert split["status"] == "FAIL" and split["likely_cause"] == "reading_artefact"
    other = table[(table["report_id"] == "slip") & (table["instance"] == "new")].iloc[0]
    assert other["status"] == "FAIL" and other["likely_cause"] == "publisher_error"


def test_every_rule_belongs_to_one_summary_group():
    from pipeline.orchestration.check_assets import GROUPS

    families = [f for fams in GROUPS.values() for f in fams]
    assert len(families) == len(set(families))
    assert {r.family for r in rules()} <= set(families)


def test_chunked_checking_gives_the_same_findings(findings):
    import copy as _copy

    names = list(CASES)
    results = [_copy.deepcopy(CASES[n][0]) for n in names]
    for i, r in enumerate(results):
        r["report_id"] = names[i]
    units = [CASES[n][1] for n in names]
    small, _ = run_checks(from_parsed(results, units), chunk_size=3)
    key = ["report_id", "rule_id", "instance"]
    a = findings.sort_values(key).reset_index(drop=True)[key + ["status"]]
    b = small.sort_values(key).reset_index(drop=True)[key + ["status"]]
    assert a.equals(b)


# ----------------------------------------------------------------------------------------------
# The checking loop and the warm Great Expectations worker (pipeline/checks/gxworker.py)


def _all_cases():
    if not CASES:
        _build()
    names = list(CASES)
    results = [copy.deepcopy(CASES[n][0]) for n in names]
    for i, r in enumerate(results):
        r["report_id"] = names[i]
    return from_parsed(results, [CASES[n][1] for n in names])


def _bounded(fn, seconds: float = 240):
    """fn() in a thread, failing the test instead of hanging when it does not return."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as ex:
        return ex.submit(fn).result(timeout=seconds)


@pytest.fixture
def worker():
    from pipeline.checks import gxworker

    gxworker.stop()
    yield gxworker
    gxworker.stop()


def test_the_warm_worker_gives_the_same_findings(findings, worker, monkeypatch):
    monkeypatch.delenv("NIANBAO_NO_GX_WORKER", raising=False)
    worker.start()
    assert worker.running()
    table, _ = _bounded(lambda: run_checks(_all_cases(), chunk_size=5))
    key = ["report_id", "rule_id", "instance"]
    cols = key + ["status", "message_zh", "other_report_id"]
    a = findings.sort_values(key).reset_index(drop=True)[cols].astype(object)
    b = table.sort_values(key).reset_index(drop=True)[cols].astype(object)
    assert a.where(a.notna(), None).equals(b.where(b.notna(), None))


def test_a_rule_that_raises_names_its_chunk(monkeypatch):
    from pipeline.checks import evaluate
    from pipeline.checks.findings import CheckError

    def broken(*_a, **_k):
        raise ZeroDivisionError("a broken rule")

    monkeypatch.setattr(evaluate, "fam_fees", broken)
    with pytest.raises(
        CheckError, match=r"checking chunk 1 of \d+: units .* reports: ZeroDivisionError: a broken rule"
    ):
        run_checks(_all_cases(), chunk_size=4)


def test_an_error_in_the_worker_names_its_chunk(worker, monkeypatch):
    from pipeline.checks import suites
    from pipeline.checks.findings import CheckError

    def broken(frame, data_docs=None):
        raise ValueError("GX could not validate")

    monkeypatch.delenv("NIANBAO_NO_GX_WORKER", raising=False)
    monkeypatch.setattr(suites, "validate_here", broken)  # before the worker forks: it inherits it
    worker.start()
    with pytest.raises(CheckError, match=r"checking chunk 1 of \d+: units .*: ValueError: GX could not validate"):
        _bounded(lambda: run_checks(_all_cases(), chunk_size=4))


def test_a_worker_that_dies_names_its_chunk_and_never_hangs(worker, monkeypatch):
    import os
    import signal

    from pipeline.checks import suites
    from pipeline.checks.findings import CheckError

    def killed(frame, data_docs=None):
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would

    monkeypatch.delenv("NIANBAO_NO_GX_WORKER", raising=False)
    monkeypatch.setattr(suites, "validate_here", killed)
    worker.start()
    with pytest.raises(CheckError, match=r"checking chunk 1 of \d+: .*the Great Expectations worker died"):
        _bounded(lambda: run_checks(_all_cases(), chunk_size=4))
    assert not worker.running()  # a broken pool is not used again


def test_a_worker_never_handed_a_chunk_is_stopped_without_waiting_for_its_warm_up(worker, monkeypatch, tmp_path):
    # an empty or unchanged inbox checks nothing: the run must not wait for GX's import to end
    import os
    import time

    from pipeline.checks import suites

    warmed = tmp_path / "warmed"

    def slow_warm():
        time.sleep(5)
        warmed.write_text("GX imported")

    monkeypatch.delenv("NIANBAO_NO_GX_WORKER", raising=False)
    monkeypatch.setattr(suites, "warm", slow_warm)  # before the worker forks: it inherits it
    worker.start()
    for _ in range(3000):  # the worker says who it is first thing, then warms up
        if worker._pid.value:
            break
        time.sleep(0.01)
    pid = worker._pid.value
    assert pid
    _bounded(worker.stop, 60)
    assert not warmed.exists()  # stop() did not wait for the warm-up to end
    assert not os.path.exists(f"/proc/{pid}")  # the worker is gone, not left to finish it
