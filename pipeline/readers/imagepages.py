"""A report published as several image files, one per page (photos or scans of the printed pages).

The pages of one report are the image files (.jpg, .jpeg, .png, .tif, .tiff, mixed freely) of one
folder whose names are the same except for a page number at the end: `报告_1.jpg`, `报告_2.jpg`,
`报告_3.png`; `报告(1).jpg`, `报告(2).jpg`; `报告第1页.jpg`, `报告第2页.jpg`; `1.jpg`, `2.jpg`. The numbers
must run 1, 2, … n without a gap or a repeat, n ≥ 2. Such a set is one report: its row in the
inbox is page 1 (hashed over every page, so changing any page reads it again), pages 2 … n have no
row of their own (they are read with page 1, in page-number order). Any other image file, or a set
with a gap, is read on its own.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
_NUMBERED = re.compile(r"^(.*?)(\d{1,3})(页|\)|）|)$")

LATER_PAGE = "ignored: a later page of a report made of numbered image files, read with its page 1"


def page_key(name: str) -> tuple[str, str, int] | None:
    """(text before the number, text after it, page number) of an image file name, or None."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in IMAGE_SUFFIXES:
        return None
    m = _NUMBERED.match(stem)
    if not m or (m.group(1) and m.group(1)[-1].isdigit()):
        return None
    return m.group(1), m.group(3), int(m.group(2))


@lru_cache(maxsize=256)
def _groups(folder: str, stamp: int) -> dict[str, list[str]]:
    """Every complete set of numbered page images in a folder: page-1 name -> names in page order."""
    sets: dict[tuple[str, str], dict[int, list[str]]] = {}
    try:
        names = os.listdir(folder)
    except OSError:
        return {}
    for name in names:
        key = page_key(name)
        if key is not None:
            sets.setdefault(key[:2], {}).setdefault(key[2], []).append(name)
    out: dict[str, list[str]] = {}
    for pages in sets.values():
        n = len(pages)
        if (
            n >= 2
            and sorted(pages) == list(range(1, n + 1))
            and all(len(v) == 1 for v in pages.values())
            and all(os.path.isfile(os.path.join(folder, pages[i][0])) for i in pages)
        ):
            out[pages[1][0]] = [pages[i][0] for i in range(1, n + 1)]
    return out


def page_group(folder: str | Path, name: str) -> list[Path]:
    """The pages (paths, in order) of the report the image file `name` in `folder` is a page of,
    or [] when it is not one of a set of numbered pages."""
    if page_key(name) is None:
        return []
    folder = str(folder)
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return []
    for names in _groups(folder, stamp).values():
        if name in names:
            return [Path(folder) / n for n in names]
    return []


def is_later_page(path: Path) -> bool:
    """True for page 2 … n of a set of numbered page images (read with page 1)."""
    group = page_group(path.parent, path.name)
    return bool(group) and group[0].name != path.name


def report_sha256(path: str | Path, data: bytes) -> str:
    """The content hash of the report whose file `path` holds `data`: of `data` alone, or, for page 1
    of numbered page images, of every page in order (OSError when a later page cannot be read)."""
    import hashlib

    from ..document import UnreadableFile
    from .kinds import detect_kind

    h = hashlib.sha256(data)
    path = Path(path)
    pages = page_group(path.parent, path.name)
    try:
        image = bool(pages) and detect_kind(data) == "image"
    except UnreadableFile:
        image = False
    if image and pages[0].name == path.name:
        for other in pages[1:]:
            h.update(other.read_bytes())
    return h.hexdigest()
