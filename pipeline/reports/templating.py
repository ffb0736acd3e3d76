"""The pages' Jinja2 environment: the templates' escape, the form's tables as the templates draw them
(`FormTables`) and the cells' <td>s, memoised (`td`). Split from `render`, which drives the workers."""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .layout import (
    FORM_WORDS,
    T2_BLOCKS,
    T2V2019_BLOCKS,
    T3_COLUMNS,
    T3_HEADER_NOTE,
    T3_ROWS,
    T4_COLUMNS,
    T4_GROUPS,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "reports"  # the Jinja2 templates and their CSS

TD_MEMO_MAX = 30_000  # at most ~20 MB (measured: 50,000 numeric <td>s, 32 MB)


def _h(v) -> str:
    """markupsafe.escape as a plain string, with a fast path for text that needs no escaping."""
    if type(v) is not str:
        return str(escape(v))
    if "&" in v or "<" in v or ">" in v or "'" in v or '"' in v:
        return (
            v.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    return v


def td(c: dict, colspan: int = 1) -> Markup:
    """One cell of the drawn tables (see reports/_tables.html): a Python function, not a macro,
    because a page draws two hundred of them."""
    return Markup(_td(c, colspan))


def _td(c: dict, colspan: int = 1) -> str:
    out = f'<td class="v {_h(c["cls"])}"'
    if colspan > 1:
        out += f' colspan="{colspan}"'
    out += f' data-cell="{_h(c["id"])}" data-sem="{_h(c["sem"])}"'
    if c["title"]:
        out += f' title="{_h(c["title"])}"'
    out += f'><span class="val">{_h(c["text"])}</span>'
    for m in c["marks"]:
        out += (
            f'<a class="mk mk-{_h(m["status"])}" href="#f{_h(m["n"])}" title="{_h(m["title"])}">'
            f"{_h(m['n'])}{_h(m['side'])}</a>"
        )
    if c["sub"]:
        out += f'<span class="sub">{_h(c["sub"])}</span>'
    return out + "</td>"


class _Keys:
    """`cells` when a drawn table's skeleton is taken: `cells[key]` is the key itself."""

    def __getitem__(self, key):
        return key


def _td_mark(c, colspan: int = 1) -> Markup:
    return Markup(f"\x00{c}\x01{colspan}\x00")


class FormTables:
    """The three drawn tables (the macros table2, table3 and table4 of reports/_tables.html) filled
    in Python. A table's markup is the macro's: each macro is rendered once per set of arguments
    with a `td` that leaves a mark per cell, which splits the output into fixed text and the
    (cell key, colspan) of each cell; a page then joins the fixed text with `td` of its own cells.
    The same bytes as calling the macro, without the template engine's work on two hundred cells
    (an expression, a lookup and an escape each) on every page."""

    def __init__(self):
        self._env: jinja2.Environment | None = None
        self._skeletons: dict[tuple, tuple] = {}
        self._tds: dict[tuple, str] = {}  # a cell without marks -> its <td>; bounded (TD_MEMO_MAX)

    def _skeleton(self, name: str, args: tuple) -> tuple:
        key = (name, repr(args))
        sk = self._skeletons.get(key)
        if sk is None:
            if self._env is None:
                self._env = environment(cell=_td_mark)
            macro = getattr(self._env.get_template("_tables.html").module, name)
            parts = str(macro(_Keys(), *args)).split("\x00")
            fixed = tuple(parts[0::2])
            cells = tuple((k, int(n)) for k, n in (p.split("\x01") for p in parts[1::2]))
            sk = self._skeletons[key] = (fixed, cells)
        return sk

    def _fill(self, name: str, cells: dict, args: tuple) -> Markup:
        fixed, keys = self._skeleton(name, args)
        out = [fixed[0]]
        memo = self._tds
        for (k, span), text in zip(keys, fixed[1:]):
            c = cells[k]
            if c["marks"] or c["sub"]:
                out.append(_td(c, span))
            else:
                # a cell without marks is its five strings: most recur from page to page (a 0, a blank)
                key = (c["cls"], c["id"], c["sem"], c["title"], c["text"], span)
                html = memo.get(key)
                if html is None:
                    html = _td(c, span)
                    if len(memo) >= TD_MEMO_MAX:
                        memo.clear()
                    memo[key] = html
                out.append(html)
            out.append(text)
        return Markup("".join(out))

    def table2(self, cells: dict, *args) -> Markup:
        return self._fill("table2", cells, args)

    def table3(self, cells: dict, *args) -> Markup:
        return self._fill("table3", cells, args)

    def table4(self, cells: dict) -> Markup:
        return self._fill("table4", cells, ())


_DICT_ATTRS = frozenset(dir(dict))
try:  # MarkupSafe's own escaping of a plain string (C, from its speedups when built)
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - another MarkupSafe: its escape() everywhere
    _escape_inner = None
_new_str = str.__new__


def _escape(s):
    """markupsafe.escape with a plain string made into Markup without Markup's constructor (a Python
    function, which for a plain string only calls str's): what a template's `{{ … }}` calls, millions
    of times in a render. Anything but a plain string goes to markupsafe.escape."""
    if type(s) is str:
        return _new_str(Markup, _escape_inner(s))
    return escape(s)


class _Template(jinja2.Template):
    """A compiled template whose outputs are escaped by `_escape` (the same Markup as markupsafe.escape)."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        t = super().from_code(environment, code, globals, uptodate)
        ns = t.root_render_func.__globals__  # the template module's namespace: its macros' too
        if _escape_inner is not None and ns.get("escape") is escape:
            ns["escape"] = _escape
        return t


class _Environment(jinja2.Environment):
    """Jinja's environment with `a.b` on a plain dict looked up as `a['b']` first. Jinja tries the
    attribute first, and on a dict that raises AttributeError (an exception per `{{ f.n }}`, millions
    in a render) before the item is looked up; a dict has no attribute but those of `dir(dict)`, so
    for any other name the result is the same: the item, or Jinja's own answer when it is missing."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    template_class = _Template


def environment(cell=None) -> jinja2.Environment:
    """The pages' template environment (`cell`: how a drawn table's cell is written, `td` but when
    FormTables takes a table's skeleton)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        T2_BLOCKS=T2_BLOCKS,
        T2V2019_BLOCKS=T2V2019_BLOCKS,
        T3_ROWS=T3_ROWS,
        T3_COLUMNS=T3_COLUMNS,
        T3_HEADER_NOTE=T3_HEADER_NOTE,
        T4_GROUPS=T4_GROUPS,
        T4_COLUMNS=T4_COLUMNS,
        FORM=FORM_WORDS,
        td=cell or td,
    )
    if cell is None:
        env.globals["form"] = FormTables()
    return env
