"""Plans: the mapping of a document of a shape already mapped, without mapping it again.

Reports written from one template differ in their values, not in their labels, headers and layout;
the mapper decides what a report's rows and columns are from the labels and headers, and asks of a
value only questions every "plain" value answers alike. A document's *shape* is what the mapper can
tell of it: its kind; the section each heading opens (the other paragraphs change nothing); for each
table its `delimited` and `explicit` flags, its rows' lengths and each cell's text — a plain value's
text replaced by one token, `PLAIN` — with its `cont` and `read_by` where they are not the commonest
(False, None). Two documents of one shape are mapped to the same choice of grid cells for every
output cell, and to the same format, tables found and problems.

A plain value (`plain`) is a written text that reads as a value (`value_like`: a number, zero, NA,
whitespace) and that no question the mapper asks of a cell's text tells apart from another: no
header, column, marker, label, group, vocabulary, spam or converter's generic header of any table
(each tested here, `plain`'s list is the list of them). What else the mapper does with a value's
text is `text == ""` or its truth (the same for every plain value: written, not ""), except where a
value's number decides (a row without its label placed by the table's sums, Table 4's spare blank
cells): those always add a problem, and a plan is kept only for a mapping without problems.

The plan of a shape (made by `walk.map_document` the first time it maps a document of that shape
without problems) is the position of the grid cell each output cell is made from, in the order of
the document's cells (`shape`'s `flat`), with the format and the tables found; `walk` builds the
output cells of a document of a known shape from its own grid cells by the plan, with the same code
that builds them after a mapping. tests/test_mapper_plans.py compares both paths.
"""

from __future__ import annotations

import os
from itertools import chain

from ..codebook import codebook
from ..document import GridCell, Para
from ..structure import is_spam, section_of_heading, table_vocab
from ..textnorm import Memo
from .common import _GENERIC_COL, value_like
from .table2 import T2Reader, _marker
from .table3_rows import _header_token
from .table4 import _head

PLAIN = ("plain value",)  # the token of a plain value's text in a shape (a tuple: no text is equal to it)


def _all_contexts() -> frozenset[str]:
    cb = codebook()
    return frozenset({e.context for e in cb.t3_rows if e.context} | {"rows"})


def plain(text: str) -> bool:
    """A written value that every question of the mapper about a cell's text answers as it answers
    for any other plain value (see the module's doc)."""
    if not text or not value_like(text):
        return False
    cb = codebook()
    return (
        T2Reader._column(text) is None
        and not cb.is_t2_header(text)
        and _marker(text) is None
        and cb.t2_row(text) is None
        and cb.t2v2019_row(text) is None
        and _header_token(text) is None
        # a Table 3 row in no context is a row in none (the context only narrows the rows)
        and cb.t3_row(text, _all_contexts()) is None
        and cb.t3_row_group(text) is None
        and _GENERIC_COL.match(text) is None
        and _head(text) is None
        and table_vocab(text) is None
        and not is_spam(text)
    )


_TOKEN = Memo(lambda text: PLAIN if plain(text) else text, 65536, 80)


def shape(doc) -> tuple[tuple, list[GridCell | None]]:
    """The document's shape (hashable) and its grid cells in reading order (`flat`), then None (the
    place -1 of a plan: no cell)."""
    token = _TOKEN
    key: list = [doc.kind]
    flat: list[GridCell | None] = []
    for b in doc.blocks:
        if isinstance(b, Para):  # (as map_document tells a paragraph)
            h = section_of_heading(b.text)
            if h:  # (a paragraph that is no heading changes nothing the mapper keeps)
                key.append(h[0])
            continue
        # the rows' lengths and the tokens of their cells in a run (the rows told apart by their
        # lengths): one comprehension a table, not one a row
        rows = b.rows
        start = len(flat)
        flat.extend(chain.from_iterable(rows))
        tokens = [
            token[c.text] if not c.cont and c.read_by is None else (token[c.text], c.cont, c.read_by)
            for c in flat[start:]
        ]
        key.append((b.delimited, b.explicit, tuple(map(len, rows)), tuple(tokens)))
    flat.append(None)
    return tuple(key), flat


class Plan:
    __slots__ = ("form", "extra", "format_version", "tables_found")

    def __init__(self, form: list[int], extra: list[tuple[str, int]], format_version, tables_found) -> None:
        self.form = form  # per output cell of the form, in its order: the grid cell's place in `flat`, -1 none
        self.extra = extra  # (cell id, place) of the cells outside the form, in their order
        self.format_version = format_version
        self.tables_found = tables_found


PLANS: dict[tuple, Plan] = {}

# A plan is made when a shape is mapped the second time, not the first: making one costs about a
# fifth of a mapping (0.045 of 0.26 ms, an HTML report), lost on a shape never seen again. The shapes
# mapped once are remembered by their hashes only (a collision makes a plan one mapping early).
PLAN_AT_FIRST = False
_SEEN: set[int] = set()
_MAX_SEEN = 16384  # (about 1 MB of hashes; emptied when full)


def worth_a_plan(key: tuple) -> bool:
    """Whether to keep the plan of this mapping: the shape was mapped before (or PLAN_AT_FIRST)."""
    if PLAN_AT_FIRST:
        return True
    h = hash(key)
    if h in _SEEN:
        return True
    if len(_SEEN) >= _MAX_SEEN:
        _SEEN.clear()
    _SEEN.add(h)
    return False


# A switch of the process (not a setting): NIANBAO_CHECK_PLANS=FILE maps every document mapped by a
# plan by its rows too, keeps the rows' mapping, and appends a line to FILE for each difference.
# The test suite sets it (tests/conftest.py) and fails when FILE is not empty: every test that maps a
# shape seen before, in its own process or a child, checks the plans against the general path.
CHECK = os.environ.get("NIANBAO_CHECK_PLANS") or None


def differs(a, b) -> str | None:
    """What differs between two mappings of one document (order included), or None."""
    for name in ("format_version", "tables_found", "problems", "cells", "extra_cells"):
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, dict):
            x, y = list(x.items()), list(y.items())
        if x != y:
            if name.endswith("cells"):
                got = dict(x)
                for cid, cell in y:
                    if got.get(cid) != cell:
                        return f"{name} {cid}: plan {got.get(cid)!r}, rows {cell!r}"
            return f"{name}: plan {x!r}, rows {y!r}"
    return None


def report(doc, what: str) -> None:
    with open(CHECK, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {doc.kind} {len(doc.blocks)} blocks: {what}\n")


# emptied when it holds this many plans or the shapes of this many cells in all (a plan and its key:
# ~10 KB for an HTML report of 4 tables, ~280 cells; a few MB in all)
_MAX_PLANS = 512
_MAX_CELLS = 250_000
_held = [0]  # the cells of the shapes held


def make(
    key: tuple,
    flat: list[GridCell | None],
    form: list[GridCell | None],
    extra: list[tuple[str, GridCell | None]],
    format_version,
    tables_found,
) -> None:
    """Keep the plan of a mapping without problems: the places of its grid cells in `flat` (none
    kept if a cell is not one of the document's)."""
    place = {id(c): i for i, c in enumerate(flat) if c is not None}
    try:
        p_form = [place[id(c)] if c is not None else -1 for c in form]
        p_extra = [(cid, place[id(c)] if c is not None else -1) for cid, c in extra]
    except KeyError:
        return
    if len(PLANS) >= _MAX_PLANS or _held[0] + len(flat) > _MAX_CELLS:
        PLANS.clear()
        _held[0] = 0
    if len(flat) > _MAX_CELLS:
        return
    _held[0] += len(flat)
    PLANS[key] = Plan(p_form, p_extra, format_version, dict(tables_found))
