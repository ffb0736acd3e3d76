"""Text as copied from web pages.

Layouts seen in real reports, all handled by one tokenizer in which "|" terminates a cell and a
line break ends a row:
  A      a row per line, cells joined by " | ", row ending in " |"        规章 | 0 | 1 | |
  B1     one cell per line, each ending in " |", spacer lines "|||"      规章 |
  B2     one cell per line, each followed by a line "|"                  规章 / |
  C      one cell per line separated by blank lines, no pipes at all     规章 / (blank) / 0
  mixed  any of the above inside one table; a row's closing "|" wrapped onto the next line
  tabs   cells separated by tabs (a browser's copy of a table)
A table region is a run of lines made of pipes, table vocabulary and values; headings and prose end
it. The reader only splits cells; deciding which cell is which is the mapper's job.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..document import Document, GridCell, Para, Table, problem
from ..structure import is_spam, looks_like_table_token, section_of_heading, table_vocab
from ..textnorm import Memo as _Memo
from ..textnorm import clean, is_value_like, norm_text
from .encoding import decode

# The reader's fast paths are on; tests/test_mapper_fast.py turns them off to compare every document
# with the general path's.
FAST = True

_HEADING, _PIPE, _TAB, _BLANK, _SPAM, _TOKEN, _PROSE, _FRAG = range(8)
_HEADING_B, _PROSE_B = bytes([_HEADING]), bytes([_PROSE])
_TABLE_LINE_B = (bytes([_PIPE]), bytes([_TAB]), bytes([_TOKEN]))
_BAR_CHARS = "｜│┃¦"
_BARS = str.maketrans({"｜": "|", "│": "|", "┃": "|", "¦": "|"})
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_SENTENCE = re.compile(r"\d\s*件|。|；")
_PAGE_MARK = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)\s*$")


def _classify_line(line: str) -> int:
    s = line.strip()
    if not s:
        return _BLANK
    if "|" in s:
        return _PIPE
    if section_of_heading(s):
        return _HEADING
    if is_spam(s) or _PAGE_MARK.match(s):
        return _SPAM
    if _SENTENCE.search(s) and not is_value_like(s):
        return _PROSE
    raw = line.strip(" \r\n")
    if "\t" in raw:
        parts = [c for c in raw.split("\t") if c.strip()]
        if len(parts) >= 2 or (parts and table_vocab(parts[0])):
            return _TAB
    if len(norm_text(s)) <= 60 and looks_like_table_token(s):
        return _TOKEN
    pieces = split_spaced(s)
    if len(pieces) > 1 and len(norm_text(pieces[0])) <= 60 and (looks_like_table_token(pieces[0]) or len(pieces) >= 4):
        return _TOKEN
    if len(norm_text(s)) <= 16:
        return _FRAG  # a piece of a label wrapped over lines (PDF copies): kept inside a table
    return _PROSE


_KINDS = _Memo(_classify_line, 65536, 120)  # the kind of a line: a function of the line alone


def read_text(data: bytes, name: str) -> Document:
    text, notes = decode(data, name)
    # full-width and box-drawing bars are pipes too
    if any(b in text for b in _BAR_CHARS):
        text = text.translate(_BARS)
    lines = _unflatten(text.split("\n"), text)
    # a markdown table's separator row ("|---|:---:|") is not a row of cells
    if "---" in text:
        lines = ["" if _MD_SEPARATOR.match(ln) else ln for ln in lines]
    kinds = list(map(_KINDS.__getitem__, lines))
    kinds_b = bytes(kinds)
    blocks: list = []
    spam_lines: list[int] = []

    i, n = 0, len(lines)
    while i < n:
        k = kinds[i]
        if k in (_PIPE, _TAB, _TOKEN):
            if FAST:
                # the region runs to the next heading or prose line; its last table line is the last
                # pipe, tab or token line before that: found in the kinds as bytes, by find and rfind
                ends = [e for e in (kinds_b.find(_HEADING_B, i), kinds_b.find(_PROSE_B, i)) if e >= 0]
                j = min(ends) if ends else n
                last_table_line = max(kinds_b.rfind(b, i, j) for b in _TABLE_LINE_B)
            else:
                j = i
                last_table_line = i
                while j < n and kinds[j] in (_PIPE, _TAB, _TOKEN, _BLANK, _SPAM, _FRAG):
                    if kinds[j] in (_PIPE, _TAB, _TOKEN):
                        last_table_line = j
                    j += 1
            # a region ends with its last table line; fragments after it belong to the text
            while j > last_table_line + 1 and kinds[j - 1] in (_FRAG, _SPAM):
                j -= 1
            end = j  # trailing blank lines belong to the region: in layout C they may be an empty cell
            region = range(i, end)
            vocab = 0  # lines with table vocabulary: two are enough
            for r in region:
                if kinds[r] != _SPAM and _has_vocab(lines[r]):
                    vocab += 1
                    if vocab >= 2:
                        break
            if vocab >= 2 or vocab == 1 and any(_value_row(lines[r]) for r in region):
                table, spam = _tokenize(lines, kinds, i, end)
                spam_lines += spam
                blocks.append(table)
            else:
                for r in region:
                    if kinds[r] == _SPAM:
                        spam_lines.append(r + 1)
                    elif kinds[r] != _BLANK:
                        blocks.append(Para(clean(lines[r]), f"line {r + 1}"))
            i = end
            continue
        if k == _SPAM:
            spam_lines.append(i + 1)
        elif k != _BLANK:
            blocks.append(Para(clean(lines[i]), f"line {i + 1}"))
        i += 1

    if spam_lines:
        shown = ", ".join(str(x) for x in spam_lines[:8]) + (" …" if len(spam_lines) > 8 else "")
        notes.append(
            problem(
                "spam_ignored",
                "info",
                f"{len(spam_lines)} line(s) of page furniture or mirror-site spam ignored (line {shown})",
            )
        )
    furniture = [clean(lines[i - 1]) for i in spam_lines[:80]]
    return Document(kind="text", blocks=blocks, notes=notes, meta={"furniture": furniture})


# words of Table 2 one of which a flattened Table 2 line holds
_FLAT_MARKERS = ("规章", "規章", "信息内容", "信息內容", "第二十条", "第二十條", "规范性文件", "規範性文件")


def _unflatten(lines: list[str], text: str) -> list[str]:
    """A whole table flattened onto one line after its headers (text copied from a page:
    "… 现行有效件数 规章 0 0 0 行政规范性文件 2 0 15 第二十条第（五）项 …"): one line per row.
    `lines` is `text` split at "\n"."""
    # a line without pipes or tabs, with a Table 2 word and seven spaces or more: the lines holding
    # one of the words are found from the words' places in the text, not by testing every line
    places = []
    for word in _FLAT_MARKERS:
        pos = text.find(word)
        while pos >= 0:
            places.append(pos)
            pos = text.find(word, pos + 1)
    at: list[int] = []
    line = prev = 0
    for pos in sorted(places):
        line += text.count("\n", prev, pos)
        prev = pos
        if not at or at[-1] != line:
            at.append(line)
    cand = [i for i in at if lines[i].count(" ") >= 7 and "|" not in lines[i] and "\t" not in lines[i]]
    if not cand:
        return lines
    out = list(lines)
    for i in reversed(cand):
        rows = _flat_rows(lines[i])
        if rows is not None:
            out[i : i + 1] = [" ".join(r) for r in rows]
    return out


def _flat_rows(line: str) -> list[list[str]] | None:
    tokens = line.split()
    if len(tokens) < 8 or _SENTENCE.search(line.replace("件数", "")) and "。" in line:
        return None
    values = [is_value_like(t) for t in tokens]
    vocab = [not v and table_vocab(t) is not None for t, v in zip(tokens, values)]
    if sum(values) < 3 or sum(vocab) < 2 or sum(values) + sum(vocab) < 0.8 * len(tokens):
        return None
    from ..codebook import codebook

    cb = codebook()
    rows: list[list[str]] = []
    cur: list[str] = []
    for t, is_val in zip(tokens, values):
        start = False
        if cur:
            prev_val = values[len([x for r in rows for x in r]) + len(cur) - 1]
            if is_val:
                # values after a header of Table 4 (no row label there) start the value row
                start = not prev_val and (cb.t4_column(cur[-1]) is not None or cb.t4_group(cur[-1]) is not None)
            elif (
                prev_val
                or re.match(r"^第[二十]+条", t)
                or norm_text(t) == "信息内容"
                or re.match(r"^第[二十]+条", cur[0])
            ):
                start = True
            elif cb.t2_row(t) or cb.t2v2019_row(t) or cb.t3_row_group(t) or cb.t3_row(t, {"rows"}):
                start = not (cb.t3_row_group(cur[-1]) and len(cur) == 1)
        if start:
            rows.append(cur)
            cur = []
        cur.append(t)
    if cur:
        rows.append(cur)
    return rows if len(rows) >= 2 else None


@lru_cache(maxsize=65536)
def _value_row(line: str) -> bool:
    """A pipe row of five or more values (Table 4's values under a header too garbled to be
    vocabulary)."""
    if "|" not in line:
        return False
    cells = [p.strip() for p in line.split("|") if p.strip()]
    return len(cells) >= 5 and all(is_value_like(c) for c in cells)


@lru_cache(maxsize=65536)
def _has_vocab(line: str) -> bool:
    s = line.strip()
    if "|" in s:
        return any(table_vocab(p) for p in s.split("|") if p.strip())
    if "\t" in s:
        return any(table_vocab(p) for p in s.split("\t") if p.strip())
    return table_vocab(s) is not None


def _tokenize(lines: list[str], kinds: list[int], start: int, end: int) -> tuple[Table, list[int]]:
    """Split a table region into rows of cells."""
    rows: list[list[GridCell]] = []
    cur: list[GridCell] = []
    pending: tuple[str, str] | None = None  # content not yet terminated by "|", and its line ("line 12")
    spam: list[int] = []
    region_kinds = kinds[start:end]
    has_pipes = _PIPE in region_kinds
    if FAST and _TAB not in region_kinds:
        # one cell per line: layout B2 (each cell's line followed by a line "|") or C (no pipes)
        simple = _cell_line_rows(lines, kinds, start, end) if has_pipes else _blank_rows(lines, kinds, start, end)
        if simple is not None:
            rows_, spam_, delimited_ = simple
            return Table(rows=rows_, at=f"lines {start + 1}-{end}", delimited=delimited_, explicit=has_pipes), spam_
    # markdown-style rows "| a | b |": every pipe line with content opens with a pipe (three or more)
    content_pipe_lines = 0
    if has_pipes:
        for r in range(start, end):
            if kinds[r] == _PIPE and lines[r].replace("|", "").strip():
                if not lines[r].strip().startswith("|"):
                    content_pipe_lines = 0
                    break
                content_pipe_lines += 1
    markdown = content_pipe_lines >= 3
    blank_run = 0
    saw_blank_marker = False

    region_text = "\n".join(lines[start:end])
    markup = "&" in region_text or "<" in region_text
    ctext = _CELL_TEXT

    if FAST and has_pipes and not markdown and not markup:
        simple = _pipe_rows(lines, kinds, start, end) if _PIPE_ONLY.issuperset(region_kinds) else None
        if simple is None and _TAB not in region_kinds:
            simple = _wrapped_rows(lines, kinds, start, end)
        if simple is not None:
            return Table(rows=simple[0], at=f"lines {start + 1}-{end}", delimited=True, explicit=True), simple[1]

    def cell(txt: str, at: str) -> GridCell:
        if markup and ("&" in txt or "<" in txt):
            return GridCell(clean(_unmarkup(txt)), at)
        return GridCell(ctext[txt], at)

    def flush() -> None:
        nonlocal cur
        if cur:
            rows.append(cur)
            cur = []

    def next_nonblank(r: int) -> int | None:
        """The next non-blank line of the region after line r (None at its end)."""
        r += 1
        while r < end and kinds[r] == _BLANK:
            r += 1
        return r if r < end else None

    for r in range(start, end):
        k = kinds[r]
        if k == _BLANK:
            blank_run += 1
            continue
        lineno = r + 1
        if k == _SPAM:
            spam.append(lineno)
            continue
        line = lines[r]
        at = _LINE_AT[lineno] if lineno < _LINES_NAMED else f"line {lineno}"
        if blank_run:
            if blank_run >= 3 and not has_pipes and rows:
                # Layout C: an empty cell is written as an extra pair of blank lines.
                saw_blank_marker = True
                for _ in range((blank_run - 1) // 2):
                    rows.append([GridCell("", f"line {lineno - 1}")])
            blank_run = 0

        if k == _PIPE:
            parts = line.split("|")
            if pending is not None:
                if parts[0].strip() == "":
                    # this line's first pipe closes the cell left open on the previous line
                    cur.append(cell(pending[0], pending[1]))
                    pending = None
                    parts = parts[1:]
                else:
                    cur.append(cell(pending[0], pending[1]))
                    pending = None
                    if cur:
                        rows.append(cur)
                        cur = []
            elif markdown and not cur and len(parts) > 2 and parts[0].strip() == "":
                # a markdown-style row "| a | b |": the leading pipe opens the row
                parts = parts[1:]
            if markup:
                for p in parts[:-1]:
                    cur.append(cell(p, at))
            else:
                cur += [GridCell(ctext[p], at) for p in parts[:-1]]
            raw_tail = parts[-1] if parts else ""
            if not raw_tail:  # the line ends with its pipe: the row ends
                if cur:
                    rows.append(cur)
                    cur = []
                continue
            tail = raw_tail.strip()
            nxt = next_nonblank(r)
            if not tail and nxt is not None and lines[nxt].strip() == "|" and len(parts) > 1:
                # "a | b | " then a line "|": the last cell is open and empty, closed on the next line
                pending = ("", at)
                continue
            if tail:
                pending = (tail, at)
                # the row continues only if the next non-blank line starts with "|"
                if nxt is None or not lines[nxt].lstrip().startswith("|"):
                    cur.append(cell(pending[0], pending[1]))
                    pending = None
                    flush()
            else:
                flush()
        elif k == _TAB:
            if pending is not None:
                cur.append(cell(pending[0], pending[1]))
                pending = None
            flush()
            for p in line.split("\t"):
                cur.append(cell(p, at))
            flush()
        else:  # a line without pipes: one cell, closed by a "|" on the next line or by the line end
            if pending is not None:
                cur.append(cell(pending[0], pending[1]))
                pending = None
                flush()
            if r + 1 < end and kinds[r + 1] != _BLANK and lines[r + 1].lstrip().startswith("|"):
                pending = (line.strip(), at)
            else:
                if markup:
                    for piece in _SPACED[line]:
                        cur.append(cell(piece, at))
                else:
                    cur += [GridCell(ctext[piece], at) for piece in _SPACED[line]]
                rows.append(cur)  # never empty: a line gives one piece at least
                cur = []
    if pending is not None:
        cur.append(cell(pending[0], pending[1]))
    flush()
    if not has_pipes and rows and blank_run >= 3:
        saw_blank_marker = True
        for _ in range((blank_run - 1) // 2):
            rows.append([GridCell("", f"line {end}")])
    delimited = has_pipes or saw_blank_marker
    explicit = has_pipes or _TAB in region_kinds
    return Table(rows=rows, at=f"lines {start + 1}-{end}", delimited=delimited, explicit=explicit), spam


_LINES_NAMED = 4096
_LINE_AT = [f"line {i}" for i in range(_LINES_NAMED)]  # a cell's place, "line 12", made once

_PIPE_ONLY = frozenset((_PIPE, _BLANK, _SPAM))


def _pipe_rows(lines: list[str], kinds: list[int], start: int, end: int) -> tuple[list, list[int]] | None:
    """The rows and page-furniture lines of a region whose every line is a row ending with its pipe
    ("规章 | 0 | 1 | |", "规章 |", "|||"), a blank line or furniture: what `_tokenize` makes of it
    (no cell is left open, so a line is a row: its cells, the pieces before its last pipe), made
    without its tests of each line; None for a region of another shape."""
    rows: list[list[GridCell]] = []
    spam: list[int] = []
    ctext = _CELL_TEXT
    for r in range(start, end):
        k = kinds[r]
        if k == _PIPE:
            line = lines[r]
            if line[-1] != "|":
                return None
            at = _LINE_AT[r + 1] if r + 1 < _LINES_NAMED else f"line {r + 1}"
            if line.count("|") == 1:  # one cell and its closing pipe (layout B1)
                rows.append([GridCell(ctext[line[:-1]], at)])
            else:
                rows.append([GridCell(ctext[p], at) for p in line.split("|")[:-1]])
        elif k == _SPAM:
            spam.append(r + 1)
        elif k != _BLANK:
            return None
    return rows, spam


def _wrapped_rows(lines: list[str], kinds: list[int], start: int, end: int) -> tuple[list, list[int]] | None:
    """The rows and furniture lines of a region with pipes, neither markdown nor markup nor tabs,
    whose every line is blank, furniture, or begins a row and ends it (layouts A, B1, B2 and mixed,
    and a row's closing pipe wrapped onto the next line): what `_tokenize` makes of it, without its
    tests of each line. A row begins with no cell open and ends as follows:
    - a line ending with its pipe: its cells, the pieces before its last pipe ("|" alone: a row of
      one empty cell);
    - a line with pipes whose last cell is left open, then a line exactly "|": the pieces before
      its last pipe and the stripped last piece (the "|" closes the cell, and ending its line, the row);
    - a line without pipes, then a line exactly "|": its stripped text (layout B2);
    - a line without pipes whose next line is blank or opens with no pipe: its space-split pieces.
    None for a region with any other line (the general loop reads it)."""
    rows: list[list[GridCell]] = []
    spam: list[int] = []
    ctext = _CELL_TEXT
    r = start
    while r < end:
        k = kinds[r]
        if k == _BLANK:
            r += 1
            continue
        if k == _SPAM:
            spam.append(r + 1)
            r += 1
            continue
        if k == _TAB:
            return None
        line = lines[r]
        at = _LINE_AT[r + 1] if r + 1 < _LINES_NAMED else f"line {r + 1}"
        closed = r + 1 < end and lines[r + 1] == "|"  # the next line exactly "|" closes an open cell
        if k == _PIPE:
            parts = line.split("|")
            tail = parts.pop()
            if not tail:
                rows.append([GridCell(ctext[p], at) for p in parts])
                r += 1
                continue
            if not closed:
                return None
            row = [GridCell(ctext[p], at) for p in parts]
            row.append(GridCell(ctext[tail.strip()], at))
            rows.append(row)
            r += 2
            continue
        if closed:
            rows.append([GridCell(ctext[line.strip()], at)])
            r += 2
            continue
        if r + 1 < end and kinds[r + 1] != _BLANK and lines[r + 1].lstrip().startswith("|"):
            return None
        rows.append([GridCell(ctext[piece], at) for piece in _SPACED[line]])
        r += 1
    return rows, spam


def _cell_line_rows(lines: list[str], kinds: list[int], start: int, end: int) -> tuple[list, list[int], bool] | None:
    """Layout B2: the rows and furniture lines of a region whose every line is blank, furniture, a
    line exactly "|", or a cell's line (no pipe, tab, "&" or "<") right before a line "|": what
    `_tokenize` makes of it (the cell's line leaves its stripped text open, the "|" closes the cell
    and, ending the line, the row: a row of one cell a line; any other "|" finds no cell open and
    no row under way, and is a row of one empty cell, the text before its pipe); None for a region
    of another shape."""
    rows: list[list[GridCell]] = []
    spam: list[int] = []
    ctext = _CELL_TEXT
    r = start
    while r < end:
        k = kinds[r]
        if k == _BLANK:
            r += 1
            continue
        if k == _SPAM:
            spam.append(r + 1)
            r += 1
            continue
        if k == _PIPE and lines[r] == "|":  # a "|" with no cell open: a row of one empty cell
            at = _LINE_AT[r + 1] if r + 1 < _LINES_NAMED else f"line {r + 1}"
            rows.append([GridCell(ctext[""], at)])
            r += 1
            continue
        if k == _PIPE or k == _TAB or r + 1 >= end or lines[r + 1] != "|":
            return None
        line = lines[r]
        if "&" in line or "<" in line:
            return None
        at = _LINE_AT[r + 1] if r + 1 < _LINES_NAMED else f"line {r + 1}"
        rows.append([GridCell(ctext[line.strip()], at)])
        r += 2
    if not rows:
        return None
    return rows, spam, True


def _blank_rows(lines: list[str], kinds: list[int], start: int, end: int) -> tuple[list, list[int], bool] | None:
    """Layout C: the rows, furniture lines and "delimited" of a region without pipes or tabs whose
    lines hold no "&" or "<": what `_tokenize` makes of it (a line is a row of its space-split
    pieces; a run of three or more blank lines after a row stands for empty cells, one row of one
    empty cell per extra pair); None for a region of another shape."""
    rows: list[list[GridCell]] = []
    spam: list[int] = []
    ctext = _CELL_TEXT
    spaced = _SPACED
    blank_run = 0
    marker = False
    for r in range(start, end):
        k = kinds[r]
        if k == _BLANK:
            blank_run += 1
            continue
        if k == _SPAM:
            spam.append(r + 1)
            continue
        line = lines[r]
        if k == _PIPE or k == _TAB or "&" in line or "<" in line:
            return None
        if blank_run:
            if blank_run >= 3 and rows:
                marker = True
                for _ in range((blank_run - 1) // 2):
                    rows.append([GridCell("", f"line {r}")])
            blank_run = 0
        at = _LINE_AT[r + 1] if r + 1 < _LINES_NAMED else f"line {r + 1}"
        rows.append([GridCell(ctext[p], at) for p in spaced[line]])
    if rows and blank_run >= 3:
        marker = True
        for _ in range((blank_run - 1) // 2):
            rows.append([GridCell("", f"line {end}")])
    return rows, spam, marker


_CELL_TEXT = _Memo(clean, 131072)  # clean(text) of a cell's text
_SPACED = _Memo(lambda line: tuple(split_spaced(line)), 65536, 120)  # a line's space-split pieces


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:]*(?:\s[^<>]*)?/?>")


def _unmarkup(text: str) -> str:
    """HTML left in a converted table's cell: "&nbsp;", "<o:p> </o:p>", "<br>" are blank space."""
    import html

    return html.unescape(_TAG.sub(" ", text)).replace("\xa0", " ")


def split_spaced(line: str) -> list[str]:
    """Cells of a line copied from a PDF viewer, where cells are separated by spaces only:
    "规章 1 0 11" -> label and values; "72 64 178 …" -> values; "信息内容 本年制发件数 …" -> headers.
    A line that is none of these stays one cell."""
    tokens = line.split()
    if len(tokens) < 2:
        return [line]
    value = [is_value_like(t) for t in tokens]
    if all(value):
        return tokens
    k = len(tokens)
    while k > 0 and value[k - 1]:
        k -= 1
    if 0 < k < len(tokens):
        prefix = " ".join(tokens[:k])
        if _CJK.search(prefix) and (table_vocab(prefix) or len(tokens) - k >= 3):
            # "三、本年度办理结果 （一）予以公开 2 0 …": labels of two levels, each a cell of its own
            # (as a tab-separated copy gives them); "1. 属于国家秘密" stays one label
            if k >= 2 and all(table_vocab(t) for t in tokens[:k]):
                return tokens[:k] + tokens[k:]
            return [prefix] + tokens[k:]
    if all(len(t) <= 10 for t in tokens) and any(table_vocab(t) for t in tokens) and not any(value):
        return tokens
    return [line]


_CJK = re.compile("[\u4e00-\u9fff]")
