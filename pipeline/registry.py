"""The registry of reporting units of 阿拉善盟 and the resolution of a report to a unit.

Plain functions and data, no Dagster. The data live in ``assets/registry/``:

``units.csv``
    one row per reporting unit (the league, its banners, the 高新区, the 39 township-level units
    and the 乌兰布和生态沙产业示范区). Columns: see :data:`UNIT_COLUMNS`.
``aliases.csv``
    the *irregular* other names of a unit (earlier NBS names, abbreviations, joint names), with
    the years they are valid in. Columns: see :data:`ALIAS_COLUMNS`. The systematic written
    forms (with or without the banner / league prefix, with 人民政府 / 政府 / 办事处 / 管委会 /
    管理委员会 / 行政公署 …) are generated at load time, not listed.
``extra_units.csv``
    same columns as ``units.csv``; bodies an office adds without code (a banner's departments,
    e.g. 阿拉善左旗财政局). Lines starting with ``#`` are ignored. Merged into the registry at load.

Resolution (:func:`resolve`) normalises the agency name (NFKC, whitespace removed, traditional →
simplified), then tries, in order:

1. the exact name in the index of names and generated variants valid in the report's year
   (``exact_full_name``, ``exact_name``, ``alias``; a bare stem such as 东风 is ``stem``);
2. the same after stripping suffixes (办公室, 政务公开办公室, 人民政府 …) and the region prefix
   (``stripped_suffix``);
3. a scan for unit names inside the text (``contains``): a banner prefix before a township is
   accepted, the most specific name wins, but a unit name followed by something that is not a
   suffix of that unit (阿拉善左旗 + 财政局) is a body below it and matches nothing unless that body
   is registered;
4. when the agency gives nothing, the file path: file name first, then the parent directories
   (``path``).

A name valid only in other years still matches, with ``method="alias_historical"`` and a lower
confidence. A report for year Y is published in Y+1, so a name valid in Y or Y+1 counts as valid.
A name shared by several units gives ``unit_id=None`` with all of them in ``candidates``: the
resolver never guesses.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from pipeline.textnorm import norm_text, to_simplified

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "assets" / "registry"

UNIT_COLUMNS = (
    "unit_id", "name", "full_name", "level", "kind", "statutory_parent", "managing_body",
    "files_own_report", "can_make_rules", "deadline_kind", "valid_from", "valid_to", "name_from",
    "note",
)
ALIAS_COLUMNS = ("unit_id", "alias", "valid_from", "valid_to", "source")
REQUIRED_UNIT_COLUMNS = ("unit_id", "name")

LEVELS = ("league", "banner", "township", "zone", "department")
KINDS = ("盟", "旗", "开发区", "示范区", "苏木", "镇", "街道", "部门")
DEADLINE_KINDS = ("government", "department", "township")
VIA = ("statutory", "managing")

# Defaults for a row of extra_units.csv that leaves a column empty.
_DEFAULTS = {
    "level": "department", "kind": "部门", "files_own_report": "true", "can_make_rules": "false",
}
_DEFAULT_DEADLINE = {"league": "government", "banner": "government", "township": "township",
                     "zone": "department", "department": "department"}

# Written suffixes of a body's name, by kind (generated variants).
KIND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "盟": ("行政公署", "行署"),
    "旗": ("人民政府", "政府"),
    "开发区": ("管理委员会", "管委会", "党工委管委会"),
    "示范区": ("管理委员会", "管委会", "党工委管委会"),
    "苏木": ("人民政府", "政府"),
    "镇": ("人民政府", "政府"),
    "街道": ("办事处", "办"),
    "部门": (),
}
# Suffixes removed from a base name to get its core ("阿拉善盟行政公署" -> "阿拉善盟").
_CORE_SUFFIXES = ("党工委管委会", "管理委员会", "行政公署", "人民政府", "办事处", "管委会", "行署", "政府")
# Suffixes stripped from an agency name during resolution, and accepted after a unit's name.
STRIP_SUFFIXES = tuple(sorted({
    "政府信息公开办公室", "政务公开办公室", "党政综合办公室", "党政办公室", "综合办公室", "办公室",
    "党政办", "政府办", "党工委管委会", "管理委员会", "管委会", "行政公署", "行署", "人民政府", "政府",
    "办事处", "机关",
}, key=len, reverse=True))
REGION_PREFIXES = ("内蒙古自治区", "内蒙古")
_LEAD_IGNORABLE = ("关于印发", "关于公布", "关于", "印发")
_SEPARATORS = set("、,;/&和与及|-的")
_STEM_RE = re.compile(r"(苏木乡|苏木|镇|街道|乡)$")

# "…2024年政府信息公开工作年度报告…" at the end of a title; a leading "2024年".
_TITLE_TAIL = re.compile(r"(?:(?:19|20)\d{2}年度?)?的?(政府)?信息公开(?:工作)?(?:年度)?(?:工作)?报告.*$")
_LEAD_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
_PARENS = re.compile(r"\([^()]*\)")
_TRAILING_PAREN = re.compile(r"^(.+)\(([^()]+)\)$")
_EDGE_JUNK = re.compile(r"^[\s\-_.,:;、|/\\*#!?·•]+|[\s\-_.,:;、|/\\*#!?·•]+$")
_PATH_NOISE = re.compile(r"(?:19|20)\d{2}年?度?|[A-Za-z0-9_\-\s.]+")
# What makes a path component look like it names a body (rather than "正文", "final", "2024").
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ALL_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_BODY_RE = re.compile(r"局|委|办|院|所|中心|站|队|厅|部|处|会|政府|镇|苏木|乡|街道|旗|盟|区|县|市|嘎查|社区|署|馆|校|公司")

CONFIDENCE = {
    "exact_full_name": 1.0,
    "exact_name": 0.98,
    "alias": 0.95,
    "stem": 0.8,
    "contains": 0.75,
}
HISTORICAL_FACTOR = 0.7
STRIP_FACTOR = 0.95
PATH_FACTOR = 0.85  # the file name names the body
DIR_FACTOR = 0.6  # only a directory does (the file may be any body below it)


class RegistryError(ValueError):
    """The registry files are inconsistent (unknown parent, duplicate id, bad value …)."""


# ----------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    full_name: str
    level: str
    kind: str
    statutory_parent: str | None
    managing_body: str | None
    files_own_report: bool
    can_make_rules: bool
    deadline_kind: str
    valid_from: int | None
    valid_to: int | None
    name_from: int | None
    note: str
    source: str = "units.csv"

    def exists_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )

    def label(self) -> str:
        return f"{self.unit_id} {self.name}"


@dataclass(frozen=True)
class _Entry:
    """One index entry: normalised key -> unit, valid in [vfrom, vto]."""

    unit_id: str
    vfrom: int | None
    vto: int | None
    method: str  # exact_full_name | exact_name | alias | stem
    tier: int  # 0 names and aliases, 1 bare stems
    display: str
    source: str


@dataclass
class Resolution:
    unit_id: str | None
    method: str  # exact_full_name, exact_name, alias, alias_historical, stem, stripped_suffix,
    #              contains, path, path_disambiguated, ambiguous, none
    confidence: float
    candidates: list[str] = field(default_factory=list)
    reason: str = ""
    matched: str | None = None  # the normalised text that matched
    source: str | None = None  # "agency" | "path"

    @property
    def ok(self) -> bool:
        return self.unit_id is not None

    @property
    def ambiguous(self) -> bool:
        return self.unit_id is None and len(self.candidates) > 1


def _none(text: str, reason: str | None = None, candidates: Iterable[str] = ()) -> Resolution:
    return Resolution(None, "none", 0.0, list(candidates),
                      reason or f"“{text}”不匹配任何单位 / matches no unit")


# ----------------------------------------------------------------------------------------------
# Loading


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number in the file, row) of a CSV whose blank lines and lines starting with # are
    ignored (comments may stand anywhere, also before the header)."""
    text = path.read_text(encoding="utf-8-sig")
    kept = [(i, ln) for i, ln in enumerate(text.splitlines(), start=1)
            if ln.strip() and not ln.lstrip().startswith("#")]
    if not kept:
        return []
    reader = csv.reader(io.StringIO("\n".join(ln for _i, ln in kept)))
    header = [h.strip() for h in next(reader)]
    rows = []
    for values in reader:
        lineno = kept[min(reader.line_num - 1, len(kept) - 1)][0]
        if len(values) > len(header):
            raise RegistryError(f"{path.name} line {lineno}: {len(values)} values for {len(header)} columns")
        rows.append((lineno, {h: (values[j].strip() if j < len(values) else "") for j, h in enumerate(header)}))
    return rows


def _year(value: str, where: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise RegistryError(f"{where}: not a year: {value!r}") from None


def _bool(value: str, where: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "y", "t", "是"):
        return True
    if v in ("false", "0", "no", "n", "f", "否"):
        return False
    raise RegistryError(f"{where}: not a boolean: {value!r}")


def _unit_from_row(row: dict[str, str], source: str, lineno: int) -> Unit:
    where = f"{source} line {lineno}"
    for col in REQUIRED_UNIT_COLUMNS:
        if not row.get(col):
            raise RegistryError(f"{where}: column {col!r} is empty")
    r = {c: row.get(c, "") for c in UNIT_COLUMNS}
    for c, d in _DEFAULTS.items():
        if not r[c]:
            r[c] = d
    if r["level"] not in LEVELS:
        raise RegistryError(f"{where}: level {r['level']!r} not in {LEVELS}")
    if r["kind"] not in KINDS:
        raise RegistryError(f"{where}: kind {r['kind']!r} not in {KINDS}")
    deadline = r["deadline_kind"] or _DEFAULT_DEADLINE[r["level"]]
    if deadline not in DEADLINE_KINDS:
        raise RegistryError(f"{where}: deadline_kind {deadline!r} not in {DEADLINE_KINDS}")
    return Unit(
        unit_id=r["unit_id"],
        name=r["name"],
        full_name=r["full_name"] or r["name"],
        level=r["level"],
        kind=r["kind"],
        statutory_parent=r["statutory_parent"] or None,
        managing_body=r["managing_body"] or None,
        files_own_report=_bool(r["files_own_report"], where),
        can_make_rules=_bool(r["can_make_rules"], where),
        deadline_kind=deadline,
        valid_from=_year(r["valid_from"], where),
        valid_to=_year(r["valid_to"], where),
        name_from=_year(r["name_from"], where),
        note=r["note"],
        source=source,
    )


_DEFAULT_REGISTRY: "Registry | None" = None


def load_registry(path: str | Path | None = None,
                  extra_units: str | Path | Iterable[str | Path] | None = None) -> "Registry":
    """Load the registry from a directory holding units.csv, aliases.csv and (optionally)
    extra_units.csv; default: the bundled ``assets/registry/``.

    ``extra_units`` names further CSV files with the columns of units.csv, merged like
    extra_units.csv. The default registry (no arguments) is loaded once and cached.
    """
    global _DEFAULT_REGISTRY
    if path is None and extra_units is None:
        if _DEFAULT_REGISTRY is None:
            _DEFAULT_REGISTRY = _load(DEFAULT_DIR, [])
        return _DEFAULT_REGISTRY
    directory = Path(path) if path is not None else DEFAULT_DIR
    if directory.is_file():  # a units.csv given directly: its siblings are the other files
        directory = directory.parent
    if extra_units is None:
        extras: list[Path] = []
    elif isinstance(extra_units, (str, Path)):
        extras = [Path(extra_units)]
    else:
        extras = [Path(p) for p in extra_units]
    return _load(directory, extras)


def _load(directory: Path, extras: list[Path]) -> "Registry":
    units_csv = directory / "units.csv"
    if not units_csv.exists():
        raise RegistryError(f"no units.csv in {directory}")
    units: dict[str, Unit] = {}
    files = [units_csv]
    if (directory / "extra_units.csv").exists():
        files.append(directory / "extra_units.csv")
    files += extras
    for f in files:
        for i, row in _read_csv(f):
            u = _unit_from_row(row, f.name, i)
            if u.unit_id in units:
                raise RegistryError(f"{f.name} line {i}: duplicate unit_id {u.unit_id}")
            units[u.unit_id] = u
    for u in units.values():
        for col in ("statutory_parent", "managing_body"):
            ref = getattr(u, col)
            if ref is not None and ref not in units:
                raise RegistryError(f"{u.source}: {u.unit_id} {col} {ref} is not a known unit")
    aliases: list[dict] = []
    alias_csv = directory / "aliases.csv"
    if alias_csv.exists():
        for i, row in _read_csv(alias_csv):
            where = f"aliases.csv line {i}"
            uid, alias = row.get("unit_id", ""), row.get("alias", "")
            if uid not in units:
                raise RegistryError(f"{where}: unknown unit_id {uid!r}")
            if not alias:
                raise RegistryError(f"{where}: empty alias")
            aliases.append({
                "unit_id": uid, "alias": alias,
                "valid_from": _year(row.get("valid_from", ""), where),
                "valid_to": _year(row.get("valid_to", ""), where),
                "source": row.get("source", "") or "aliases.csv",
            })
    reg = Registry(units, aliases)
    # Cycles would make parents() loop: check once here.
    for uid in units:
        for via in VIA:
            reg.parents(uid, via=via)
    return reg


# ----------------------------------------------------------------------------------------------
# Validity


def _valid(vfrom: int | None, vto: int | None, year: int | None) -> bool:
    """Whether a name valid in [vfrom, vto] is valid for a report on ``year`` (published in
    year + 1, so either year counts)."""
    if year is None:
        return True
    return (vfrom is None or vfrom <= year + 1) and (vto is None or vto >= year)


def _intersect(*ranges: tuple[int | None, int | None]) -> tuple[int | None, int | None] | None:
    lo = max((r[0] for r in ranges if r[0] is not None), default=None)
    hi = min((r[1] for r in ranges if r[1] is not None), default=None)
    if lo is not None and hi is not None and lo > hi:
        return None
    return lo, hi


def _norm(text: str) -> str:
    return norm_text(to_simplified(text))


def _core(text: str) -> str:
    t = text
    if t.endswith("街道办"):
        return t[:-1]
    for s in _CORE_SUFFIXES:
        if t.endswith(s) and len(t) > len(s) + 1:
            return t[: -len(s)]
    return t


def _strip_title(t: str) -> list[str]:
    """Variants of a normalised agency text without a report title around it."""
    out = [t]
    m = _TITLE_TAIL.search(t)
    if m and m.start() > 0:
        head = t[: m.start()]
        out.append(head)
        if m.group(1):  # "…人民政府信息公开年度报告": the 政府 belonged to the name too
            out.append(head + "政府")
    m = _TRAILING_PAREN.match(t)
    if m:  # "东风街道办事处(额济纳旗)" -> "额济纳旗东风街道办事处", "东风街道办事处"
        out += [m.group(2) + m.group(1), m.group(1)]
    res = []
    for x in out:
        x = _LEAD_YEAR.sub("", x)
        x = _EDGE_JUNK.sub("", x)
        if x and x not in res:
            res.append(x)
    return res


# ----------------------------------------------------------------------------------------------
# The registry


class Registry:
    """Units, their hierarchy (statutory and managing) and an index of their names."""

    def __init__(self, units: dict[str, Unit], aliases: list[dict]):
        self.units: dict[str, Unit] = dict(units)
        self.aliases: list[dict] = list(aliases)
        self._children: dict[str, dict[str, list[str]]] = {v: defaultdict(list) for v in VIA}
        for u in self.units.values():
            if u.statutory_parent:
                self._children["statutory"][u.statutory_parent].append(u.unit_id)
            mp = u.managing_body or u.statutory_parent
            if mp:
                self._children["managing"][mp].append(u.unit_id)
        self._anc_cache: dict[str, frozenset[str]] = {}
        leagues = [u for u in self.units.values() if u.level == "league"]
        self._league_id: str | None = leagues[0].unit_id if leagues else None
        self._league_name: str = _norm(leagues[0].name) if leagues else ""
        # "阿拉善" of "阿拉善盟": names starting with it already carry the league's prefix
        self._league_stem: str = re.sub(r"(盟|市|地区|自治州)$", "", self._league_name)
        self._build_index()

    # -- container protocol ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units.values())

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.units

    def __getitem__(self, unit_id: str) -> Unit:
        return self.units[unit_id]

    def get(self, unit_id: str | None) -> Unit | None:
        return self.units.get(unit_id) if unit_id else None

    # -- hierarchy ------------------------------------------------------------------------------
    def _parent(self, unit_id: str, via: str) -> str | None:
        u = self.units[unit_id]
        if via == "statutory":
            return u.statutory_parent
        if via == "managing":
            return u.managing_body or u.statutory_parent
        raise ValueError(f"via must be one of {VIA}, not {via!r}")

    def parents(self, unit_id: str, via: str = "statutory") -> list[str]:
        """The chain of parents from the immediate one up to the root (the league).

        ``via="managing"`` follows the managing body where there is one, else the statutory
        parent (巴彦木仁苏木 → 乌兰布和示范区 → 高新区 → 阿拉善盟)."""
        if unit_id not in self.units:
            raise KeyError(unit_id)
        chain: list[str] = []
        p = self._parent(unit_id, via)
        while p is not None:
            if p in chain or p == unit_id:
                raise RegistryError(f"cycle in {via} parents of {unit_id}: {chain + [p]}")
            chain.append(p)
            p = self._parent(p, via)
        return chain

    def children(self, unit_id: str, via: str = "statutory") -> list[str]:
        """Direct children. ``via="statutory"``: units whose statutory parent is ``unit_id``;
        ``via="managing"``: units whose managing body is ``unit_id``, plus units without a managing
        body whose statutory parent it is (so that every unit appears once in the managing tree)."""
        if via not in VIA:
            raise ValueError(f"via must be one of {VIA}, not {via!r}")
        return list(self._children[via].get(unit_id, ()))

    def descendants(self, unit_id: str, via: str = "statutory") -> list[str]:
        out: list[str] = []
        todo = self.children(unit_id, via)
        while todo:
            c = todo.pop(0)
            if c not in out:
                out.append(c)
                todo.extend(self.children(c, via))
        return out

    def ancestors(self, unit_id: str) -> frozenset[str]:
        """Every unit above ``unit_id`` by either route."""
        a = self._anc_cache.get(unit_id)
        if a is None:
            a = frozenset(self.parents(unit_id, "statutory")) | frozenset(self.parents(unit_id, "managing"))
            self._anc_cache[unit_id] = a
        return a

    def expected_units(self, year: int, level: str | Iterable[str] | None = None) -> list[str]:
        """Units that existed in ``year`` and file their own report (ids, registry order)."""
        levels = None if level is None else ({level} if isinstance(level, str) else set(level))
        return [
            u.unit_id for u in self.units.values()
            if u.files_own_report and u.exists_in(year) and (levels is None or u.level in levels)
        ]

    # -- frames ---------------------------------------------------------------------------------
    def units_frame(self):
        import pandas as pd

        rows = []
        for u in self.units.values():
            rows.append({c: getattr(u, c) for c in UNIT_COLUMNS} | {"source": u.source})
        df = pd.DataFrame(rows, columns=list(UNIT_COLUMNS) + ["source"])
        for c in ("valid_from", "valid_to", "name_from"):
            df[c] = df[c].astype("Int64")
        for c in ("files_own_report", "can_make_rules"):
            df[c] = df[c].astype(bool)
        return df

    def aliases_frame(self, generated: bool = True):
        """All names of all units: the aliases.csv rows and (``generated=True``) every generated
        written form that the resolver matches exactly. Columns: unit_id, alias, alias_norm,
        valid_from, valid_to, source, method, tier."""
        import pandas as pd

        cols = ["unit_id", "alias", "alias_norm", "valid_from", "valid_to", "source", "method", "tier"]
        rows = []
        if generated:
            for key, entries in self._index.items():
                for e in entries:
                    rows.append([e.unit_id, e.display, key, e.vfrom, e.vto, e.source, e.method, e.tier])
        else:
            for a in self.aliases:
                rows.append([a["unit_id"], a["alias"], _norm(a["alias"]), a["valid_from"],
                             a["valid_to"], a["source"], "alias", 0])
        df = pd.DataFrame(rows, columns=cols)
        for c in ("valid_from", "valid_to"):
            df[c] = df[c].astype("Int64")
        return df.sort_values(["unit_id", "tier", "alias_norm"], kind="stable").reset_index(drop=True)

    # -- index ----------------------------------------------------------------------------------
    def _bases(self) -> dict[str, list[tuple[str, int | None, int | None, str]]]:
        """Per unit: (written name, valid_from, valid_to, source) of its names and aliases."""
        bases: dict[str, list[tuple[str, int | None, int | None, str]]] = defaultdict(list)
        for u in self.units.values():
            bases[u.unit_id].append((u.name, u.name_from, None, f"{u.source}:name"))
            bases[u.unit_id].append((u.full_name, u.name_from, None, f"{u.source}:full_name"))
        for a in self.aliases:
            bases[a["unit_id"]].append((a["alias"], a["valid_from"], a["valid_to"], f"aliases.csv:{a['source']}"))
        return bases

    def _prefixes(self, unit: Unit, cores: dict) -> list[tuple[str, int | None, int | None]]:
        """Written prefixes before a unit's name: "" and the names of its parent, managing body
        and the league ("阿拉善左旗", "阿拉善盟阿拉善左旗", "阿拉善盟", "阿左旗" …)."""
        out: list[tuple[str, int | None, int | None]] = [("", None, None)]
        league = [c for c in cores.get(self._league_id or "", []) if c[0] == self._league_name]
        seen = {""}
        for pid in (unit.statutory_parent, unit.managing_body):
            if not pid or pid not in self.units:
                continue
            for text, vf, vt in cores.get(pid, []):
                items = [(text, vf, vt)]
                if self.units[pid].level != "league" and not text.startswith(REGION_PREFIXES) and not (
                        self._league_stem and text.startswith(self._league_stem)
                        and self.units[pid].level != "banner"):
                    items += [(lg + text, *(_intersect((vf, vt), (lvf, lvt)) or (vf, vt)))
                              for lg, lvf, lvt in league]
                for it in items:
                    if it[0] not in seen:
                        seen.add(it[0])
                        out.append(it)
        for lg in league:
            if lg[0] not in seen:
                seen.add(lg[0])
                out.append(lg)
        return out

    def _build_index(self) -> None:
        index: dict[str, list[_Entry]] = defaultdict(list)
        base_keys: dict[str, list[_Entry]] = defaultdict(list)
        seen: set[tuple] = set()

        def add(target: dict, key: str, e: _Entry) -> None:
            sig = (id(target), key, e.unit_id, e.vfrom, e.vto, e.tier)
            if key and sig not in seen:
                seen.add(sig)
                target[key].append(e)

        bases = self._bases()
        # normalised cores with validity, per unit, written before a child's name as its prefix.
        # Joint names (阿拉善高新区(乌斯太镇), 阿拉善高新区、乌兰布和示范区: source "overlay…") and
        # names with punctuation are not prefixes.
        cores: dict[str, list[tuple[str, int | None, int | None]]] = {}
        for uid, items in bases.items():
            lst: list[tuple[str, int | None, int | None]] = []
            for text, vf, vt, src in items:
                c = _core(_norm(text))
                if src.startswith("aliases.csv:overlay") or not _ALL_CJK.match(c):
                    continue
                if all(c != x[0] or (vf, vt) != (x[1], x[2]) for x in lst):
                    lst.append((c, vf, vt))
            cores[uid] = lst

        for uid, items in bases.items():
            u = self.units[uid]
            uvalid = (u.valid_from, u.valid_to)
            name_n, full_n = _norm(u.name), _norm(u.full_name)
            suffixes = ("",) + KIND_SUFFIXES.get(u.kind, ())
            prefixes = self._prefixes(u, cores)

            def method_of(key: str) -> str:
                if key == full_n:
                    return "exact_full_name"
                if key == name_n:
                    return "exact_name"
                return "alias"

            is_dept = u.level == "department"
            # the league's name alone before a department of a banner would name the league's own
            league_texts = {c[0] for c in cores.get(self._league_id or "", [])}
            league_only = {pt for pt, _a, _b in prefixes if pt and pt in league_texts}
            parent_is_league = u.statutory_parent is not None and u.statutory_parent == self._league_id
            for text, vf, vt, src in items:
                t = _norm(text)
                core = _core(t)
                # a name that already carries a prefix gets no other (阿拉善左旗巴彦木仁苏木人民政府,
                # 内蒙古阿拉善高新技术产业开发区, 阿拉善高新区)
                qualified = (self._qualified(core, prefixes) or core.startswith(REGION_PREFIXES)
                             or (bool(self._league_stem) and core.startswith(self._league_stem)
                                 and u.level not in ("league", "banner")))
                if not is_dept or qualified:  # a bare "财政局" names no body (every banner has one)
                    for k in {t, core}:
                        rng = _intersect((vf, vt), uvalid)
                        if rng is not None and len(k) >= 2:
                            add(base_keys, k, _Entry(uid, rng[0], rng[1], method_of(k), 0, text, src))
                written = {t} | {core + s for s in suffixes}
                stem = _STEM_RE.sub("", core) if u.kind in ("苏木", "镇", "街道") else core
                for ptext, pvf, pvt in prefixes:
                    if is_dept and not ptext and not qualified:
                        continue  # a bare "财政局" would claim every banner's department
                    if is_dept and ptext in league_only and not parent_is_league:
                        continue  # 阿拉善盟 + 财政局 is the league's bureau, not the banner's
                    if ptext and qualified:
                        continue  # the name already carries a prefix (阿拉善左旗巴彦木仁苏木人民政府)
                    rng = _intersect((vf, vt), (pvf, pvt), uvalid)
                    if rng is None:
                        continue
                    p = ptext
                    for w in written:
                        key = p + w
                        e = _Entry(uid, rng[0], rng[1], method_of(key), 0,
                                   _display(ptext, text, w, t), src if not p else f"{src}+prefix")
                        add(index, key, e)
                        if is_dept:  # found inside a longer text as a whole (关于额济纳旗财政局…)
                            add(base_keys, key, e)
                    if stem != core and len(stem) >= 2:
                        key = p + stem
                        add(index, key, _Entry(uid, rng[0], rng[1], "stem", 1, key, f"{src}+stem"))

        self._index = dict(index)
        self._base_keys = dict(base_keys)
        by_first: dict[str, list[str]] = defaultdict(list)
        for k in sorted(self._base_keys, key=len, reverse=True):
            by_first[k[0]].append(k)
        self._base_by_first = dict(by_first)

    @staticmethod
    def _qualified(core: str, prefixes) -> bool:
        return any(p and core.startswith(p) for p, _a, _b in prefixes)

    # -- resolution -----------------------------------------------------------------------------
    def _choose(self, entries: list[_Entry], year: int | None) -> tuple[list[str], dict[str, _Entry], bool, list[str]]:
        """(units matched, best entry per unit, historical?, all units considered)."""
        considered = list(dict.fromkeys(e.unit_id for e in entries))
        valid = [e for e in entries if _valid(e.vfrom, e.vto, year)]
        pool, historical = (valid, False) if valid else (entries, True)
        tier = min(e.tier for e in pool)
        best: dict[str, _Entry] = {}
        for e in pool:
            if e.tier != tier:
                continue
            cur = best.get(e.unit_id)
            if cur is None or CONFIDENCE[e.method] > CONFIDENCE[cur.method]:
                best[e.unit_id] = e
        return list(best), best, historical, considered

    def _from_entries(self, text: str, key: str, entries: list[_Entry], year: int | None,
                      factor: float = 1.0, method: str | None = None) -> Resolution:
        uids, best, historical, considered = self._choose(entries, year)
        if len(uids) > 1:
            return self._ambiguous(text, uids, key)
        uid = uids[0]
        e = best[uid]
        conf = CONFIDENCE[e.method] * factor
        m = method or e.method
        reason = ""
        if historical:
            conf *= HISTORICAL_FACTOR
            m = "alias_historical"
            span = f"{e.vfrom or '…'}–{e.vto or '…'}"
            reason = (f"“{key}”是 {self.units[uid].label()} 在其他年份（{span}）的名称 / "
                      f"name valid in {span}, not in {year}")
        return Resolution(uid, m, round(conf, 4), [uid] + [c for c in considered if c != uid], reason, key)

    def _ambiguous(self, text: str, uids: list[str], key: str | None = None) -> Resolution:
        labels = ", ".join(self.units[u].label() for u in uids)
        labels_cn = "、".join(self.units[u].label() for u in uids)
        return Resolution(None, "ambiguous", 0.0, list(uids),
                          f"“{key or text}”对应 {len(uids)} 个单位：{labels_cn}，无法确定 / "
                          f"matches {len(uids)} units: {labels}", key)

    def _lookup_stripped(self, text: str, t: str, year: int | None) -> Resolution | None:
        """Exact lookup of t, then of t without suffixes / region prefix (breadth first)."""
        entries = self._index.get(t)
        if entries:
            return self._from_entries(text, t, entries, year)
        frontier = [t]
        seen = {t}
        for _depth in range(3):
            nxt = []
            for s in frontier:
                variants = [s[: -len(suf)] for suf in STRIP_SUFFIXES if s.endswith(suf) and len(s) > len(suf) + 1]
                variants += [s[len(p):] for p in REGION_PREFIXES if s.startswith(p) and len(s) > len(p) + 1]
                for v in variants:
                    if v in seen:
                        continue
                    seen.add(v)
                    entries = self._index.get(v)
                    if entries:
                        return self._from_entries(text, v, entries, year, STRIP_FACTOR, "stripped_suffix")
                    nxt.append(v)
            frontier = nxt
            if not frontier:
                break
        return None

    def _resolve_text(self, text: str, year: int | None) -> tuple[Resolution, frozenset[str]]:
        """Resolve an agency name. Returns the resolution and the units it must *not* be
        resolved to from other evidence (a banner when the text names a body below it)."""
        n = _norm(text)
        variants = _strip_title(n)
        if not variants:
            return _none(text), frozenset()
        for t in variants:
            r = self._lookup_stripped(text, t, year)
            if r is not None:
                return r, frozenset()
        # scan for unit names inside the text
        best: tuple[Resolution, frozenset[str]] | None = None
        for t in variants:
            r, blocked = self._scan(text, _PARENS.sub("", t), year)
            if r.unit_id or r.ambiguous:
                return r, blocked
            if best is None or (blocked and not best[1]):
                best = (r, blocked)
        assert best is not None
        return best

    def _occurrences(self, s: str) -> list[tuple[int, int, str]]:
        found = []
        for i, ch in enumerate(s):
            for k in self._base_by_first.get(ch, ()):
                if s.startswith(k, i):
                    found.append((i, i + len(k), k))
        # keep the longest, non-overlapping
        found.sort(key=lambda o: (-(o[1] - o[0]), o[0]))
        kept: list[tuple[int, int, str]] = []
        for o in found:
            if all(o[1] <= k[0] or o[0] >= k[1] for k in kept):
                kept.append(o)
        kept.sort()
        return kept

    def _scan(self, text: str, s: str, year: int | None) -> tuple[Resolution, frozenset[str]]:
        occ = self._occurrences(s)
        if not occ:
            return _none(text), frozenset()
        # leading text: only the region prefix or "关于" may stand before the first name
        lead = s[: occ[0][0]]
        for p in REGION_PREFIXES + _LEAD_IGNORABLE:
            if lead.startswith(p):
                lead = lead[len(p):]
        lead = _EDGE_JUNK.sub("", lead)
        if lead:
            names = "、".join(o[2] for o in occ)
            return _none(text, f"“{text}”中“{lead}”不属于{self._league_name}的已登记单位（其后为：{names}）/ "
                               f"matches no unit: '{lead}' before {names} is not part of the registry"), frozenset()
        # chains of adjacent names: 阿拉善盟|阿拉善左旗|巴彦木仁苏木
        chains: list[list[tuple[int, int, str]]] = []
        for o in occ:
            if chains and chains[-1][-1][1] == o[0]:
                chains[-1].append(o)
            else:
                chains.append([o])
        heads: list[tuple[str, list[str]]] = []  # (key, unit candidates)
        problems: list[str] = []
        blocked: set[str] = set()
        for ci, chain in enumerate(chains):
            cand = list(dict.fromkeys(e.unit_id for e in self._base_keys[chain[0][2]]))
            ok = True
            for prev, o in zip(chain, chain[1:]):
                nxt = list(dict.fromkeys(e.unit_id for e in self._base_keys[o[2]]))
                nested = [u for u in nxt if any(c in self.ancestors(u) for c in cand)]
                if not nested:
                    problems.append(f"“{prev[2]}”不是“{o[2]}”的上级 / {prev[2]} is not above {o[2]}")
                    ok = False
                    break
                cand = nested
            if not ok:
                continue
            end = chain[-1][1]
            stop = chains[ci + 1][0][0] if ci + 1 < len(chains) else len(s)
            rest = s[end:stop]
            allowed = STRIP_SUFFIXES + (("办",) if chain[-1][2].endswith("街道") else ())
            changed = True
            while rest and changed:
                changed = False
                for suf in allowed:
                    if rest.startswith(suf):
                        rest = rest[len(suf):]
                        changed = True
                        break
            if rest and rest[0] not in _SEPARATORS:
                key = chain[-1][2]
                problems.append(
                    f"“{text}”：“{key}”之后的“{rest}”不是该单位的名称后缀，可能是未登记的下属机构"
                    f"（请加入 extra_units.csv）/ matches no unit: '{rest}' after {key} looks like a "
                    f"department or body below it that is not in extra_units.csv")
                for c in cand:
                    blocked.add(c)
                    blocked.update(self.ancestors(c))
                continue
            heads.append((chain[-1][2], cand))
        if not heads:
            return _none(text, problems[0] if problems else None,
                         [u for o in occ for u in dict.fromkeys(e.unit_id for e in self._base_keys[o[2]])]), frozenset(blocked)
        if len(heads) == 1 and not problems:
            key, cand = heads[0]
            entries = [e for e in self._base_keys[key] if e.unit_id in cand]
            return self._from_entries(text, key, entries, year, CONFIDENCE["contains"], "contains"), frozenset()
        uids = list(dict.fromkeys(u for _k, c in heads for u in c))
        if problems:  # mixed signals: a name plus a body we do not know, or a wrong prefix
            return _none(text, "; ".join(problems), uids), frozenset(blocked)
        return self._ambiguous(text, uids, "、".join(k for k, _c in heads)), frozenset()

    # path -------------------------------------------------------------------------------------
    def _component(self, raw: str) -> str:
        """A path component without years, Latin letters, digits and separators."""
        t = _norm(raw)
        if t in self._index:
            return t
        return _EDGE_JUNK.sub("", _PATH_NOISE.sub("", t))

    def _informative(self, c: str) -> bool:
        """Whether a path component looks like it names a body (not "正文", "年度报告", "2024")."""
        if not c:
            return False
        if c in self._index:
            return True
        head = _EDGE_JUNK.sub("", _LEAD_YEAR.sub("", _TITLE_TAIL.sub("", c)))
        return bool(head) and bool(_CJK.search(head)) and bool(_BODY_RE.search(head) or head in self._index)

    def _resolve_path(self, path: str, year: int | None) -> Resolution:
        p = str(path).replace("\\", "/")
        parts = [x for x in PurePosixPath(p).parts if x not in ("/", "")]
        if not parts:
            return _none(str(path))
        last = parts[-1]
        stem = PurePosixPath(last).stem if PurePosixPath(last).suffix else last
        comps = [self._component(x) for x in parts[:-1] + [stem]]
        info = [c for c in comps if self._informative(c)]
        if not info:
            return _none(str(path), f"路径“{path}”不含单位名称 / path names no unit")
        stem_informative = self._informative(comps[-1])
        for k in range(len(info) - 1, -1, -1):
            c = info[k]
            outer = info[:k]
            is_dir = not (stem_informative and k == len(info) - 1)
            r, _blocked = self._resolve_text(c, year)
            if r.unit_id:
                res = Resolution(r.unit_id, "path", round(r.confidence * (DIR_FACTOR if is_dir else PATH_FACTOR), 4),
                                 r.candidates,
                                 f"从路径{'目录' if is_dir else '文件名'}解析 / resolved from path "
                                 f"{'directory' if is_dir else 'file name'} “{c}”"
                                 + (f" ({r.method}; {r.reason})" if r.reason else f" ({r.method})"), r.matched, "path")
                conflict = [o for o in self._outer_units(outer, year)
                            if o != r.unit_id and o not in self.ancestors(r.unit_id)]
                if conflict:
                    res.confidence = round(res.confidence * 0.6, 4)
                    res.reason += (f"; 与上级目录矛盾 / conflicts with directory unit(s) "
                                   f"{', '.join(self.units[o].label() for o in conflict)}")
                return res
            if r.ambiguous:
                outer_units = self._outer_units(outer, year)
                narrowed = [u for u in r.candidates if any(o in self.ancestors(u) or o == u for o in outer_units)]
                if len(narrowed) == 1:
                    return Resolution(narrowed[0], "path", round(CONFIDENCE["stem"] * PATH_FACTOR, 4), r.candidates,
                                      f"路径“{c}”由上级目录确定 / '{c}' narrowed by the parent directory", r.matched, "path")
                r.source = "path"
                return r
            if outer:  # a body name we do not know: read it with its directories (阿拉善左旗/财政局)
                combined = "".join(outer + [c])
                r2, _b = self._resolve_text(combined, year)
                if r2.unit_id:
                    return Resolution(r2.unit_id, "path", round(r2.confidence * PATH_FACTOR, 4), r2.candidates,
                                      f"从路径解析 / resolved from path “{combined}” ({r2.method})", r2.matched, "path")
                r2.source = "path"
                if not r2.ambiguous:
                    r2.reason = (f"路径中的“{c}”不匹配任何单位 / path component '{c}' matches no unit"
                                 + (f"; {r2.reason}" if r2.reason else ""))
                return r2
            r.source = "path"
            return r
        return _none(str(path))

    def _outer_units(self, comps: list[str], year: int | None) -> list[str]:
        out = []
        for c in comps:
            r, _b = self._resolve_text(c, year)
            if r.unit_id:
                out.append(r.unit_id)
        return out

    # public -------------------------------------------------------------------------------------
    def resolve(self, agency: str | None, path: str | None = None, year: int | None = None) -> Resolution:
        ra: Resolution | None = None
        blocked: frozenset[str] = frozenset()
        if agency is not None and agency.strip():
            ra, blocked = self._resolve_text(agency, year)
            ra.source = "agency"
            if ra.unit_id:
                return ra
        if not path:
            return ra if ra is not None else _none("", "没有机关名称也没有路径 / no agency name and no path")
        rp = self._resolve_path(path, year)
        if ra is None:
            return rp
        if ra.ambiguous:
            if rp.unit_id and rp.unit_id in ra.candidates:
                return Resolution(rp.unit_id, "path_disambiguated", round(min(rp.confidence, CONFIDENCE["stem"]), 4),
                                  ra.candidates, f"{ra.reason}; 由路径确定 / decided by the path: {rp.reason}",
                                  ra.matched, "agency+path")
            if rp.unit_id:
                ra = replace(ra, candidates=ra.candidates + [rp.unit_id],
                             reason=ra.reason + f"; 路径指向另一单位 / the path points to {self.units[rp.unit_id].label()}")
            return ra
        if rp.unit_id:
            if rp.unit_id in blocked:
                return replace(ra, reason=ra.reason + f"; 路径仅指向其上级 {self.units[rp.unit_id].label()}，"
                                                      f"不采用 / the path only names a body above it, not used",
                               candidates=ra.candidates)
            return replace(rp, reason=f"机关名称“{agency}”不匹配 / agency matches no unit; {rp.reason}")
        if rp.ambiguous:
            return replace(rp, reason=f"{ra.reason}; {rp.reason}")
        return replace(ra, reason=f"{ra.reason}; {rp.reason}")


def _display(prefix: str, text: str, written: str, t_norm: str) -> str:
    """A readable form of a generated alias (the original text where nothing was added)."""
    if not prefix and written == t_norm:
        return text
    return prefix + written


# ----------------------------------------------------------------------------------------------


def resolve(agency: str | None, path: str | None = None, year: int | None = None,
            registry: Registry | None = None) -> Resolution:
    """Resolve a report to a unit of the registry (default: the bundled one); see the module doc."""
    reg = registry if registry is not None else load_registry()
    return reg.resolve(agency, path, year)


__all__ = [
    "ALIAS_COLUMNS", "DEFAULT_DIR", "LEVELS", "KINDS", "DEADLINE_KINDS", "UNIT_COLUMNS",
    "Registry", "RegistryError", "Resolution", "Unit", "load_registry", "resolve",
]
