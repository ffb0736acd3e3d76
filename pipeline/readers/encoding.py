"""Decoding bytes of text and HTML files: BOM, declared charset, then UTF-8, then GB18030."""

from __future__ import annotations

import codecs
import re

from ..document import UnreadableFile, problem

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_GB_FAMILY = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "euc-cn": "gb18030",
}


_NON_CJK = re.compile("[^\u4e00-\u9fff]+")
_CJK_HIGH_BYTES = bytes(range(0x4E, 0xA0))


def count_cjk(text: str) -> int:
    """len(_NON_CJK.sub("", text)), the number of characters U+4E00-U+9FFF, counted in C on the
    UTF-16 form: every character of the BMP is one code unit there, whose high byte (the odd bytes,
    little-endian) is 4E-9F exactly for these; a character beyond the BMP is two code units, and a
    lone surrogate (passed) one, with high bytes D8-DF. One encoding, one slice, one translate,
    instead of the pattern stepping through every character (or a dozen scans of the UTF-8 form)."""
    high = text.encode("utf-16-le", "surrogatepass")[1::2]
    return len(high) - len(high.translate(None, _CJK_HIGH_BYTES))


_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def visible_sample(text: str, size: int = 20000) -> str:
    """The first `size` characters a browser would show of an HTML page: scripts, styles and comments
    (a <head> full of them can run to hundreds of kilobytes) and tags are left out."""
    head = text[: max(size * 50, 1_000_000)]
    return _TAGS.sub(" ", _INVISIBLE.sub(" ", head))[:size]


# what _INVISIBLE's matches begin with (its flags, without the word boundary: more, never fewer)
_OPENER = re.compile(r"<(?:script|style|noscript|template)|<!--", re.IGNORECASE)
_PREFIX_CUT = 4096


def visible_prefix(text: str, cut: int = _PREFIX_CUT) -> str | None:
    """A prefix of `visible_sample(text, size)` before its truncation to `size` (any size), made
    from the page's first kilobytes only; None where that cannot be shown.

    The page is cut just after the first ">" from `cut` on (within the first million characters,
    which visible_sample reads). _INVISIBLE's matches in that head are its matches in the whole page
    (a match found there is the first that fits, whatever follows), and any match of the whole page
    it misses begins with an opener that stays in the head's result: so, none left, the head's
    result is a prefix of the page's (an opener cut in two cannot end with ">"). Then _TAGS: if the
    last "<" left has a ">" after it, every "<" has, and each tag removed is the one the whole page
    removes."""
    k = text.find(">", cut) + 1
    if k == 0 or k > 1_000_000:
        return None
    p = _INVISIBLE.sub(" ", text[:k])
    if _OPENER.search(p) or p.rfind("<") > p.rfind(">"):
        return None
    return _TAGS.sub(" ", p)


def _cjk_share(text: str, html: bool = False) -> float:
    sample = visible_sample(text) if html else text[:20000]
    if not sample:
        return 0.0
    # counted without a list of one-character matches (str.split and the pattern \s agree on what
    # whitespace is)
    cjk = count_cjk(sample)
    letters = len("".join(sample.split()))
    return cjk / max(letters, 1)


_FIRST_CUT = 1536


def _too_little_cjk(text: str, html: bool = False) -> bool:
    """`_cjk_share(text, html) < 0.02`, decided first from a bound where it can be: the sample's
    length is at least its letters, so with characters U+4E00-U+9FFF one in fifty or more of it, the
    share is not below 0.02 (whose nearest double is above 1/50 by less than any ratio of counts can
    tell)."""
    if html and len(text) > 2 * _PREFIX_CUT:
        # 400 characters U+4E00-U+9FFF among the sample's first (at most 20,000) characters: the
        # share is at least 400/20,000, which as a double is 0.02 itself, not below it. Tried first
        # on a head of 1,536 characters (as good a prefix, for any cut: most pages show 400 by
        # then, and the head's patterns take time by its length), then of 4,096.
        for cut in (_FIRST_CUT, _PREFIX_CUT):
            head = visible_prefix(text, cut)
            if head is not None and count_cjk(head[:20000]) >= 400:
                return False
    sample = visible_sample(text) if html else text[:20000]
    if sample and count_cjk(sample) * 50 >= len(sample):
        return False
    return _cjk_share(text, html) < 0.02


def declared_charset(data: bytes) -> str | None:
    m = _META.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    return _GB_FAMILY.get(name, name)


def decode(data: bytes, name: str, html: bool = False) -> tuple[str, list[dict]]:
    """Return (text, notes). Raises UnreadableFile when the bytes are not Chinese text at all."""
    notes: list[dict] = []
    if not data or data.isspace():  # `not data.strip()` (the same ASCII whitespace) without a copy
        raise UnreadableFile("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("the file is binary, not text, HTML, Word or PDF")
    tried: list[str] = []
    candidates: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    declared = declared_charset(data) if html else None
    if declared:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as e:
            if enc.startswith("utf-8") and e.start >= len(data) - 3 and e.reason.startswith("unexpected end"):
                # a file cut in the middle of its last character
                text = data[: e.start].decode(enc)
                notes.append(
                    problem("file_truncated", "warning", "the file ends in the middle of a character: it was cut short")
                )
            else:
                tried.append(enc)
                continue
        except LookupError:
            tried.append(enc)
            continue
        if declared and enc != declared and enc != "utf-8-sig":
            notes.append(
                problem(
                    "encoding_mismatch",
                    "info",
                    f"the page declares charset {declared} but is encoded in {enc}; read as {enc}",
                )
            )
        if _too_little_cjk(text, html):
            raise UnreadableFile(
                f"no Chinese text found after decoding as {enc}: not a report, or an encoding nianbao cannot recognise"
            )
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text, notes
    raise UnreadableFile(
        "the text is in none of the encodings reports use (tried " + ", ".join(tried) + "); "
        "it may be truncated or damaged"
    )
