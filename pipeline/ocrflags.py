"""Numbers read by OCR that should not be trusted: the problem `ocr_uncertain`.

A value cell read by OCR is doubtful when its recognition confidence is below a threshold
(`NIANBAO_OCR_MIN_CONFIDENCE`, default 0.9), when it was read as text where a number belongs, or when
an arithmetic identity of the format (the rule catalogue's report-scope identities: Table 3 row
totals, column balances, Table 4 group totals) fails on cells read by OCR. For a failing identity,
the cells it shares with another failing identity are named (the misread cell is most likely where
a row and a column disagree); otherwise every OCR cell of the identity is. The checks then report
an arithmetic failure that involves a flagged cell as UNCERTAIN ("reading doubtful"), not FAIL.
"""

from __future__ import annotations

from .document import problem
from .textnorm import EMPTY, NUMERIC, TEXT, ZERO

CODE = "ocr_uncertain"


def min_confidence() -> float:
    from .settings import from_env

    return from_env().ocr_min_confidence


_ROW_PROBLEMS = ("rows_missing", "row_short", "row_ambiguous", "table_truncated")


def ocr_problems(cells: dict, extra: dict, mapped_problems: list[dict] | None = None) -> list[dict]:
    """The `ocr_uncertain` problems of a parsed report (none when no cell was read by OCR)."""
    allc = {**cells, **extra}
    ocr = {cid for cid, c in allc.items() if c.get("read_by") == "ocr"}
    if not ocr:
        return []
    out: list[dict] = []
    # rows the mapper could not place in a scan: most likely a row label OCR misread
    for p in mapped_problems or []:
        if p["code"] in _ROW_PROBLEMS and p.get("cells"):
            out.append(
                problem(
                    CODE,
                    "warning",
                    f"cells left unread in a scan ({p['code']}): a row label may have been misread by "
                    f"OCR; check the page",
                    list(p["cells"]),
                )
            )
    floor = min_confidence()
    low = []
    for cid in sorted(ocr):
        c = allc[cid]
        if c["semantic"] in (NUMERIC, ZERO) and (c.get("confidence") or 0) < floor:
            low.append(cid)
            out.append(
                problem(
                    CODE,
                    "warning",
                    f"{cid} was read by OCR as '{c['raw']}' with confidence {c['confidence']:.2f} "
                    f"(below {floor:.2f}): reading doubtful, check it against the page ({c['at']})",
                    [cid],
                )
            )
        elif c["semantic"] == EMPTY and (c.get("confidence") or 0) < floor:
            out.append(
                problem(
                    CODE,
                    "warning",
                    f"{cid} has ink that OCR could not read (confidence {c['confidence']:.2f}); it is "
                    f"left blank: reading doubtful, check it against the page ({c['at']})",
                    [cid],
                )
            )
        elif c["semantic"] == TEXT:
            out.append(
                problem(
                    CODE,
                    "warning",
                    f"{cid} was read by OCR as '{c['raw']}', not a number: reading doubtful, check it "
                    f"against the page ({c['at']})",
                    [cid],
                )
            )
    failing = _failing_identities(allc)
    counted: dict[str, int] = {}
    for _, ids in failing:
        for cid in ids:
            counted[cid] = counted.get(cid, 0) + 1
    for label, ids in failing:
        in_ocr = [cid for cid in ids if cid in ocr]
        if not in_ocr:
            continue
        shared = [cid for cid in in_ocr if counted[cid] > 1]
        named = shared or in_ocr
        out.append(
            problem(
                CODE,
                "warning",
                f"{label} does not add up on cells read by OCR: reading doubtful for " + ", ".join(named),
                named,
            )
        )
    return out


def _failing_identities(allc: dict) -> list[tuple[str, list[str]]]:
    from .checks.catalogue import rules

    out = []
    for rule in rules():
        if rule.family != "identity" or rule.scope != "report":
            continue
        for inst in rule.instances:
            lhs = [c for c in inst.lhs if not c.startswith("prev:")]
            if rule.for_each == "t3_row_with_subtotal":
                lhs = [f"T3/{inst.name}/org_subtotal"]
            ops = lhs + list(inst.rhs)
            vals = []
            for c in ops:
                cell = allc.get(c.lstrip("-"))
                if cell is None or cell["semantic"] not in (NUMERIC, ZERO):
                    break
                vals.append(-cell["value"] if c.startswith("-") else cell["value"])
            else:
                diff = sum(vals[: len(lhs)]) - sum(vals[len(lhs) :])
                lo = rule.min if rule.min is not None else float("-inf")
                hi = rule.max if rule.max is not None else float("inf")
                if not (lo - 1e-6 <= diff <= hi + 1e-6):
                    out.append((f"{rule.id} ({inst.name})", [c.lstrip("-") for c in ops]))
    return out
