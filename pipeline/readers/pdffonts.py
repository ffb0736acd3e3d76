"""PDFium reads a PDF the same way on every machine: it never looks at the installed fonts.

A PDF may use fonts it does not embed (宋体, 仿宋, reportlab's STSong-Light). PDFium then borrows a
font from the machine (/usr/share/fonts) to lay the characters out, and the borrowed font changes
the reading: where the machine has no CJK font, a cell holding a lone "无" is a text object whose
glyph has an empty box, and PDFium's text page drops such objects as invisible. The same PDF read
"无" on a machine with fonts-noto-cjk and a blank without it.

So PDFium is given one font of our own for every font a PDF names but does not embed, built here
in memory: every character is a box (half an em wide below U+2E00, a full em from there on), so no
character has an empty glyph and nothing depends on what is installed. Positions still come from
the PDF itself (its /W and /Widths arrays and text matrices); glyph shapes are never used to read.
Embedded fonts are PDFium's own business and are unaffected.
"""

from __future__ import annotations

import ctypes
import struct

import pypdfium2.raw as pdfraw

FACE = b"NianbaoBoxes"
_UPEM = 1000
_ASCENT, _DESCENT = 880, -120
_N_GLYPHS = 256  # a simple font whose code is taken as a glyph number still lands on a box
_FULL_FROM = 0x2E  # 256-character blocks from U+2E00 (CJK radicals on) are full width


def _table_checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _glyph(width: int) -> bytes:
    """One closed rectangle, 0..width by descent..ascent, four on-curve points."""
    x0, x1, y0, y1 = 0, width, _DESCENT, _ASCENT
    g = struct.pack(">hhhhh", 1, x0, y0, x1, y1)
    g += struct.pack(">H", 3)  # endPtsOfContours
    g += struct.pack(">H", 0)  # no instructions
    g += bytes([0x01] * 4)  # on curve, coordinates as 16-bit deltas
    g += struct.pack(">hhhh", x0, x1 - x0, 0, x0 - x1)
    g += struct.pack(">hhhh", y0, 0, y1 - y0, 0)
    return g + b"\0" * (-len(g) % 4)


def _cmap() -> bytes:
    """A (3,1) format 4 map sending every BMP character to glyph 1 (half) or 2 (full width).

    Each 256-character block is a segment whose idRangeOffset points at one of two shared runs of
    256 glyph numbers, so the whole plane costs a few kilobytes.
    """
    blocks = [(hi << 8, (hi << 8) | 0xFF if hi < 0xFF else 0xFFFE) for hi in range(256)]
    seg_count = len(blocks) + 1  # and the 0xFFFF terminator
    ends = [e for _, e in blocks] + [0xFFFF]
    starts = [s for s, _ in blocks] + [0xFFFF]
    deltas = [0] * len(blocks) + [1]
    offsets = []
    for i, (s, _) in enumerate(blocks):
        run = 0 if (s >> 8) < _FULL_FROM else 256  # index of the shared run in glyphIdArray
        offsets.append(2 * (seg_count - i) + 2 * run)
    offsets.append(0)
    glyph_ids = [1] * 256 + [2] * 256
    search = 2 ** (seg_count.bit_length() - 1)
    body = struct.pack(">HHHH", seg_count * 2, search * 2, search.bit_length() - 1, (seg_count - search) * 2)
    body += struct.pack(f">{seg_count}H", *ends) + b"\0\0"
    body += struct.pack(f">{seg_count}H", *starts)
    body += struct.pack(f">{seg_count}h", *deltas)
    body += struct.pack(f">{seg_count}H", *offsets)
    body += struct.pack(f">{len(glyph_ids)}H", *glyph_ids)
    sub = struct.pack(">HHH", 4, 6 + len(body), 0) + body
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub


def _name() -> bytes:
    family = FACE.decode().encode("utf-16-be")
    records = [(1, family), (2, "Regular".encode("utf-16-be")), (4, family), (6, family)]
    strings = b""
    recs = b""
    for nid, s in records:
        recs += struct.pack(">HHHHHH", 3, 1, 0x409, nid, len(s), len(strings))
        strings += s
    return struct.pack(">HHH", 0, len(records), 6 + 12 * len(records)) + recs + strings


def build_font() -> bytes:
    """The TrueType font, as bytes."""
    glyphs = [_glyph(_UPEM // 2), _glyph(_UPEM // 2), _glyph(_UPEM)]
    glyphs += [glyphs[1]] * (_N_GLYPHS - len(glyphs))
    glyf = b"".join(glyphs)
    loca, at = [], 0
    for g in glyphs:
        loca.append(at // 2)
        at += len(g)
    loca.append(at // 2)
    advances = [_UPEM // 2, _UPEM // 2, _UPEM]
    hmtx = b"".join(struct.pack(">Hh", a, 0) for a in advances) + struct.pack(">h", 0) * (_N_GLYPHS - 3)
    tables = {
        b"cmap": _cmap(),
        b"glyf": glyf,
        b"head": struct.pack(
            ">IIIIHHqqhhhhHHhhh",
            0x00010000,
            0x00010000,
            0,
            0x5F0F3CF5,
            0x000B,
            _UPEM,
            0,
            0,
            0,
            _DESCENT,
            _UPEM,
            _ASCENT,
            0,
            8,
            2,
            0,
            0,
        ),
        b"hhea": struct.pack(
            ">IhhhHhhhhhhhhhhhH", 0x00010000, _ASCENT, _DESCENT, 0, _UPEM, 0, 0, _UPEM, 1, 0, 0, 0, 0, 0, 0, 0, 3
        ),
        b"hmtx": hmtx,
        b"loca": struct.pack(f">{len(loca)}H", *loca),
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, _N_GLYPHS, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"name": _name(),
        b"post": struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0),
    }
    n = len(tables)
    search = 2 ** (n.bit_length() - 1)
    out = struct.pack(">IHHHH", 0x00010000, n, search * 16, search.bit_length() - 1, n * 16 - search * 16)
    offset = 12 + 16 * n
    directory, data = b"", b""
    for tag in sorted(tables):
        t = tables[tag]
        directory += struct.pack(">4sIII", tag, _table_checksum(t), offset + len(data), len(t))
        data += t + b"\0" * (-len(t) % 4)
    return out + directory + data


# ----------------------------------------------------------------------------------------------
# The font handed to PDFium in place of the machine's fonts

_VOIDP = ctypes.c_void_p


class _FontInfo(ctypes.Structure):
    """FPDF_SYSFONTINFO (fpdf_sysfontinfo.h), version 1, with plain pointer types for the callbacks."""

    _fields_ = [
        ("version", ctypes.c_int),
        ("Release", ctypes.CFUNCTYPE(None, _VOIDP)),
        ("EnumFonts", ctypes.CFUNCTYPE(None, _VOIDP, _VOIDP)),
        (
            "MapFont",
            ctypes.CFUNCTYPE(
                _VOIDP, _VOIDP, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, _VOIDP
            ),
        ),
        ("GetFont", ctypes.CFUNCTYPE(_VOIDP, _VOIDP, ctypes.c_char_p)),
        ("GetFontData", ctypes.CFUNCTYPE(ctypes.c_ulong, _VOIDP, _VOIDP, ctypes.c_uint, _VOIDP, ctypes.c_ulong)),
        ("GetFaceName", ctypes.CFUNCTYPE(ctypes.c_ulong, _VOIDP, _VOIDP, _VOIDP, ctypes.c_ulong)),
        ("GetFontCharset", ctypes.CFUNCTYPE(ctypes.c_int, _VOIDP, _VOIDP)),
        ("DeleteFont", ctypes.CFUNCTYPE(None, _VOIDP, _VOIDP)),
    ]


_HANDLE = 1  # the one font; PDFium only passes it back
_state: dict = {}


def _map_font(this, weight, italic, charset, pitch, face, exact):
    return _HANDLE


def _get_font(this, face):
    return _HANDLE


def _get_font_data(this, handle, table, buf, size):
    data: bytes = _state["font"]
    if table != 0:  # a single table ('ttcf' asks whether it is a collection): whole file only
        return 0
    if buf and size >= len(data):
        ctypes.memmove(buf, data, len(data))
    return len(data)


def _get_face_name(this, handle, buf, size):
    name = FACE + b"\0"
    if buf and size >= len(name):
        ctypes.memmove(buf, name, len(name))
    return len(name)


def _get_charset(this, handle):
    return 1  # DEFAULT_CHARSET: the font covers every script


def _nothing(this, *args):
    return None


def install() -> None:
    """Hand PDFium our font info (once per process; a forked worker inherits it)."""
    if "info" in _state:
        return
    _state["font"] = build_font()
    info = _FontInfo()
    info.version = 1
    impl = {
        "Release": _nothing,
        "EnumFonts": _nothing,
        "MapFont": _map_font,
        "GetFont": _get_font,
        "GetFontData": _get_font_data,
        "GetFaceName": _get_face_name,
        "GetFontCharset": _get_charset,
        "DeleteFont": _nothing,
    }
    for name, proto in _FontInfo._fields_[1:]:
        setattr(info, name, proto(impl[name]))
    _state["info"] = info  # PDFium keeps the pointer: the struct and its callbacks must live on
    pdfraw.FPDF_SetSystemFontInfo(ctypes.cast(ctypes.pointer(info), ctypes.POINTER(pdfraw.FPDF_SYSFONTINFO)))
