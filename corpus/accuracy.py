"""How well the warehouse matches the truth of a generated corpus.

``python -m corpus.accuracy --truth FILE --db WAREHOUSE.duckdb [--json [OUT]]`` compares a
warehouse built by ``nianbao run`` on a generated inbox with the corpus's ``truth.jsonl``:

(a) cells: every cell of every report that should be read (semantic and value), with the list of
    wrong cells;
(b) identity: the unit and the year each report was filed under (and the agency read as written,
    the publication date and the statistical period, for information);
(c) defects found: recall per defect kind; a defect is found when the report has a finding of an
    acceptable rule with the expected status (table ``findings``) or a reader problem of an acceptable
    code (table ``problems``) that concerns at least one of the defect's cells (or either side names
    no cell). The acceptable rule ids and problem codes are in :data:`DETECTION` below;
(d) false alarms: the share of defect-free reports with any FAIL finding or any error problem;
(e) the manifest status of every file, bad files in particular, against the expected one.

Prints readable tables; ``--json`` prints the JSON instead, ``--json FILE`` writes it to FILE as well
as printing the tables. Recall is computed from what the warehouse holds: while the findings table
is empty, every finding-based kind has recall 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

T_RULES = ("t3_balance", "t3_outcomes_sum", "t3_row_total", "t4_group_total")

# defect kind -> how it may be found: rule ids with the status they must have (None: any status
# other than PASS), reader problem codes. None: no finding expected (counted through cells/agency).
DETECTION: dict[str, dict | None] = {
    "arithmetic_slip": {"rules": T_RULES, "status": ("FAIL",), "problems": ()},
    "split_digit": {"rules": T_RULES, "status": ("FAIL",), "problems": (), "likely_cause": "reading_artefact"},
    "blank_cells": {"rules": T_RULES, "status": ("UNCERTAIN",), "problems": ()},
    "na_cells": {"rules": T_RULES, "status": ("UNCERTAIN",), "problems": ()},
    "truncated_table": {"rules": ("structure_tables",), "status": None, "problems": ("table_truncated",)},
    "malformed_t4": {"rules": ("structure_tables",), "status": None, "problems": ("table_malformed",)},
    "format_2019": {"rules": ("structure_format",), "status": None, "problems": ("format_2019_late",)},
    "missing_section": {"rules": ("structure_sections",), "status": None, "problems": ("section_absent",)},
    "wrong_period_year": {"rules": ("identity_period",), "status": ("FAIL",), "problems": ()},
    "late_publication": {"rules": ("timeliness",), "status": ("FAIL",), "problems": ()},
    "copied_narrative": {"rules": ("copy_previous_year",), "status": ("FAIL",), "problems": ()},
    "rules_nonzero": {"rules": ("rules_capacity",), "status": ("FAIL",), "problems": ()},
    "carryover_break": {"rules": ("carryover",), "status": ("FAIL",), "problems": ()},
    "fees_unmentioned": {"rules": ("fees_mentioned",), "status": ("FAIL",), "problems": ()},
    "spam_lines": None,
    "traditional": None,
}
READ_STATUSES = ("read", "superseded")  # files whose cells the warehouse should hold


def load_truth(path: str | Path) -> list[dict]:
    """truth.jsonl or truth.jsonl.gz."""
    from .generate import open_truth

    with open_truth(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _same(got: tuple, want: dict) -> bool:
    sem, val = got
    if sem != want["semantic"]:
        return False
    if want["value"] is None or val is None:
        return want["value"] is None and val is None
    return abs(float(val) - float(want["value"])) < 1e-9


def _table_exists(con, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0]
    )


def evaluate(truth: list[dict], db: str | Path, max_listed: int = 200) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        manifest = {
            r[0]: {"status": r[1], "reason": r[2], "report_id": r[3], "unit_id": r[4], "year": r[5]}
            for r in con.execute("SELECT path, status, reason, report_id, unit_id, year FROM manifest").fetchall()
        }
        reports = {
            r[0]: {
                "unit_id": r[1],
                "year": r[2],
                "agency": r[3],
                "published_on": r[4],
                "period_start": r[5],
                "period_end": r[6],
                "status": r[7],
                "active": r[8],
            }
            for r in con.execute(
                "SELECT report_id, unit_id, year, agency, CAST(published_on AS VARCHAR), "
                "CAST(period_start AS VARCHAR), CAST(period_end AS VARCHAR), status, active "
                "FROM reports"
            ).fetchall()
        }
        cells: dict[str, dict[str, tuple]] = defaultdict(dict)
        for rid, cid, sem, val in con.execute("SELECT report_id, cell_id, semantic, value FROM cells").fetchall():
            cells[rid][cid] = (sem, val)
        findings: dict[str, list[dict]] = defaultdict(list)
        n_findings = 0
        if _table_exists(con, "findings"):
            cols = [c[0] for c in con.execute("SELECT * FROM findings LIMIT 0").description]
            lc = "likely_cause" if "likely_cause" in cols else "NULL"
            sv = "severity" if "severity" in cols else "NULL"
            for rid, rule, inst, status, lhs, rhs, cause, sev in con.execute(
                f"SELECT report_id, rule_id, instance, status, lhs_cells, rhs_cells, {lc}, {sv} FROM findings"
            ).fetchall():
                findings[rid].append(
                    {
                        "rule": rule,
                        "instance": inst,
                        "status": status,
                        "severity": sev,
                        "cells": set(lhs or []) | set(rhs or []),
                        "likely_cause": cause,
                    }
                )
                n_findings += 1
        problems: dict[str, list[dict]] = defaultdict(list)
        for rid, code, sev, pc in con.execute("SELECT report_id, code, severity, cells FROM problems").fetchall():
            problems[rid].append({"code": code, "severity": sev, "cells": set(pc or [])})
    finally:
        con.close()

    out: dict = {"db": str(db), "files": len(truth), "findings_rows": n_findings}

    # (a) cells --------------------------------------------------------------------------------
    n_cells = n_ok = 0
    wrong: list[dict] = []
    not_read: list[str] = []
    by_form: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_defect: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_sem: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    read_entries = [t for t in truth if t["expected_status"] in READ_STATUSES and t.get("cells")]
    for t in read_entries:
        m = manifest.get(t["path"])
        rid = m["report_id"] if m else None
        got_cells = cells.get(rid) if rid else None
        form = _form(t)
        if not got_cells:
            not_read.append(t["path"])
        for cid, want in t["cells"].items():
            got = got_cells.get(cid) if got_cells else None
            ok = got is not None and _same(got, want)
            n_cells += 1
            n_ok += ok
            by_form[form][0] += 1
            by_form[form][1] += ok
            by_sem[want["semantic"]][0] += 1
            by_sem[want["semantic"]][1] += ok
            for d in {d["kind"] for d in t["defects"]}:
                by_defect[d][0] += 1
                by_defect[d][1] += ok
            if not ok and got_cells:
                wrong.append(
                    {
                        "path": t["path"],
                        "cell": cid,
                        "got": {"semantic": got[0], "value": got[1]} if got else None,
                        "want": want,
                        "form": form,
                    }
                )
    out["cells"] = {
        "reports": len(read_entries),
        "not_read": not_read,
        "cells": n_cells,
        "correct": n_ok,
        "accuracy": _ratio(n_ok, n_cells),
        "accuracy_of_read_reports": _ratio(n_ok, n_cells - 200 * len(not_read))
        if n_cells > 200 * len(not_read)
        else None,
        "by_form": {
            k: {"cells": v[0], "correct": v[1], "accuracy": _ratio(v[1], v[0])} for k, v in sorted(by_form.items())
        },
        "by_semantic": {
            k: {"cells": v[0], "correct": v[1], "accuracy": _ratio(v[1], v[0])} for k, v in sorted(by_sem.items())
        },
        "by_defect": {
            k: {"cells": v[0], "correct": v[1], "accuracy": _ratio(v[1], v[0])} for k, v in sorted(by_defect.items())
        },
        "wrong_count": len(wrong),
        "wrong": wrong[:max_listed] if max_listed else wrong,
    }

    # (b) unit, year, agency, dates ------------------------------------------------------------
    ident = Counter()
    ident_wrong: list[dict] = []
    id_by_form: dict[str, Counter] = defaultdict(Counter)
    for t in [t for t in truth if t["expected_status"] == "read" and t.get("unit_id")]:
        m = manifest.get(t["path"]) or {}
        rep = reports.get(m.get("report_id")) or {}
        form = _form(t)
        unit_ok = rep.get("unit_id") == t["unit_id"]
        year_ok = rep.get("year") == t["year"]
        agency_ok = rep.get("agency") == t["agency"]
        ident["n"] += 1
        ident["unit"] += unit_ok
        ident["year"] += year_ok
        ident["agency"] += agency_ok
        id_by_form[form]["n"] += 1
        id_by_form[form]["unit"] += unit_ok
        id_by_form[form]["year"] += year_ok
        id_by_form[form]["agency"] += agency_ok
        if t.get("published_shown") == "meta":
            ident["published_n"] += 1
            ident["published"] += rep.get("published_on") == t["published_on"]
        if t.get("period"):
            ident["period_n"] += 1
            ident["period"] += (rep.get("period_start"), rep.get("period_end")) == (
                t["period"]["start"],
                t["period"]["end"],
            )
        if not (unit_ok and year_ok):
            ident_wrong.append(
                {
                    "path": t["path"],
                    "form": form,
                    "want_unit": t["unit_id"],
                    "got_unit": rep.get("unit_id"),
                    "want_year": t["year"],
                    "got_year": rep.get("year"),
                    "agency_read": rep.get("agency"),
                    "status": m.get("status"),
                    "reason": m.get("reason"),
                }
            )
    out["identity"] = {
        "reports": ident["n"],
        "unit_correct": ident["unit"],
        "year_correct": ident["year"],
        "agency_exact": ident["agency"],
        "unit_accuracy": _ratio(ident["unit"], ident["n"]),
        "year_accuracy": _ratio(ident["year"], ident["n"]),
        "agency_accuracy": _ratio(ident["agency"], ident["n"]),
        "published_on_accuracy": _ratio(ident["published"], ident["published_n"]),
        "period_accuracy": _ratio(ident["period"], ident["period_n"]),
        "by_form": {
            k: {
                "reports": c["n"],
                "unit": _ratio(c["unit"], c["n"]),
                "year": _ratio(c["year"], c["n"]),
                "agency": _ratio(c["agency"], c["n"]),
            }
            for k, c in sorted(id_by_form.items())
        },
        "wrong": ident_wrong[:max_listed] if max_listed else ident_wrong,
    }

    # (c) defects found ------------------------------------------------------------------------
    rec: dict[str, Counter] = defaultdict(Counter)
    missed: dict[str, list[str]] = defaultdict(list)
    for t in truth:
        if t["expected_status"] != "read" or not t["defects"]:
            continue
        rid = (manifest.get(t["path"]) or {}).get("report_id")
        for d in t["defects"]:
            k = d["kind"]
            rec[k]["n"] += 1
            how = DETECTION.get(k)
            if how is None:
                continue
            hit, cause = _found(d, how, findings.get(rid, []), problems.get(rid, []))
            rec[k]["found"] += hit
            if how.get("likely_cause"):
                rec[k]["cause"] += cause
            if not hit:
                missed[k].append(t["path"])
    out["defects"] = {}
    for k in DETECTION:
        c = rec.get(k, Counter())
        how = DETECTION[k]
        entry = {
            "n": c["n"],
            "found": c["found"] if how else None,
            "recall": (_ratio(c["found"], c["n"]) if how else None),
            "by": (
                "rules "
                + ", ".join(how["rules"])
                + (" / problems " + ", ".join(how["problems"]) if how["problems"] else "")
            )
            if how
            else "no finding needed (cells and agency)",
            "missed": missed.get(k, [])[:max_listed],
        }
        if how and how.get("likely_cause"):
            entry[f"likely_cause_{how['likely_cause']}"] = c["cause"]
        if not how:
            entry["cell_accuracy"] = out["cells"]["by_defect"].get(k, {}).get("accuracy")
        out["defects"][k] = entry

    # (d) false alarms -------------------------------------------------------------------------
    clean = [t for t in truth if t["expected_status"] == "read" and not t["defects"] and t.get("cells")]
    alarms = []
    fired = Counter()
    serious = 0
    for t in clean:
        rid = (manifest.get(t["path"]) or {}).get("report_id")
        fl = [f for f in findings.get(rid, []) if f["status"] == "FAIL"]
        fs = [f["rule"] for f in fl]
        ps = [p["code"] for p in problems.get(rid, []) if p["severity"] == "error"]
        if fs or ps:
            alarms.append(
                {
                    "path": t["path"],
                    "rules": sorted(set(fs)),
                    "problems": sorted(set(ps)),
                    "findings": [f"{f['rule']}[{f['instance']}] ({f['severity']})" for f in fl],
                }
            )
            fired.update(set(fs) | set(ps))
            serious += bool(ps or any(f["severity"] != "info" for f in fl))
    out["false_alarms"] = {
        "defect_free_reports": len(clean),
        "with_alarm": len(alarms),
        "share": _ratio(len(alarms), len(clean)),
        "by_rule": dict(fired.most_common()),
        "with_alarm_above_info": serious,
        "share_above_info": _ratio(serious, len(clean)),
        "examples": alarms[:max_listed],
    }

    # (e) manifest statuses --------------------------------------------------------------------
    conf: dict[str, Counter] = defaultdict(Counter)
    bad_rows, mism = [], []
    for t in truth:
        m = manifest.get(t["path"])
        got = m["status"] if m else "absent"
        conf[t["expected_status"]][got] += 1
        row = {
            "path": t["path"],
            "bad": t.get("bad"),
            "expected": t["expected_status"],
            "got": got,
            "reason_kind": t.get("reason_kind"),
            "reason": (m or {}).get("reason"),
        }
        if t.get("bad"):
            bad_rows.append(row)
        if got != t["expected_status"]:
            mism.append(row)
    out["manifest"] = {
        "confusion": {k: dict(v) for k, v in sorted(conf.items())},
        "status_accuracy": _ratio(sum(conf[k][k] for k in conf), len(truth)),
        "bad_files": bad_rows,
        "mismatches": mism[:max_listed] if max_listed else mism,
    }
    return out


def _form(t: dict) -> str:
    o = t.get("options") or {}
    if t["kind"] == "text":
        return f"text/{o.get('layout', 'real' if 'source' in o else '?')}"
    if t["kind"] == "html":
        return f"html/{o.get('encoding', 'utf-8')}"
    return t["kind"] or "other"


def _ratio(a, b):
    return round(a / b, 4) if b else None


def _found(d: dict, how: dict, fs: list[dict], ps: list[dict]) -> tuple[bool, bool]:
    cells = set(d.get("cells") or [])

    def touches(other: set) -> bool:
        return not cells or not other or bool(cells & other)

    hit = cause = False
    for f in fs:
        if (
            f["rule"] in how["rules"]
            and (
                how["status"] is None
                and f["status"] != "PASS"
                or how["status"] is not None
                and f["status"] in how["status"]
            )
            and touches(f["cells"])
        ):
            hit = True
            if how.get("likely_cause") and f.get("likely_cause") == how["likely_cause"]:
                cause = True
    for p in ps:
        if p["code"] in how["problems"] and touches(p["cells"]):
            hit = True
    return hit, cause


# ------------------------------------------------------------------------------------------------


def format_report(r: dict) -> str:
    L: list[str] = []
    c = r["cells"]
    L.append(f"Warehouse {r['db']}: {r['files']} files in the truth; {r['findings_rows']} rows in findings")
    L.append("")
    L.append(
        f"(a) Cells read exactly: {c['correct']}/{c['cells']} = {_pct(c['accuracy'])} over {c['reports']} reports"
        + (
            f" ({len(c['not_read'])} reports not read at all; of the read ones {_pct(c['accuracy_of_read_reports'])})"
            if c["not_read"]
            else ""
        )
    )
    L.append(f"    {'form':<16}{'cells':>9}{'correct':>9}{'accuracy':>10}")
    for k, v in c["by_form"].items():
        L.append(f"    {k:<16}{v['cells']:>9}{v['correct']:>9}{_pct(v['accuracy']):>10}")
    L.append("    by semantic: " + ", ".join(f"{k} {_pct(v['accuracy'])}" for k, v in c["by_semantic"].items()))
    if c["wrong"]:
        L.append(f"    wrong cells ({c['wrong_count']}, first {min(20, len(c['wrong']))}):")
        for w in c["wrong"][:20]:
            got = f"{w['got']['semantic']} {w['got']['value']}" if w["got"] else "absent"
            L.append(f"      {w['path']}  {w['cell']}: got {got}, want {w['want']['semantic']} {w['want']['value']}")
    for p in c["not_read"][:10]:
        L.append(f"    not read: {p}")
    i = r["identity"]
    L.append("")
    L.append(
        f"(b) Unit right {i['unit_correct']}/{i['reports']} = {_pct(i['unit_accuracy'])}; year right "
        f"{_pct(i['year_accuracy'])}; agency as written {_pct(i['agency_accuracy'])}; publication date "
        f"{_pct(i['published_on_accuracy'])} (where shown in a meta line); period {_pct(i['period_accuracy'])}"
    )
    L.append(f"    {'form':<16}{'reports':>8}{'unit':>8}{'year':>8}{'agency':>8}")
    for k, v in i["by_form"].items():
        L.append(f"    {k:<16}{v['reports']:>8}{_pct(v['unit']):>8}{_pct(v['year']):>8}{_pct(v['agency']):>8}")
    for w in i["wrong"][:10]:
        L.append(
            f"    {w['path']}: unit {w['got_unit']} (want {w['want_unit']}), year {w['got_year']} "
            f"(want {w['want_year']}), {w['status']}: {(w['reason'] or '')[:90]}"
        )
    L.append("")
    L.append("(c) Defects found")
    L.append(f"    {'defect':<20}{'n':>5}{'found':>7}{'recall':>9}  by")
    for k, v in r["defects"].items():
        if v["recall"] is None:
            L.append(f"    {k:<20}{v['n']:>5}{'-':>7}{'-':>9}  {v['by']}; cell accuracy {_pct(v.get('cell_accuracy'))}")
        else:
            extra = "".join(f"; {kk} {vv}" for kk, vv in v.items() if kk.startswith("likely_cause"))
            L.append(f"    {k:<20}{v['n']:>5}{v['found']:>7}{_pct(v['recall']):>9}  {v['by']}{extra}")
    if not r["findings_rows"]:
        L.append("    (the findings table is empty: finding-based kinds have recall 0 until the checks run)")
    f = r["false_alarms"]
    L.append("")
    L.append(
        f"(d) False alarms: {f['with_alarm']}/{f['defect_free_reports']} defect-free reports = {_pct(f['share'])}"
        + (f"; by rule/problem: {f['by_rule']}" if f["by_rule"] else "")
    )
    L.append(
        f"    not counting findings of severity info: {f['with_alarm_above_info']} = {_pct(f['share_above_info'])}"
    )
    for a in f["examples"][:10]:
        L.append(f"    {a['path']}: {', '.join(a['findings'] + a['problems'])}")
    m = r["manifest"]
    L.append("")
    L.append(f"(e) Manifest status as expected for {_pct(m['status_accuracy'])} of the files")
    for exp, got in m["confusion"].items():
        L.append(f"    expected {exp:<10} -> " + ", ".join(f"{k} {n}" for k, n in sorted(got.items())))
    L.append(f"    {'bad file':<14}{'expected':<11}{'got':<11}path / reason")
    for b in m["bad_files"]:
        flag = "" if b["expected"] == b["got"] else "  <-- differs"
        L.append(f"    {b['bad']:<14}{b['expected']:<11}{b['got']:<11}{b['path']}{flag}")
        if b["reason"]:
            L.append(f"    {'':<36}{b['reason'][:100]}")
    others = [x for x in m["mismatches"] if not x["bad"]]
    for x in others[:10]:
        L.append(f"    {x['path']}: expected {x['expected']}, got {x['got']}: {(x['reason'] or '')[:90]}")
    return "\n".join(L)


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus.accuracy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True, help="truth.jsonl of the generated corpus")
    ap.add_argument("--db", required=True, help="the warehouse (nianbao.duckdb) built from its inbox")
    ap.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="print JSON instead of tables; with FILE, write the JSON there and print the tables",
    )
    ap.add_argument("--max-listed", type=int, default=200, help="cap on listed items per section (0: all)")
    args = ap.parse_args(argv)
    result = evaluate(load_truth(args.truth), args.db, max_listed=args.max_listed)
    if args.json == "-":
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
