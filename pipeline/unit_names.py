"""Every written form of a reporting unit's name, and the index of them the resolver looks up.

A unit is written with or without the banner / league prefix and with any of the suffixes of its
kind (人民政府 / 政府 / 办事处 / 管委会 / 管理委员会 / 行政公署 …); only the irregular names are listed in
``assets/registry/aliases.csv``. :class:`NameIndex` generates the rest at load time, each with the
years it is valid in (see :mod:`pipeline.resolution` for how the index is used).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from pipeline.textnorm import norm_text, to_simplified

from .unit import Unit

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
STRIP_SUFFIXES = tuple(
    sorted(
        {
            "政府信息公开办公室",
            "政务公开办公室",
            "党政综合办公室",
            "党政办公室",
            "综合办公室",
            "办公室",
            "党政办",
            "政府办",
            "党工委管委会",
            "管理委员会",
            "管委会",
            "行政公署",
            "行署",
            "人民政府",
            "政府",
            "办事处",
            "机关",
        },
        key=len,
        reverse=True,
    )
)
REGION_PREFIXES = ("内蒙古自治区", "内蒙古")
_STEM_RE = re.compile(r"(苏木乡|苏木|镇|街道|乡)$")
# Chinese characters (a name of a body is written in them)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ALL_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True, slots=True)  # ~450,000 of them at 100,000 units: no __dict__ each
class _Entry:
    """One index entry: normalised key -> unit, valid in [vfrom, vto]."""

    unit_id: str
    vfrom: int | None
    vto: int | None
    method: str  # exact_full_name | exact_name | alias | stem
    tier: int  # 0 names and aliases, 1 bare stems
    display: str
    source: str


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


class NameIndex:
    """The index of every written name of the units (a mixin of :class:`pipeline.registry.Registry`:
    it reads the registry's ``units``, ``aliases`` and hierarchy and builds ``_index``)."""

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
                if (
                    self.units[pid].level != "league"
                    and not text.startswith(REGION_PREFIXES)
                    and not (
                        self._league_stem and text.startswith(self._league_stem) and self.units[pid].level != "banner"
                    )
                ):
                    items += [(lg + text, *(_intersect((vf, vt), (lvf, lvt)) or (vf, vt))) for lg, lvf, lvt in league]
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

        # one string object for each of the few sources an entry can name ("units.csv:name+prefix" …),
        # not one an entry
        derived_src: dict[tuple[str, str], str] = {}

        def derived(src: str, suffix: str) -> str:
            d = derived_src.get((src, suffix))
            if d is None:
                d = derived_src[(src, suffix)] = src + suffix
            return d

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
                qualified = (
                    self._qualified(core, prefixes)
                    or core.startswith(REGION_PREFIXES)
                    or (
                        bool(self._league_stem)
                        and core.startswith(self._league_stem)
                        and u.level not in ("league", "banner")
                    )
                )
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
                    src_p = src if not p else derived(src, "+prefix")
                    for w in written:
                        key = p + w
                        # a readable form: the original text where nothing was added, else the key itself
                        display = text if not ptext and w == t else key
                        e = _Entry(uid, rng[0], rng[1], method_of(key), 0, display, src_p)
                        add(index, key, e)
                        if is_dept:  # found inside a longer text as a whole (关于额济纳旗财政局…)
                            add(base_keys, key, e)
                    if stem != core and len(stem) >= 2:
                        key = p + stem
                        add(index, key, _Entry(uid, rng[0], rng[1], "stem", 1, key, derived(src, "+stem")))

        self._index = dict(index)
        self._base_keys = dict(base_keys)
        by_first: dict[str, list[str]] = defaultdict(list)
        for k in sorted(self._base_keys, key=len, reverse=True):
            by_first[k[0]].append(k)
        self._base_by_first = dict(by_first)

    @staticmethod
    def _qualified(core: str, prefixes) -> bool:
        return any(p and core.startswith(p) for p, _a, _b in prefixes)
