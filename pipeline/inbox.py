"""The inbox: every file that enters, with its hash, size, kind and a cheap guess of its report year.

The guess (a "year hint") only decides which yearly partition reads the file; the report's real
year comes from reading it. Nothing here parses a whole report.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from .document import UnreadableFile
from .parse import MAX_BYTES, read_capped
from .readers import detect_kind
from .readers.imagepages import LATER_PAGE, is_later_page, page_group, page_key, report_sha256

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
    kind: str | None  # text | html | docx | doc | pdf, or None when unreadable at sight
    error: str | None  # why the file cannot be read at all, in words a person understands
    year_hint: int | None
    hint_source: str | None
    mtime_ns: int = 0  # with size, tells an unchanged file without reading it again

    def as_row(self) -> dict:
        return dict(vars(self))  # asdict's deep copy costs more, and every field is flat


REVIEW_DIR = "_review"  # the office's decisions (pipeline/review), beside the reports, not one of them


PAGE_IMAGES = "ignored: the images of a saved web page, read with the page"


def _ignored(rel: Path, root: Path | None = None, folder: bool = False) -> str | None:
    """Why an inbox entry (path relative to the inbox) is not a report, or None when it may be one."""
    return _ignored_parts(rel.parts, root, folder)


def _ignored_parts(parts: tuple[str, ...], root: Path | None = None, folder: bool = False) -> str | None:
    """`_ignored` of the relative path made of `parts` (no Path built for the common case: the scan
    asks this of every file)."""
    if parts and parts[0] == REVIEW_DIR:
        return "ignored: the office's review decisions (_review), not a report"
    for part in parts:
        if part.startswith(".") or part.startswith("~$") or part == "__MACOSX":
            return (
                "ignored: hidden folder (its name starts with a dot, ~$ or is __MACOSX)"
                if folder
                else "ignored: hidden file (its name starts with a dot or ~$)"
            )
    # a web page saved with its images ("报告.html" + "报告_files/"): the images belong to the page
    # (read with it when they are the report), they are not reports of their own
    if root is not None:
        for i, part in enumerate(parts):
            if part.endswith("_files"):
                stem = root.joinpath(*parts[:i], part[: -len("_files")])
                if any(stem.with_name(stem.name + ext).is_file() for ext in (".html", ".htm", ".shtml")):
                    return PAGE_IMAGES
        # page 2 … n of a report made of numbered image files (readers/imagepages.py): read with page 1
        # (only a numbered image's name can be one: page_key says so without touching the disk)
        if not folder and parts and page_key(parts[-1]) is not None and is_later_page(root.joinpath(*parts)):
            return LATER_PAGE
    return None


def display_path(rel: str) -> str:
    """A file name as a person reads it. Names that are not UTF-8 (a GBK name from an old Windows
    machine, kept by Python as surrogate escapes) are decoded as GB18030 when they are valid GBK,
    else shown with replacement characters: a manifest row, a message and the warehouse then always
    hold valid text, while the file itself is opened by its real name."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(rel)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def _kind_of_special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def scan(inbox: str | Path, previous: list[InboxFile] | None = None) -> list[InboxFile]:
    """Every entry under `inbox`, sorted by path, each with a row: files to read, and files set aside
    at sight with the reason (hidden files, links, named pipes and other special files, folders that
    cannot be opened, files over the size limit). Links are never followed: a link to a file inside
    the inbox is read as that file (usually a duplicate), a link out of the inbox is not.

    A file whose size and modification time equal those in `previous` (the last scan) is taken as
    unchanged and not hashed again.
    """
    root = Path(inbox)
    if not root.is_dir():
        raise FileNotFoundError(f"the inbox {inbox} is not a folder")
    real_root = root.resolve()
    known = {f.path: f for f in previous or () if f.mtime_ns and f.sha256}
    entries: list[tuple[str, InboxFile | None, str]] = []  # (display path, row or None to inspect, abspath)

    def aside(p: Path, reason: str, kind: str | None = None) -> None:
        rel = display_path(p.relative_to(root).as_posix())
        entries.append((rel, InboxFile(rel, str(p), 0, "", kind, reason, None, None), str(p)))

    def folder_error(e: OSError) -> None:
        p = Path(e.filename) if e.filename else root
        if p == root:
            raise FileNotFoundError(f"the inbox {inbox} cannot be opened: {e.strerror or e}")
        aside(p, f"the folder cannot be opened ({e.strerror or e}): its files were not read")

    for dirpath, dirnames, filenames in os.walk(root, onerror=folder_error, followlinks=False):
        d = Path(dirpath)
        for name in sorted(dirnames):
            p = d / name
            if p.is_symlink():
                dirnames.remove(name)
                aside(p, _link_reason(p, real_root, folder=True))
            elif why := _ignored(p.relative_to(root), root, folder=True):
                dirnames.remove(name)
                if why != PAGE_IMAGES:  # a saved page's images are read with the page: no row of their own
                    aside(p, why + "; its files were not read")
        # the files: strings, not Paths (a Path a file cost most of the scan's own time at 100,000 files)
        dstr = str(d)
        dparts = d.relative_to(root).parts
        prefix = "".join(part + "/" for part in dparts)
        for name in sorted(filenames):
            a = os.path.join(dstr, name)
            try:
                st = os.lstat(a)
            except OSError as e:
                aside(Path(a), f"the file cannot be opened: {e.strerror or e}")
                continue
            if why := _ignored_parts((*dparts, name), root):
                if why != LATER_PAGE:  # a later page is read with its page 1: no row of its own
                    aside(Path(a), why)
            elif stat.S_ISLNK(st.st_mode):
                reason = _link_reason(Path(a), real_root, folder=False)
                if reason:
                    aside(Path(a), reason)
                else:
                    entries.append((display_path(prefix + name), None, a))
            elif not stat.S_ISREG(st.st_mode):
                aside(Path(a), f"not a report file: {_kind_of_special(st.st_mode)}")
            elif st.st_size > MAX_BYTES:
                aside(
                    Path(a),
                    f"the file is {st.st_size // (1024 * 1024)} MB, larger than the "
                    f"{MAX_BYTES // (1024 * 1024)} MB a report can be; not read",
                )
            else:
                entries.append((display_path(prefix + name), None, a))
    entries.sort(key=lambda e: e[0])
    out: list[InboxFile | None] = []
    todo: list[tuple[int, str, str]] = []
    for path, row, abspath in entries:
        if row is not None:
            out.append(row)
            continue
        old = known.get(path)
        if old is not None:
            try:
                st = os.stat(abspath)
            except OSError:
                st = None
            if st is not None and st.st_size == old.size and st.st_mtime_ns == old.mtime_ns:
                out.append(InboxFile(**{**old.as_row(), "abspath": abspath}))
                continue
        todo.append((len(out), abspath, path))
        out.append(None)
    for i, f in zip((t[0] for t in todo), _inspect_all([(a, r) for _, a, r in todo])):
        out[i] = f
    return out  # type: ignore[return-value]


def _link_reason(p: Path, real_root: Path, folder: bool) -> str | None:
    """Why a symbolic link is not read (None: a link to a regular file inside the inbox, read as it)."""
    try:
        target = p.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a link to something that does not exist (a dangling link); not read"
    if target != real_root and real_root not in target.parents:
        return "a link to a file outside the inbox; links out of the inbox are not followed"
    if folder or target.is_dir():
        return "a link to a folder; not followed (the files are read where they are)"
    try:
        mode = os.stat(target).st_mode
    except OSError as e:
        return f"the file cannot be opened: {e.strerror or e}"
    if not stat.S_ISREG(mode):
        return f"a link to something that is not a report file: {_kind_of_special(mode)}"
    return None


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
        if not stat.S_ISREG(st.st_mode):
            return InboxFile(rel, str(p), 0, "", None, f"not a report file: {_kind_of_special(st.st_mode)}", None, None)
        if st.st_size > MAX_BYTES:
            return InboxFile(
                rel,
                str(p),
                st.st_size,
                "",
                None,
                f"the file is {st.st_size // (1024 * 1024)} MB, larger than the "
                f"{MAX_BYTES // (1024 * 1024)} MB a report can be; not read",
                None,
                None,
            )
        with open(p, "rb") as fh:
            data = read_capped(fh)
    except OSError as e:
        return InboxFile(rel, str(p), 0, "", None, f"the file cannot be opened: {e.strerror or e}", None, None)
    if len(data) > MAX_BYTES:
        return InboxFile(
            rel,
            str(p),
            len(data),
            "",
            None,
            f"the file is larger than the {MAX_BYTES // (1024 * 1024)} MB a report can be; not read",
            None,
            None,
        )
    sha = hashlib.sha256(data).hexdigest()
    try:
        kind = detect_kind(data)
        error = None
    except UnreadableFile as e:
        kind, error = None, str(e)
    if kind == "image" and page_group(p.parent, p.name):
        # page 1 of numbered page images: the report is every page, hashed together, and hashed
        # again at every scan (a later page may change alone)
        try:
            sha, st = report_sha256(p, data), None
        except OSError as e:
            return InboxFile(
                rel, str(p), 0, "", None, f"a page of the report cannot be opened: {e.strerror or e}", None, None
            )
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
    if st is None or st.st_size != len(data):  # written to while we read it: do not trust the time stamp
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
        with zipfile.ZipFile(BytesIO(data)) as z, z.open("word/document.xml") as xf:
            xml = xf.read(60000).decode("utf-8", errors="ignore")  # the head only, never the whole part
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))[:3000]
    elif kind == "pdf":
        # opening a PDF costs more than the hint is worth: its year comes from the path, or the
        # file is read with the latest year's partition (the year read from it is what counts)
        return None, None
    # the same as re.sub(r"[ \t\u3000\xa0]+", "", text), at a fifth of the cost (the scan's largest)
    text = text.replace(" ", "").replace("\t", "").replace("\u3000", "").replace("\xa0", "")
    y = _year_from_text(text)
    if y:
        return y, "title"
    return None, None


def latest_complete_year() -> int:
    return date.today().year - 1
