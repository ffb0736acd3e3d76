"""The codebook as data: loaded from `codebook.toml`, exposed as plain Python structures.

Cell ids (FORMAT.md): ``T2/<row>/<column>``, ``T3/<row>/<column>``, ``T4/<group>.<column>``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .textnorm import norm_label


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    patterns: tuple[re.Pattern, ...]
    group: str | None = None
    columns: tuple[str, ...] = ()
    context: str | None = None
    optional: bool = False

    def matches(self, normalised: str) -> bool:
        return any(p.search(normalised) for p in self.patterns)


def _entries(items: list[dict]) -> tuple[Entry, ...]:
    out = []
    for it in items:
        out.append(
            Entry(
                code=it.get("code") or it["key"],
                label=it.get("label") or it.get("heading") or it.get("code") or it["key"],
                patterns=tuple(re.compile(p) for p in it.get("match", [])),
                group=it.get("group"),
                columns=tuple(it.get("columns", ())),
                context=it.get("context"),
                optional=bool(it.get("optional", False)),
            )
        )
    return tuple(out)


def _first(entries: tuple[Entry, ...], text: str, normalised: bool = False) -> Entry | None:
    t = text if normalised else norm_label(text)
    if not t:
        return None
    for e in entries:
        if e.matches(t):
            return e
    return None


_UNSET = object()


@dataclass(frozen=True)
class Codebook:
    raw: dict
    sections: tuple[Entry, ...]
    section_ordinals: dict[str, str]
    t2_rows: tuple[Entry, ...]
    t2_columns: tuple[Entry, ...]
    t2_headers: tuple[re.Pattern, ...]
    t3_rows: tuple[Entry, ...]
    t3_columns: tuple[Entry, ...]
    t3_row_groups: tuple[Entry, ...]
    t3_org_group: tuple[re.Pattern, ...]
    t3_headers: tuple[re.Pattern, ...]
    t4_groups: tuple[Entry, ...]
    t4_columns: tuple[Entry, ...]
    t4_supergroup: tuple[re.Pattern, ...]
    t2v2019_rows: tuple[Entry, ...]
    t2v2019_columns: tuple[Entry, ...]
    markers_2019: tuple[str, ...]
    markers_2021: tuple[str, ...]
    cell_ids: tuple[str, ...] = field(default=())
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    # -- lookups (memoised: the same labels recur in every report) -------------------------
    def _lookup(self, name: str, text: str) -> Entry | None:
        key = (name, text)
        hit = self._memo.get(key, _UNSET)
        if hit is _UNSET:
            hit = _first(getattr(self, name), text)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    def t2_row(self, text: str) -> Entry | None:
        return self._lookup("t2_rows", text)

    def t2_column(self, text: str) -> Entry | None:
        return self._lookup("t2_columns", text)

    def t2v2019_row(self, text: str) -> Entry | None:
        return self._lookup("t2v2019_rows", text)

    def t2v2019_column(self, text: str) -> Entry | None:
        return self._lookup("t2v2019_columns", text)

    def t3_row(self, text: str, context: set[str] | None = None) -> Entry | None:
        ctx = frozenset(context or ())
        key = ("t3_rows", text, ctx)
        hit = self._memo.get(key, _UNSET)
        if hit is not _UNSET:
            return hit
        t = norm_label(text)
        hit = None
        if t:
            for e in self.t3_rows:
                if e.context and e.context not in ctx:
                    continue
                if e.matches(t):
                    hit = e
                    break
        if len(self._memo) < 200_000:
            self._memo[key] = hit
        return hit

    def t3_row_fuzzy(self, text: str, candidates: tuple[str, ...]) -> Entry | None:
        """The row among `candidates` (codes) whose official label `text` is, but for a typo: one to
        three characters missing, added or changed ("其他法律行政止公开"). Accepted only when the
        match is close and no other candidate comes near."""
        key = ("t3_fuzzy", text, candidates)
        hit = self._memo.get(key, _UNSET)
        if hit is not _UNSET:
            return hit
        hit = _fuzzy(norm_label(text), [e for e in self.t3_rows if e.code in candidates])
        if len(self._memo) < 200_000:
            self._memo[key] = hit
        return hit

    def t2_row_fuzzy(self, text: str, candidates: tuple[str, ...]) -> Entry | None:
        """A Table 2 row label with a typo ("行政规范性文", "行政事业性收"), as `t3_row_fuzzy`."""
        key = ("t2_fuzzy", text, candidates)
        hit = self._memo.get(key, _UNSET)
        if hit is not _UNSET:
            return hit
        hit = _fuzzy(norm_label(text), [e for e in self.t2_rows if e.code in candidates])
        if len(self._memo) < 200_000:
            self._memo[key] = hit
        return hit

    def t3_row_group(self, text: str) -> Entry | None:
        return self._lookup("t3_row_groups", text)

    def t3_column(self, text: str) -> Entry | None:
        return self._lookup("t3_columns", text)

    def is_t3_org_group(self, text: str) -> bool:
        t = norm_label(text)
        return bool(t) and any(p.search(t) for p in self.t3_org_group)

    def is_t3_header_note(self, text: str) -> bool:
        t = norm_label(text)
        return bool(t) and any(p.search(t) for p in self.t3_headers)

    def is_t2_header(self, text: str) -> bool:
        t = norm_label(text)
        return bool(t) and any(p.search(t) for p in self.t2_headers)

    def t4_group(self, text: str) -> Entry | None:
        return self._lookup("t4_groups", text)

    def t4_column(self, text: str) -> Entry | None:
        return self._lookup("t4_columns", text)

    def is_t4_supergroup(self, text: str) -> bool:
        t = norm_label(text)
        return bool(t) and any(p.search(t) for p in self.t4_supergroup)

    def section(self, text: str) -> Entry | None:
        return self._lookup("sections", text)


def _official(label: str) -> str:
    """The label of a row without the caption of its group ("（三）不予公开 1.属于国家秘密" -> "属于国家秘密")."""
    label = label.split(" ")[-1]
    label = re.sub(r"^三、本年度办理结果", "", label)
    return norm_label(label)


def _fuzzy(t: str, entries: list[Entry]) -> Entry | None:
    from difflib import SequenceMatcher

    if len(t) < 4:
        return None
    scored = []
    for e in entries:
        ref = _official(e.label)
        if len(ref) < 4 or not (0.6 * len(ref) <= len(t) <= 1.5 * len(ref)):
            continue
        sm = SequenceMatcher(None, t, ref, autojunk=False)
        same = sum(b.size for b in sm.get_matching_blocks())
        # characters of the official label missing or changed, characters added
        missing, added = len(ref) - same, len(t) - same
        cost = max(missing, added)  # a changed character is one missing and one added
        limit = 1 if len(ref) <= 5 else 2 if len(ref) <= 8 else 3
        if cost > limit or same < 0.75 * len(ref):
            continue
        scored.append((cost, e))
    scored.sort(key=lambda x: x[0])
    if not scored or len(scored) > 1 and scored[1][0] - scored[0][0] < 2:
        return None
    return scored[0][1]


def _build(raw: dict) -> Codebook:
    t = raw["tables"]
    cb = Codebook(
        raw=raw,
        sections=_entries(raw["sections"]),
        section_ordinals={s["key"]: s["ordinal"] for s in raw["sections"]},
        t2_rows=_entries(t["T2"]["rows"]),
        t2_columns=_entries(t["T2"]["columns"]),
        t2_headers=tuple(re.compile(p) for p in t["T2"]["headers"]["match"]),
        t3_rows=_entries(t["T3"]["rows"]),
        t3_columns=_entries(t["T3"]["columns"]),
        t3_row_groups=_entries(t["T3"]["row_groups"]),
        t3_org_group=tuple(re.compile(p) for p in t["T3"]["groups"]["org"]["match"]),
        t3_headers=tuple(re.compile(p) for p in t["T3"]["headers"]["match"]),
        t4_groups=_entries(t["T4"]["groups"]),
        t4_columns=_entries(t["T4"]["columns"]),
        t4_supergroup=tuple(re.compile(p) for p in t["T4"]["supergroup"]["match"]),
        t2v2019_rows=_entries(t["T2v2019"]["rows"]),
        t2v2019_columns=_entries(t["T2v2019"]["columns"]),
        markers_2019=tuple(raw["format_markers"]["v2019"]),
        markers_2021=tuple(raw["format_markers"]["v2021"]),
    )
    ids: list[str] = []
    for r in cb.t2_rows:
        ids += [f"T2/{r.code}/{c}" for c in r.columns]
    t3_cols = [c.code for c in cb.t3_columns if not c.optional]
    for r in cb.t3_rows:
        ids += [f"T3/{r.code}/{c}" for c in t3_cols]
    for g in cb.t4_groups:
        ids += [f"T4/{g.code}.{c.code}" for c in cb.t4_columns]
    object.__setattr__(cb, "cell_ids", tuple(ids))
    return cb


@lru_cache(maxsize=1)
def codebook() -> Codebook:
    text = resources.files("pipeline").joinpath("codebook.toml").read_text(encoding="utf-8")
    return _build(tomllib.loads(text))


# Canonical orders, handy everywhere ------------------------------------------------------------

def cell_ids() -> tuple[str, ...]:
    """All 200 cell ids of the 2021 format, in the order of the official form."""
    return codebook().cell_ids


def t2_row_codes() -> list[str]:
    return [r.code for r in codebook().t2_rows]


def t3_row_codes() -> list[str]:
    return [r.code for r in codebook().t3_rows]


def t3_column_codes(with_optional: bool = False) -> list[str]:
    """The seven columns in the official order (natural_person .. other_org, total)."""
    cols = [c.code for c in codebook().t3_columns if with_optional or not c.optional]
    return cols


def t4_group_codes() -> list[str]:
    return [g.code for g in codebook().t4_groups]


def t4_column_codes() -> list[str]:
    return [c.code for c in codebook().t4_columns]


T3_OUTCOME_ROWS = (
    "granted", "partly_granted",
    "withheld_state_secret", "withheld_prohibited", "withheld_three_safety", "withheld_third_party",
    "withheld_internal", "withheld_process", "withheld_enforcement_file", "withheld_inquiry",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "declined_petition", "declined_duplicate", "declined_publication", "declined_excessive",
    "declined_confirmation",
    "other_no_correction", "other_no_fee", "other_other",
)
# Short Chinese labels of Table 3 rows, for messages and narrow tables.
T3_SHORT = {
    "new": "一、本年新收申请", "carried_over": "二、上年结转", "granted": "（一）予以公开",
    "partly_granted": "（二）部分公开", "withheld_state_secret": "（三）1.国家秘密",
    "withheld_prohibited": "2.法律行政法规禁止", "withheld_three_safety": "3.危及三安全一稳定",
    "withheld_third_party": "4.保护第三方权益", "withheld_internal": "5.三类内部事务",
    "withheld_process": "6.四类过程性信息", "withheld_enforcement_file": "7.行政执法案卷",
    "withheld_inquiry": "8.行政查询事项", "unavailable_not_held": "（四）1.本机关不掌握",
    "unavailable_needs_creation": "2.需另行制作", "unavailable_unclear": "3.补正后仍不明确",
    "declined_petition": "（五）1.信访举报投诉", "declined_duplicate": "2.重复申请",
    "declined_publication": "3.公开出版物", "declined_excessive": "4.大量反复申请",
    "declined_confirmation": "5.确认或重新出具", "other_no_correction": "（六）1.逾期不补正",
    "other_no_fee": "2.逾期未缴费", "other_other": "3.其他", "processed_total": "（七）总计",
    "carried_forward": "四、结转下年度",
}

T3_APPLICANT_COLUMNS = ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org")
T3_ORG_COLUMNS = ("business", "research", "nonprofit", "legal_services", "other_org")
T4_PARTS = ("upheld", "corrected", "other", "pending")


def split_cell_id(cell_id: str) -> tuple[str, str, str]:
    """'T3/new/total' -> ('T3','new','total'); 'T4/review.total' -> ('T4','review','total')."""
    table, _, rest = cell_id.partition("/")
    if table == "T4":
        row, _, col = rest.partition(".")
    else:
        row, _, col = rest.partition("/")
    return table, row, col


def label_of(cell_id: str) -> str:
    """A short Chinese description of a cell, for messages and pages."""
    cb = codebook()
    table, row, col = split_cell_id(cell_id)
    if table == "T2":
        r = next((e for e in cb.t2_rows if e.code == row), None)
        c = next((e for e in cb.t2_columns if e.code == col), None)
    elif table == "T3":
        r = next((e for e in cb.t3_rows if e.code == row), None)
        c = next((e for e in cb.t3_columns if e.code == col), None)
    elif table == "T4":
        r = next((e for e in cb.t4_groups if e.code == row), None)
        c = next((e for e in cb.t4_columns if e.code == col), None)
    else:
        return cell_id
    rl = r.label if r else row
    cl = c.label if c else col
    return f"{table} {rl} · {cl}"
