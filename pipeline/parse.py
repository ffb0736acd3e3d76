"""Parse one report file into the codebook: read -> map -> identify. Never raises for bad input."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from operator import itemgetter
from pathlib import Path

from . import PARSER_VERSION
from .codebook import section_titles
from .document import UnreadableFile, problem
from .mapper import map_document
from .ocrflags import ocr_problems
from .readers import read_document
from .report_header import identify
from .structure import SECTION_ORDER
from .textnorm import MAX_DIGITS, is_huge_number

log = logging.getLogger(__name__)

MAX_BYTES = 200 * 1024 * 1024
_READ_BY = itemgetter("read_by")


def read_capped(f, limit: int = MAX_BYTES) -> bytes:
    """The content of an open binary file, at most `limit` + 1 bytes (one more than a report may
    have, so that a caller sees a file too large). What `f.read(limit + 1)` returns, without its cost:
    that call allocates a buffer of `limit` + 1 bytes (200 MB) for every file before shrinking it,
    ~55 us a file, 6 % of reading a text report. A file that grew since its size was taken is
    read on to the same limit."""
    size = os.fstat(f.fileno()).st_size
    data = f.read(min(size, limit) + 1)
    if len(data) > size and len(data) <= limit:
        data += f.read(limit + 1 - len(data))
    return data


def parse_bytes(data: bytes, path: str, base: str | None = None) -> dict:
    """The JSON object of `nianbao parse --json` for one file's bytes. `base`: the file's folder
    (an HTML page whose report is a set of images next to it)."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        doc = read_document(data, path, base)
    except UnreadableFile as e:
        return {"path": path, "sha256": sha, "error": str(e)}
    except Exception as e:  # a reader bug or a file no reader expected: say so, never a traceback
        log.debug("reader failed on %s", path, exc_info=True)
        return {
            "path": path,
            "sha256": sha,
            "error": f"the file could not be read ({type(e).__name__}: {e}); it may be damaged",
        }
    try:
        mapped = map_document(doc)
        ident = identify(doc)
    except Exception as e:
        log.debug("mapping failed on %s", path, exc_info=True)
        return {
            "path": path,
            "sha256": sha,
            "kind": doc.kind,
            "error": f"the file was read but its tables could not be interpreted ({type(e).__name__}: {e})",
        }

    # over the output cells (every one has the mapper's seven keys): numbers too long to be true,
    # and whether any cell was read by OCR (`ocr_problems` has nothing to say otherwise); a
    # comprehension and `in` over a map, whose steps run in C rather than a loop body per cell
    huge = [
        cid
        for cells in (mapped.cells, mapped.extra_cells)
        for cid, c in cells.items()
        if c["semantic"] == "TEXT" and is_huge_number(c["raw"])
    ]
    by_ocr = "ocr" in map(_READ_BY, mapped.cells.values()) or "ocr" in map(_READ_BY, mapped.extra_cells.values())
    problems = list(doc.notes) + list(mapped.problems)
    if by_ocr:
        problems += ocr_problems(mapped.cells, mapped.extra_cells, mapped.problems)
    if huge:
        problems.append(
            problem(
                "number_implausible",
                "error",
                f"{len(huge)} cell(s) hold a number of more than {MAX_DIGITS} digits, which no "
                "report can state; kept as text, not added up",
                huge,
            )
        )
    for key in SECTION_ORDER:
        if ident.sections.get(key) is None:
            problems.append(problem("section_absent", "warning", f"section {section_titles()[key]} was not found"))
    if mapped.format_version == "2019" and ident.year and ident.year >= 2021:
        problems.append(
            problem(
                "format_2019_late",
                "warning",
                f"the 2019 trial format was used for a {ident.year} report; "
                "reports for 2021 onwards use the 2021 format",
            )
        )
    if ident.agency is None:
        problems.append(
            problem(
                "agency_unknown",
                "warning",
                "the publishing body could not be found in the title, the opening or the contact line",
            )
        )
    if ident.year is None:
        problems.append(problem("year_unknown", "warning", "the report year could not be found"))
    if not any(mapped.tables_found.values()):
        problems.append(problem("no_tables", "error", "no table of the format was found in the file"))

    return {
        "path": path,
        "sha256": sha,
        "kind": doc.kind,
        "parser_version": PARSER_VERSION,
        "format_version": mapped.format_version,
        "agency": ident.agency,
        "year": ident.year,
        "published_on": ident.published_on,
        "signed_on": ident.signed_on,
        "period": ident.period,
        "title": ident.title,
        "cells": mapped.cells,
        "extra_cells": mapped.extra_cells,
        "sections": ident.sections,
        "problems": problems,
    }


def parse_file(path: str | Path) -> dict:
    try:
        st = os.stat(path)  # one call: what Path.is_dir() then Path.stat() told
        if stat.S_ISDIR(st.st_mode):
            return {"path": str(path), "error": "this is a folder, not a file"}
        if not stat.S_ISREG(st.st_mode):  # a named pipe would block the read forever
            kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a socket or a device"
            return {"path": str(path), "error": f"this is {kind}, not a report file"}
        size = st.st_size
        if size > MAX_BYTES:
            return {"path": str(path), "error": f"the file is {size // (1024 * 1024)} MB, too large for a report"}
        with open(path, "rb") as f:
            data = read_capped(f)
        if len(data) > MAX_BYTES:
            return {"path": str(path), "error": "the file grew beyond the size limit of a report while read"}
    except FileNotFoundError:
        return {"path": str(path), "error": "no such file"}
    except PermissionError:
        return {"path": str(path), "error": "the file cannot be opened: permission denied"}
    except OSError as e:
        return {"path": str(path), "error": f"the file cannot be opened: {e.strerror or e}"}
    except ValueError as e:  # a name the system cannot take (a NUL byte in it)
        return {"path": str(path), "error": f"the file name cannot be used: {e}"}
    return parse_bytes(data, str(path), str(Path(path).parent))
