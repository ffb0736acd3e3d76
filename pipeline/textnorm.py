"""Text normalisation shared by every reader, the mapper and the checks.

Two kinds of text matter here: labels (row labels, column headers, headings), which are compared
against the codebook after heavy normalisation, and cell values, which are classified into the
semantics of FORMAT.md without ever turning one into another.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources


class Memo(dict):
    """`fn(key)` of the keys seen, as a dict lookup (the same table lines, labels and numbers recur
    in every report): keys up to `longest` characters are kept, and the memo is emptied when it
    holds `size` of them."""

    def __init__(self, fn, size: int, longest: int | None = None):
        super().__init__()
        self.fn, self.size, self.longest = fn, size, longest

    def __missing__(self, key: str):
        v = self.fn(key)
        if self.longest is None or len(key) <= self.longest:
            if len(self) >= self.size:
                self.clear()
            self[key] = v
        return v


# ----------------------------------------------------------------------------------------------
# Traditional -> simplified, character by character (mirror sites convert whole pages).


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    text = resources.files("pipeline").joinpath("data/t2s.txt").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if len(line) == 2 and not line.startswith("#"):
            table[ord(line[0])] = line[1]
    return table


def to_simplified(text: str) -> str:
    """Map traditional characters to simplified ones; other text is unchanged."""
    if FAST and _no_traditional(text):
        return text  # what translate gives: nothing in it to map
    return text.translate(_t2s_table())


# The fast paths of this module (a test for "nothing to map" before `to_simplified`'s translation,
# NFKC and the punctuation of `norm_text` by str.replace) are on; tests/test_textnorm_fast.py turns
# them off to compare with the general paths. str.translate with a dict looks every character up
# in it (~0.15 us a character): on the lines and cells met once (a report's own narrative, names,
# dates) it was most of what reading a new report costs beyond the known tables.
FAST = True


def _no_traditional(text: str) -> bool:
    """True only for a text holding no key of the traditional -> simplified table (so that
    `to_simplified` leaves it as it is): ASCII; or every character in GB2312 (the encoder, in C,
    succeeds) and none of the few table keys that GB2312 also holds (`_T2S_IN_GB2312`). Whatever
    else (a character outside GB2312): whether any key is in it, asked of the key set."""
    if text.isascii():
        return True
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return _T2S_KEYS.isdisjoint(text)
    return _t2s_in_gb2312().search(text) is None


def _encodes_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _t2s_in_gb2312() -> re.Pattern:
    """A class of the table's keys that GB2312 encodes (traditional forms that are also simplified
    characters of other words, 乾 著 ...)."""
    keys = sorted(k for k in _T2S_KEYS if _encodes_gb2312(k))
    return re.compile("[" + "".join(re.escape(k) for k in keys) + "]" if keys else "(?!)")


# A few characters that occur only in traditional text; used to decide whether a page needs it.
_TRAD_MARKERS = set("開與報請務資訊關機處規總計數項結審轉辦則發佈廢現類據權當議訴體會區縣鎮見導")


def looks_traditional(text: str, sample: int = 4000) -> bool:
    head = text[:sample]
    return sum(1 for ch in head if ch in _TRAD_MARKERS) >= 3


# ----------------------------------------------------------------------------------------------
# Labels

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# Leading ordinals: 一、 (一) 1. 1、 (1) ① 第一 ... possibly several in a row ("三、(一)").
_ORDINAL = re.compile(
    r"^(?:"
    r"[一二三四五六七八九十]+[、.．,，]"
    r"|[(（][一二三四五六七八九十]+[)）][、.．]?"
    r"|[(（]?\d{1,2}[)）][、.．]?"
    r"|\d{1,2}(?:[、.．,，](?!\d))"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    r")+"
)
_PUNCT = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "【": "(",
        "】": ")",
        "[": "(",
        "]": ")",
        "〔": "(",
        "〕": ")",
        "“": "",
        "”": "",
        '"': "",
        "'": "",
        "‘": "",
        "’": "",
        "「": "",
        "」": "",
        "《": "",
        "》": "",
        "：": ":",
        "，": ",",
        "。": ".",
        "；": ";",
        "、": "、",
    }
)


def clean(text: str | None) -> str:
    """Collapse whitespace of a cell's raw text, keep everything else."""
    if not text:
        return ""
    if len(text) <= 80:  # a cell or a short line: the same ones recur in every report
        return _clean_short(text)
    return _ws_collapse(text)


@lru_cache(maxsize=65536)
def _clean_short(text: str) -> str:
    return _ws_collapse(text)


def _ws_collapse(text: str) -> str:
    """_WS.sub(" ", text).strip(): without a zero-width space or BOM, the pieces str.split() makes
    (it splits at what `\\s` matches and str.strip strips: str.isspace) joined by one space."""
    if FAST and "\u200b" not in text and "\ufeff" not in text:
        return " ".join(text.split())
    return _WS.sub(" ", text).strip()


def _ws_remove(text: str) -> str:
    """_WS.sub("", text), by str.split() as `_ws_collapse`."""
    if FAST and "\u200b" not in text and "\ufeff" not in text:
        return "".join(text.split())
    return _WS.sub("", text)


@lru_cache(maxsize=65536)
def norm_text(text: str) -> str:
    """NFKC, simplified characters, no whitespace at all; punctuation kept (brackets unified)."""
    if FAST and _BY_REPLACE:
        return _norm_text_by_replace(text)
    return _norm_text_general(text)


def _norm_text_general(text: str) -> str:
    """norm_text's general path: what it is."""
    t = unicodedata.normalize("NFKC", text)
    t = to_simplified(t)
    t = _WS.sub("", t)
    return t.translate(_PUNCT)


# norm_text of a long text met once (a report's narrative: the checks), uncached and by a path that is
# cheaper on long texts, the same result (tests/test_checks_paths.py holds it to norm_text):
# - translate(_PUNCT) looks every character up in a dict; a str.replace per character that changes is
#   a scan at C speed, and the same result as long as no replacement is itself replaced (_BY_REPLACE);
# - a narrative is not NFKC only for its full-width punctuation and digits, which NFKC would normalise
#   character by character. Each replaced by its compatibility decomposition, the text has the same
#   NFKD, hence the same NFKC; if it is then NFKC already (is_normalized: exact), that is NFKC(text);
# - to_simplified changes nothing in a text without a traditional character.
_PUNCT_PAIRS = tuple((chr(k), v or "") for k, v in _PUNCT.items() if chr(k) != v)
_BY_REPLACE = not any(c == a for _, v in _PUNCT_PAIRS for c in v for a, _ in _PUNCT_PAIRS)
_FULL_WIDTH = tuple(
    (c, d)
    for c in "，：；（）！？％\u3000０１２３４５６７８９"
    if len(d := unicodedata.normalize("NFKD", c)) == 1 and d != c
)
_T2S_KEYS = frozenset(map(chr, _t2s_table()))


def _nfkc(text: str) -> str:
    if unicodedata.is_normalized("NFKC", text):  # (exact: NFKC already, the commonest case)
        return text
    s = text
    for c, d in _FULL_WIDTH:
        s = s.replace(c, d)
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", text)


def _nfkc_of(text: str) -> str:
    """unicodedata.normalize("NFKC", text), by `_nfkc` (the fast path)."""
    return _nfkc(text) if FAST else unicodedata.normalize("NFKC", text)


def norm_text_long(text: str) -> str:
    """norm_text(text), not cached, by the path for long texts met once (see above)."""
    if not _BY_REPLACE:
        return _norm_text_general(text)
    return _norm_text_by_replace(text)


def _norm_text_by_replace(text: str) -> str:
    """norm_text(text) by the path above (norm_text's own when `_BY_REPLACE`)."""
    t = _nfkc(text)
    t = _ws_remove(to_simplified(t))
    for a, v in _PUNCT_PAIRS:
        t = t.replace(a, v)
    return t


@lru_cache(maxsize=65536)
def norm_label(text: str) -> str:
    """A label as compared with the codebook: normalised, leading ordinals removed."""
    t = norm_text(text)
    t = _ORDINAL.sub("", t)
    # variants a traditional-character page leaves behind after conversion (反覆 -> 反复)
    t = t.replace("覆", "复").replace("資訊", "信息").replace("资讯", "信息")
    return t.strip(":.;,、")


def ordinal_of(text: str) -> str | None:
    """The leading Chinese ordinal of a heading ("三、..." -> "三"), if any."""
    t = norm_text(text)
    m = re.match(r"^([一二三四五六七八九十]+)[、.．,，]", t)
    if m:
        return m.group(1)
    m = re.match(r"^第([一二三四五六七八九十]+)(?:部分|章|节)", t)
    if m:
        return m.group(1)
    return None


# ----------------------------------------------------------------------------------------------
# Values

NUMERIC, ZERO, EMPTY, NA, TEXT, MISSING = "NUMERIC", "ZERO", "EMPTY", "NA", "TEXT", "MISSING"
SEMANTICS = (NUMERIC, ZERO, EMPTY, NA, TEXT, MISSING)

_NA_WORDS = {
    "/",
    "-",
    "—",
    "——",
    "－",
    "―",
    "─",
    "--",
    "---",
    "\\",
    "无",
    "不适用",
    "不涉及",
    "N/A",
    "n/a",
    "/件",
    "-件",
    "无件",
}
_UNIT = r"(?:件|个|项|次|条|万元|元|宗|起|人次|份|篇|家)?"
_NUM = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?" + _UNIT + r"$")


# A number with more digits before the point than this (10^12 and more) is not a count or a fee any
# report can state: such a cell is kept as TEXT (with a problem, see parse.py), never a value that
# could overflow a float or turn a sum into inf.
MAX_DIGITS = 12


def is_huge_number(raw: str | None) -> bool:
    """True for a cell written as a number too large to be one (see MAX_DIGITS)."""
    if not raw:
        return False
    m = _NUM.match(_ws_remove(_nfkc_of(raw)))
    return bool(m) and len(m.group(2).replace(",", "").lstrip("0")) > MAX_DIGITS


_NA_LONGEST = max(map(len, _NA_WORDS))


@lru_cache(maxsize=65536)
def _classify(raw: str) -> tuple[str, float | int | None]:
    return _classify_uncached(raw)


def classify_value(raw: str | None) -> tuple[str, float | int | None]:
    """Classify a present cell's raw text into (semantic, value) (memoised)."""
    if raw is None:
        return EMPTY, None
    return _classify(raw)


def _classify_uncached(raw: str | None) -> tuple[str, float | int | None]:
    """Classify a present cell's raw text into (semantic, value).

    Never called for a cell that is not in the document (that is MISSING, decided by the mapper).
    """
    if raw is None:
        return EMPTY, None
    t = _ws_remove(_nfkc_of(raw))
    if t == "":
        return EMPTY, None
    # (to_simplified maps a character to one character: a text longer than every NA word is none)
    if t in _NA_WORDS or all(ch in "/-—－―─\\" for ch in t) or len(t) <= _NA_LONGEST and to_simplified(t) in _NA_WORDS:
        return NA, None
    m = _NUM.match(t)
    if m:
        sign, whole, frac = m.groups()
        whole = whole.replace(",", "")
        if len(whole.lstrip("0")) > MAX_DIGITS:  # no count or fee of a report is that large: kept as text
            return TEXT, None
        value: float | int = float(whole + frac) if frac else int(whole)
        if sign == "-":
            value = -value
        if value == 0:
            return ZERO, 0
        return NUMERIC, value
    return TEXT, None


# Characters OCR confuses with digits. Applied only to a cell the mapper reads as a value (never to a
# label), and only when the whole cell then reads as a number.
_OCR_DIGITS = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "〇": "0",
        "○": "0",
        "Q": "0",
        "D": "0",
        "口": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "!": "1",
        "丨": "1",
        "J": "1",
        "Z": "2",
        "z": "2",
        "S": "5",
        "s": "5",
        "B": "8",
        "g": "9",
        "q": "9",
        "，": ",",
        "。": ".",
        "·": ".",
    }
)


def ocr_number(raw: str | None) -> str | None:
    """The text of an OCR-read value cell with digit look-alikes normalised (full-width digits, O→0,
    I/l/|→1, ...), or None when it does not then read as a number (it is left as read)."""
    if not raw:
        return None
    t = _ws_remove(_nfkc_of(raw))
    if not t or _NUM.match(t):
        return None
    fixed = t.translate(_OCR_DIGITS)
    if fixed == t or not _NUM.match(fixed):
        return None
    # letters alone are a digit only when it is the usual confusion of a lone 0 or 1
    if any(ch.isdigit() for ch in t) or t in ("O", "o", "〇", "○", "I", "l", "|", "丨"):
        return fixed
    return None


def is_value_like(raw: str | None) -> bool:
    """True for text that reads as a table value (number, zero, blank, NA)."""
    return classify_value(raw)[0] in (NUMERIC, ZERO, EMPTY, NA)


# ----------------------------------------------------------------------------------------------
# Chinese numerals and dates

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_year_to_int(text: str) -> int | None:
    """二〇二四 -> 2024."""
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    return None


def cn_small_to_int(text: str) -> int | None:
    """十二 -> 12, 三十一 -> 31, digits pass through."""
    if text.isdigit():
        return int(text)
    if not text:
        return None
    if text == "十":
        return 10
    if "十" in text:
        a, _, b = text.partition("十")
        tens = _CN_DIGITS.get(a, 1) if a else 1
        ones = _CN_DIGITS.get(b, 0) if b else 0
        return tens * 10 + ones
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None
