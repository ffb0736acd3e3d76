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
    short: str = ""  # short label for messages (codebook.toml's header); the label where absent
    name: str = ""  # stand-alone name for pages, workbook and cell names; the label where absent
    narrow: str = ""  # abbreviation of the terminal view; the label where absent
    clause: str | None = None  # Table 2: the clause of Art. 20 heading the row's block
    parent: str | None = None  # Table 3 row groups: the group this one is drawn inside

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
                short=it.get("short") or it.get("label") or it.get("heading") or "",
                name=it.get("name") or it.get("label") or it.get("heading") or "",
                narrow=it.get("narrow") or it.get("label") or it.get("heading") or "",
                clause=it.get("clause"),
                parent=it.get("parent"),
            )
        )
    return tuple(out)


def may_match(patterns) -> object:
    """A quick "no" for a list of patterns: a function of a normalised text that is false when none
    of `patterns` searches it (one compiled pass over the text instead of a search per pattern;
    true when one may: the patterns themselves decide then). Patterns anchored at the text's start
    are tried there only, together; the others together, anywhere. Patterns the combination could
    change (flags, back-references) make the function always true."""
    pats = list(patterns)
    if any(p.flags & ~re.UNICODE or re.search(r"\\\d|\(\?P=", p.pattern) for p in pats):
        return lambda t: True
    start = [p.pattern for p in pats if p.pattern.startswith("^") and "|" not in p.pattern]
    anywhere = [p.pattern for p in pats if not (p.pattern.startswith("^") and "|" not in p.pattern)]
    try:
        at_start = re.compile("|".join(f"(?:{p})" for p in start)).match if start else None
        inside = re.compile("|".join(f"(?:{p})" for p in anywhere)).search if anywhere else None
    except re.error:
        return lambda t: True
    if at_start is None:
        return inside or (lambda t: False)
    if inside is None:
        return at_start
    return lambda t: at_start(t) is not None or inside(t) is not None


_MAY_MATCH: dict[int, tuple] = {}  # id(entries) -> (entries, may_match of their patterns)


def _first(entries: tuple[Entry, ...], text: str, normalised: bool = False) -> Entry | None:
    t = text if normalised else norm_label(text)
    if not t:
        return None
    held = _MAY_MATCH.get(id(entries))
    if held is None:  # the entries are kept with their function: their id is not reused
        held = _MAY_MATCH[id(entries)] = (entries, may_match(p for e in entries for p in e.patterns))
    if not held[1](t):
        return None
    for e in entries:
        if e.matches(t):
            return e
    return None


_UNSET = object()


def _memoised_lookup(name: str):
    """The memoised lookup of a text among the entries of `name`, as a method of its own (one call, not two: these lookups are
    made for most cells of every report)."""

    def lookup(self, text: str) -> Entry | None:
        key = (name, text)
        hit = self._memo.get(key, _UNSET)
        if hit is _UNSET:
            hit = _first(getattr(self, name), text)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    lookup.__name__ = lookup.__qualname__ = f"lookup_{name}"
    return lookup


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
    t2_row = _memoised_lookup("t2_rows")

    t2_column = _memoised_lookup("t2_columns")

    t2v2019_row = _memoised_lookup("t2v2019_rows")

    t2v2019_column = _memoised_lookup("t2v2019_columns")

    def t3_row(self, text: str, context: set[str] | None = None) -> Entry | None:
        ctx = frozenset(context or ())
        key = ("t3_rows", text, ctx)
        hit = self._memo.get(key, _UNSET)
        if hit is not _UNSET:
            return hit
        t = norm_label(text)
        hit = None
        if t and _first(self.t3_rows, t, True) is not None:  # a row's words, whatever the context
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

    t3_row_group = _memoised_lookup("t3_row_groups")

    t3_column = _memoised_lookup("t3_columns")

    def is_t3_org_group(self, text: str) -> bool:
        key = ("is_t3_org_group", text)
        hit = self._memo.get(key)
        if hit is None:
            t = norm_label(text)
            hit = bool(t) and any(p.search(t) for p in self.t3_org_group)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    def is_t3_header_note(self, text: str) -> bool:
        key = ("is_t3_header_note", text)
        hit = self._memo.get(key)
        if hit is None:
            t = norm_label(text)
            hit = bool(t) and any(p.search(t) for p in self.t3_headers)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    def is_t2_header(self, text: str) -> bool:
        key = ("is_t2_header", text)
        hit = self._memo.get(key)
        if hit is None:
            t = norm_label(text)
            hit = bool(t) and any(p.search(t) for p in self.t2_headers)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    t4_group = _memoised_lookup("t4_groups")

    t4_column = _memoised_lookup("t4_columns")

    def is_t4_supergroup(self, text: str) -> bool:
        key = ("is_t4_supergroup", text)
        hit = self._memo.get(key)
        if hit is None:
            t = norm_label(text)
            hit = bool(t) and any(p.search(t) for p in self.t4_supergroup)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return hit

    section = _memoised_lookup("sections")


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


# The form's words ------------------------------------------------------------------------------

_PARTS = {
    ("T2", "rows"): "t2_rows",
    ("T2", "columns"): "t2_columns",
    ("T3", "rows"): "t3_rows",
    ("T3", "columns"): "t3_columns",
    ("T3", "row_groups"): "t3_row_groups",
    ("T4", "groups"): "t4_groups",
    ("T4", "columns"): "t4_columns",
    ("T2v2019", "rows"): "t2v2019_rows",
    ("T2v2019", "columns"): "t2v2019_columns",
}
_WORDS = ("label", "short", "name", "narrow")


@lru_cache(maxsize=64)
def _labels(table: str, part: str, word: str) -> dict[str, str]:
    if word not in _WORDS:
        raise ValueError(f"unknown kind of label {word!r}; one of {', '.join(_WORDS)}")
    return {e.code: getattr(e, word) for e in getattr(codebook(), _PARTS[(table, part)])}


def labels(table: str, part: str, word: str = "label") -> dict[str, str]:
    """{code: word} of a part of a table, in the form's order: `labels("T3", "rows", "short")`.
    `part` is rows, columns, row_groups (T3) or groups (T4); `word` is label, short, name or narrow
    (codebook.toml's header says which is for what)."""
    return dict(_labels(table, part, word))


def section_titles(word: str = "label", numbered: bool = True) -> dict[str, str]:
    """{section key: title} in the form's order: the heading ("label") or the short title ("short"),
    after its ordinal ("三、收到和处理政府信息公开申请情况", "三、依申请公开") unless `numbered` is false."""
    cb = codebook()
    return {s.code: (f"{cb.section_ordinals[s.code]}、" if numbered else "") + getattr(s, word) for s in cb.sections}


def table_title(table: str) -> str:
    """The title of a table (T2, T3, T4, T2v2019)."""
    return codebook().raw["tables"][table]["title"]


def header_label(table: str) -> str:
    """The words heading the label column of Table 2 (信息内容) or the applicants of Table 3 (申请人情况)."""
    return codebook().raw["tables"][table]["headers"]["label"]


def t3_note() -> str:
    """The note of Table 3's corner cell (the identity stated by the form)."""
    return codebook().raw["tables"]["T3"]["note"]


def t3_org_label() -> str:
    """The header over Table 3's organisation columns (法人或其他组织)."""
    return codebook().raw["tables"]["T3"]["groups"]["org"]["label"]


def t4_supergroup_label() -> str:
    """The header over Table 4's two lawsuit groups (行政诉讼)."""
    return codebook().raw["tables"]["T4"]["supergroup"]["label"]


@dataclass(frozen=True)
class Block:
    """A block of Table 2: its clause of Art. 20, its columns (those of its rows, in order), its rows."""

    clause: str
    columns: tuple[Entry, ...]
    rows: tuple[Entry, ...]


@lru_cache(maxsize=4)
def t2_blocks(table: str = "T2") -> tuple[Block, ...]:
    """Table 2 (or T2v2019) as the form draws it: one block per clause, in order."""
    cb = codebook()
    rows = cb.t2_rows if table == "T2" else cb.t2v2019_rows
    cols = {c.code: c for c in (cb.t2_columns if table == "T2" else cb.t2v2019_columns)}
    order: list[str] = []
    by_clause: dict[str, list[Entry]] = {}
    for r in rows:
        if r.clause not in by_clause:
            order.append(r.clause)
            by_clause[r.clause] = []
        by_clause[r.clause].append(r)
    out = []
    for clause in order:
        codes = list(dict.fromkeys(c for r in by_clause[clause] for c in r.columns))
        out.append(Block(clause, tuple(cols[c] for c in codes), tuple(by_clause[clause])))
    return tuple(out)


@dataclass(frozen=True)
class LabelCell:
    """A cell of Table 3's label area: its text and how many grid rows and columns it covers."""

    text: str
    rowspan: int
    colspan: int


@lru_cache(maxsize=1)
def t3_label_area() -> tuple[tuple[str, tuple[LabelCell, ...]], ...]:
    """Table 3's label area, row by row in the form's order: (row code, the label cells that start on
    that row). A row group's label runs down from its first to its last row; the row's own cell takes
    the width its groups leave (codebook.toml's header)."""
    cb = codebook()
    width = cb.raw["tables"]["T3"]["label_area"]["width"]
    groups = {g.code: g for g in cb.t3_row_groups}

    def chain(code: str | None) -> list[str]:  # the group and the groups around it, outermost first
        out = []
        while code:
            out.insert(0, code)
            code = groups[code].parent
        return out

    codes = [r.code for r in cb.t3_rows]
    rows_of: dict[str, list[int]] = {}
    for i, r in enumerate(cb.t3_rows):
        for g in chain(r.group):
            rows_of.setdefault(g, []).append(i)
    area = []
    for i, r in enumerate(cb.t3_rows):
        around = chain(r.group)
        cells, own = [], r.label
        for g in around:
            if rows_of[g][0] == i:
                cells.append(LabelCell(groups[g].label, rows_of[g][-1] - i + 1, 1))
                if not own.startswith(groups[g].label):
                    raise ValueError(f"codebook: the label of T3 row {r.code} does not start with its group's")
                own = own[len(groups[g].label) :].strip()
        cells.append(LabelCell(own, 1, width - len(around)))
        area.append((codes[i], tuple(cells)))
    return tuple(area)


T3_OUTCOME_ROWS = (
    "granted",
    "partly_granted",
    "withheld_state_secret",
    "withheld_prohibited",
    "withheld_three_safety",
    "withheld_third_party",
    "withheld_internal",
    "withheld_process",
    "withheld_enforcement_file",
    "withheld_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "declined_petition",
    "declined_duplicate",
    "declined_publication",
    "declined_excessive",
    "declined_confirmation",
    "other_no_correction",
    "other_no_fee",
    "other_other",
)

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
