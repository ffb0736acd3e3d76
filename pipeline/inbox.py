"""The inbox: every file that enters, with its hash, size, kind and a cheap guess of its report year.

The guess (a "year hint") only decides which yearly partition reads the file; the report's real
year comes from reading it. Nothing here parses a whole report.
"""

from __future__ import annotations

import hashlib
import re
import time
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from .model import UnreadableFile
from .readers import detect_kind

_YEAR_IN_TITLE = re.compile(
    r"(20[1-3]\d)\s*年度?[^\n。]{0,40}?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:工作)?报告"
)
# A file modified less than this long before it is hashed is hashed again at the next scan.
RACY_NS = 2_000_000_000
_YEAR_ANY = re.compile(r"(20[1-3]\d)\s*年")
_YEAR_PATH = re.compile(r"(?<!\d)(20[1-3]\d)(?!\d)")
_TAG = re.compile(r"<[^>]{0,2000}>")


@dataclass
class InboxFile:
    path: str  # relative to the inbox, with "/" separators
    abspath: str
    size: int
    sha256: str
    kind: str | None  # text | html | docx | pdf, or None when unreadable at sight
    error: str | None  # why the file cannot be read at all, in words a person understands
    year_hint: int | None
    hint_source: str | None
    mtime_ns: int = 0  # with size, tells an unchanged file without reading it again

    def as_row(self) -> dict:
        return asdict(self)


def _ignored(rel: Path, root: Path | None = None) -> bool:
    if any(part.startswith(".") or part.startswith("~$") or part == "__MACOSX" for part in rel.parts):
        return True
    # a web page saved with its images ("报告.html" + "报告_files/"): the images belong to the page
    # (read with it when they are the report), they are not reports of their own
    if root is not None:
        for i, part in enumerate(rel.parts[:-1]):
            if part.endswith("_files"):
                stem = root.joinpath(*rel.parts[:i], part[:-len("_files")])
                if any(stem.with_name(stem.name + ext).is_file() for ext in (".html", ".htm", ".shtml")):
                    return True
    return False


def scan(inbox: str | Path, previous: list[InboxFile] | None = None) -> list[InboxFile]:
    """Every file under `inbox` (hidden files and Office lock files skipped), sorted by path.

    A file whose size and modification time equal those in `previous` (the last scan) is taken as
    unchanged and not hashed again.
    """
    root = Path(inbox)
    if not root.is_dir():
        raise FileNotFoundError(f"the inbox {inbox} is not a folder")
    known = {f.path: f for f in previous or () if f.mtime_ns and f.sha256}
    out: list[InboxFile | None] = []
    todo: list[tuple[int, str, str]] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if _ignored(rel, root) or not p.is_file():
            continue
        path = rel.as_posix()
        old = known.get(path)
        if old is not None:
            try:
                st = p.stat()
            except OSError:
                st = None
            if st is not None and st.st_size == old.size and st.st_mtime_ns == old.mtime_ns:
                out.append(InboxFile(**{**old.as_row(), "abspath": str(p)}))
                continue
        todo.append((len(out), str(p), path))
        out.append(None)
    for i, f in zip((t[0] for t in todo), _inspect_all([(a, r) for _, a, r in todo])):
        out[i] = f
    return out  # type: ignore[return-value]


def _inspect_chunk(items: list[tuple[str, str]]) -> list[InboxFile]:
    return [inspect(Path(a), r) for a, r in items]


def _inspect_all(items: list[tuple[str, str]]) -> list[InboxFile]:
    """Hash and sniff files, on every core when there are many."""
    import os
    import sys

    workers = min(os.cpu_count() or 1, 4)
    if len(items) < 200 or workers < 2 or not sys.platform.startswith("linux"):
        return _inspect_chunk(items)
    from .parallel import chunk_map

    out: list[InboxFile] = []
    for part in chunk_map(_inspect_chunk, items, workers, max(50, len(items) // (workers * 4))):
        out += part
    return out


def inspect(p: Path, rel: str) -> InboxFile:
    try:
        st = p.stat()
        data = p.read_bytes()
    except OSError as e:
        return InboxFile(rel, str(p), 0, "", None, f"the file cannot be opened: {e.strerror or e}", None, None)
    sha = hashlib.sha256(data).hexdigest()
    try:
        kind = detect_kind(data)
        error = None
    except UnreadableFile as e:
        kind, error = None, str(e)
    year, source = (None, None)
    if kind is not None:
        try:
            year, source = sniff_year(data, kind)
        except Exception:  # a damaged file: the reader will say why
            year, source = None, None
    if year is None:
        y = path_year(rel)
        if y:
            year, source = y, "path"
    if st.st_size != len(data):  # written to while we read it: do not trust the time stamp
        st = None
    elif time.time_ns() - st.st_mtime_ns < RACY_NS:
        # modified just now: a change in the same tick of the file system's clock, keeping the size,
        # would keep the time stamp too (git's "racily clean" files); hash it again next time
        st = None
    return InboxFile(rel, str(p), len(data), sha, kind, error, year, source, st.st_mtime_ns if st else 0)


def path_year(rel: str) -> int | None:
    years = [int(m) for m in _YEAR_PATH.findall(rel) if 2015 <= int(m) <= date.today().year]
    return years[-1] if years else None


def _year_from_text(text: str) -> int | None:
    m = _YEAR_IN_TITLE.search(text)
    if m:
        return int(m.group(1))
    return None


def sniff_year(data: bytes, kind: str) -> tuple[int | None, str | None]:
    """The report year as stated near the top of the file, without reading the whole report."""
    text = ""
    if kind in ("text", "html"):
        head = data[:12000]
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("gb18030", errors="ignore")
        if kind == "html":
            text = _TAG.sub("\n", text)
    elif kind == "docx":
        with zipfile.ZipFile(BytesIO(data)) as z:
            xml = z.read("word/document.xml")[:60000].decode("utf-8", errors="ignore")
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))[:3000]
    elif kind == "pdf":
        # opening a PDF costs more than the hint is worth: its year comes from the path, or the
        # file is read with the latest year's partition (the year read from it is what counts)
        return None, None
    text = re.sub(r"[ \t\u3000\xa0]+", "", text)
    y = _year_from_text(text)
    if y:
        return y, "title"
    return None, None


def latest_complete_year() -> int:
    return date.today().year - 1
