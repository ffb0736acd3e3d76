"""The rule catalogue (expectations/rules.toml), loaded and expanded into rule instances."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..codebook import labels, section_titles, t3_column_codes, t3_row_codes, t4_group_codes, t4_supergroup_label
from ..structure import SECTION_ORDER

CATALOGUE = Path(__file__).resolve().parents[2] / "expectations" / "rules.toml"
CODEBOOK = Path(__file__).resolve().parents[1] / "codebook.toml"  # the instances' labels come from it


@dataclass(frozen=True)
class Instance:
    name: str  # "-" for a rule with one instance
    lhs: tuple[str, ...] = ()
    rhs: tuple[str, ...] = ()
    label_zh: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    scope: str
    severity: str
    title_zh: str
    explain_zh: str
    explain_en: str
    basis: str
    min: float | None
    max: float | None
    for_each: str | None
    needs_previous: bool
    raw: dict = field(repr=False, hash=False, compare=False)
    instances: tuple[Instance, ...] = ()


# the instances' labels: the codebook's short labels (pipeline/codebook.toml)
_COL_ZH = labels("T3", "columns", "short")
_ROW_ZH = labels("T3", "rows", "short")
_GROUP_ZH = labels("T4", "groups", "short")
_SECTION_ZH = section_titles("short")
_STATEMENT_ZH = {
    "received": "收到申请数",
    "answered": "答复（办结）数",
    "carried_over": "上年结转数",
    "carried_forward": "结转下年度数",
    "reviews": "行政复议数",
    "suits": "行政诉讼数",
}
_FIGURE_ZH = {
    "applications_new": "新收申请",
    "applications_processed": "办理总计",
    "reviews": labels("T4", "groups")["review"],
    "suits": t4_supergroup_label(),
    "licensing": labels("T2", "rows")["licensing"],
    "penalties": labels("T2", "rows")["penalties"],
}
_T2_ZH = labels("T2", "rows")
_TABLE_ZH = {"T2": "表二", "T3": "表三", "T4": "表四"}


def _fill(templates: list[str], **kw) -> tuple[str, ...]:
    return tuple(t.format(**kw) for t in templates)


def _expand(r: dict, inst: dict) -> tuple[Instance, ...]:
    fe = r.get("for_each")
    lhs, rhs = r.get("lhs", []), r.get("rhs", [])
    if fe is None:
        return (Instance("-", tuple(r.get("cells", lhs)), tuple(rhs), ""),)
    if fe == "t3_column":
        return tuple(Instance(c, _fill(lhs, col=c), _fill(rhs, col=c), f"“{_COL_ZH[c]}”列") for c in t3_column_codes())
    if fe in ("t3_row", "t3_row_with_subtotal"):
        return tuple(
            Instance(row, _fill(lhs, row=row), _fill(rhs, row=row), f"“{_ROW_ZH[row]}”行") for row in t3_row_codes()
        )
    if fe == "t4_group":
        return tuple(Instance(g, _fill(lhs, group=g), _fill(rhs, group=g), _GROUP_ZH[g]) for g in t4_group_codes())
    if fe == "t2_row_doc":
        return tuple(Instance(row, _fill(lhs, row=row), _fill(rhs, row=row), _T2_ZH[row]) for row in inst["t2_row_doc"])
    if fe == "section":
        return tuple(Instance(s, (), (), _SECTION_ZH[s]) for s in SECTION_ORDER)
    if fe == "table":
        return tuple(Instance(t, (), (), _TABLE_ZH[t]) for t in ("T2", "T3", "T4"))
    if fe == "count_table":
        return tuple(Instance(t, (), (), _TABLE_ZH[t]) for t in inst["count_table"])
    if fe == "statement":
        return tuple(Instance(k, (), tuple(v), _STATEMENT_ZH[k]) for k, v in inst["statement"].items())
    if fe == "key_figure":
        return tuple(
            Instance(k, tuple(v), tuple("prev:" + c for c in v), _FIGURE_ZH[k]) for k, v in inst["key_figure"].items()
        )
    raise ValueError(f"rule {r['id']}: unknown for_each {fe!r}")


@lru_cache(maxsize=4)
def load(path: str | None = None) -> tuple[tuple[Rule, ...], dict]:
    p = Path(path) if path else CATALOGUE
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    inst = data.get("instances", {})
    rules = []
    seen = set()
    for r in data["rule"]:
        if r["id"] in seen:
            raise ValueError(f"rule {r['id']} is declared twice in {p}")
        seen.add(r["id"])
        rules.append(
            Rule(
                id=r["id"],
                family=r["family"],
                scope=r["scope"],
                severity=r["severity"],
                title_zh=r["title_zh"],
                explain_zh=r["explain_zh"],
                explain_en=r["explain_en"],
                basis=r["basis"],
                min=r.get("min"),
                max=r.get("max"),
                for_each=r.get("for_each"),
                needs_previous=bool(r.get("needs_previous", False)),
                raw=r,
                instances=_expand(r, inst),
            )
        )
    return tuple(rules), inst


def rules() -> tuple[Rule, ...]:
    return load()[0]


def instances_config() -> dict:
    return load()[1]


_BY_ID: tuple = ((), {})  # (the rules it was made from, rule id -> the first rule with that id)


def rule(rule_id: str) -> Rule:
    global _BY_ID
    rs = rules()
    if _BY_ID[0] is not rs:  # a dict per catalogue loaded (a message per finding looks its rule up)
        by_id: dict[str, Rule] = {}
        for r in rs:
            by_id.setdefault(r.id, r)
        _BY_ID = (rs, by_id)
    try:
        return _BY_ID[1][rule_id]
    except KeyError:
        raise KeyError(rule_id) from None
