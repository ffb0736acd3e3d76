"""The resolution of a report to a reporting unit, from its agency name or its path.

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

The index of names is built by :class:`pipeline.unit_names.NameIndex`; ``Registry`` takes its
resolution methods from :class:`Resolver`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from .unit_names import _CJK, REGION_PREFIXES, STRIP_SUFFIXES, NameIndex, _Entry, _norm

_LEAD_IGNORABLE = ("关于印发", "关于公布", "关于", "印发")
_SEPARATORS = set("、,;/&和与及|-的")

# "…2024年政府信息公开工作年度报告…" at the end of a title; a leading "2024年".
_TITLE_TAIL = re.compile(r"(?:(?:19|20)\d{2}年度?)?的?(政府)?信息公开(?:工作)?(?:年度)?(?:工作)?报告.*$")
_LEAD_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
_PARENS = re.compile(r"\([^()]*\)")
_TRAILING_PAREN = re.compile(r"^(.+)\(([^()]+)\)$")
_EDGE_JUNK = re.compile(r"^[\s\-_.,:;、|/\\*#!?·•]+|[\s\-_.,:;、|/\\*#!?·•]+$")
_PATH_NOISE = re.compile(r"(?:19|20)\d{2}年?度?|[A-Za-z0-9_\-\s.]+")
# What makes a path component look like it names a body (rather than "正文", "final", "2024").
_BODY_RE = re.compile(
    r"局|委|办|院|所|中心|站|队|厅|部|处|会|政府|镇|苏木|乡|街道|旗|盟|区|县|市|嘎查|社区|署|馆|校|公司"
)

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
    return Resolution(None, "none", 0.0, list(candidates), reason or f"“{text}”不匹配任何单位 / matches no unit")


# ----------------------------------------------------------------------------------------------
# Validity


def _valid(vfrom: int | None, vto: int | None, year: int | None) -> bool:
    """Whether a name valid in [vfrom, vto] is valid for a report on ``year`` (published in
    year + 1, so either year counts)."""
    if year is None:
        return True
    return (vfrom is None or vfrom <= year + 1) and (vto is None or vto >= year)


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
# The resolution


class Resolver(NameIndex):
    """The resolution methods of :class:`pipeline.registry.Registry` (a mixin, over the index of
    :class:`pipeline.unit_names.NameIndex`)."""

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

    def _from_entries(
        self,
        text: str,
        key: str,
        entries: list[_Entry],
        year: int | None,
        factor: float = 1.0,
        method: str | None = None,
    ) -> Resolution:
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
            reason = (
                f"“{key}”是 {self.units[uid].label()} 在其他年份（{span}）的名称 / name valid in {span}, not in {year}"
            )
        return Resolution(uid, m, round(conf, 4), [uid] + [c for c in considered if c != uid], reason, key)

    def _ambiguous(self, text: str, uids: list[str], key: str | None = None) -> Resolution:
        labels = ", ".join(self.units[u].label() for u in uids)
        labels_cn = "、".join(self.units[u].label() for u in uids)
        return Resolution(
            None,
            "ambiguous",
            0.0,
            list(uids),
            f"“{key or text}”对应 {len(uids)} 个单位：{labels_cn}，无法确定 / matches {len(uids)} units: {labels}",
            key,
        )

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
                variants += [s[len(p) :] for p in REGION_PREFIXES if s.startswith(p) and len(s) > len(p) + 1]
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
                lead = lead[len(p) :]
        lead = _EDGE_JUNK.sub("", lead)
        if lead:
            names = "、".join(o[2] for o in occ)
            return _none(
                text,
                f"“{text}”中“{lead}”不属于{self._league_name}的已登记单位（其后为：{names}）/ "
                f"matches no unit: '{lead}' before {names} is not part of the registry",
            ), frozenset()
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
                        rest = rest[len(suf) :]
                        changed = True
                        break
            if rest and rest[0] not in _SEPARATORS:
                key = chain[-1][2]
                problems.append(
                    f"“{text}”：“{key}”之后的“{rest}”不是该单位的名称后缀，可能是未登记的下属机构"
                    f"（请加入 extra_units.csv）/ matches no unit: '{rest}' after {key} looks like a "
                    f"department or body below it that is not in extra_units.csv"
                )
                for c in cand:
                    blocked.add(c)
                    blocked.update(self.ancestors(c))
                continue
            heads.append((chain[-1][2], cand))
        if not heads:
            return _none(
                text,
                problems[0] if problems else None,
                [u for o in occ for u in dict.fromkeys(e.unit_id for e in self._base_keys[o[2]])],
            ), frozenset(blocked)
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
                res = Resolution(
                    r.unit_id,
                    "path",
                    round(r.confidence * (DIR_FACTOR if is_dir else PATH_FACTOR), 4),
                    r.candidates,
                    f"从路径{'目录' if is_dir else '文件名'}解析 / resolved from path "
                    f"{'directory' if is_dir else 'file name'} “{c}”"
                    + (f" ({r.method}; {r.reason})" if r.reason else f" ({r.method})"),
                    r.matched,
                    "path",
                )
                conflict = [
                    o for o in self._outer_units(outer, year) if o != r.unit_id and o not in self.ancestors(r.unit_id)
                ]
                if conflict:
                    res.confidence = round(res.confidence * 0.6, 4)
                    res.reason += (
                        f"; 与上级目录矛盾 / conflicts with directory unit(s) "
                        f"{', '.join(self.units[o].label() for o in conflict)}"
                    )
                return res
            if r.ambiguous:
                outer_units = self._outer_units(outer, year)
                narrowed = [u for u in r.candidates if any(o in self.ancestors(u) or o == u for o in outer_units)]
                if len(narrowed) == 1:
                    return Resolution(
                        narrowed[0],
                        "path",
                        round(CONFIDENCE["stem"] * PATH_FACTOR, 4),
                        r.candidates,
                        f"路径“{c}”由上级目录确定 / '{c}' narrowed by the parent directory",
                        r.matched,
                        "path",
                    )
                r.source = "path"
                return r
            if outer:  # a body name we do not know: read it with its directories (阿拉善左旗/财政局)
                combined = "".join(outer + [c])
                r2, _b = self._resolve_text(combined, year)
                if r2.unit_id:
                    return Resolution(
                        r2.unit_id,
                        "path",
                        round(r2.confidence * PATH_FACTOR, 4),
                        r2.candidates,
                        f"从路径解析 / resolved from path “{combined}” ({r2.method})",
                        r2.matched,
                        "path",
                    )
                r2.source = "path"
                if not r2.ambiguous:
                    r2.reason = f"路径中的“{c}”不匹配任何单位 / path component '{c}' matches no unit" + (
                        f"; {r2.reason}" if r2.reason else ""
                    )
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
                return Resolution(
                    rp.unit_id,
                    "path_disambiguated",
                    round(min(rp.confidence, CONFIDENCE["stem"]), 4),
                    ra.candidates,
                    f"{ra.reason}; 由路径确定 / decided by the path: {rp.reason}",
                    ra.matched,
                    "agency+path",
                )
            if rp.unit_id:
                ra = replace(
                    ra,
                    candidates=ra.candidates + [rp.unit_id],
                    reason=ra.reason + f"; 路径指向另一单位 / the path points to {self.units[rp.unit_id].label()}",
                )
            return ra
        if rp.unit_id:
            if rp.unit_id in blocked:
                return replace(
                    ra,
                    reason=ra.reason + f"; 路径仅指向其上级 {self.units[rp.unit_id].label()}，"
                    f"不采用 / the path only names a body above it, not used",
                    candidates=ra.candidates,
                )
            return replace(rp, reason=f"机关名称“{agency}”不匹配 / agency matches no unit; {rp.reason}")
        if rp.ambiguous:
            return replace(rp, reason=f"{ra.reason}; {rp.reason}")
        return replace(ra, reason=f"{ra.reason}; {rp.reason}")
