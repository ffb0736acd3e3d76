"""The layout-independent document every reader produces, and the parsed report the mapper returns.

Readers know about bytes, encodings, pipes, HTML tags, Word XML and PDF pages; they produce a
`Document`: paragraphs and tables in reading order, every cell with its provenance. Nothing after
the readers knows which kind of file a report came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class UnreadableFile(Exception):
    """A file that cannot be read at all. The message is shown to a person: say why, plainly."""


@dataclass(slots=True)
class GridCell:
    text: str
    at: str
    # True when this grid position is covered by a merged cell that starts elsewhere (rowspan,
    # colspan, Word gridSpan/vMerge, PDF merged region). It is not a cell of its own: never a value.
    cont: bool = False
    # Provenance of the text: which reader read it (None: the document's kind) and how sure it is
    # (1.0 for text layers; an OCR reader gives its recognition confidence).
    read_by: str | None = None
    confidence: float = 1.0


@dataclass(slots=True)
class Table:
    rows: list[list[GridCell]]
    at: str
    # False when blank cells may have vanished from the source (cells separated by blank lines
    # only): a row with fewer values than columns is then ambiguous, never left-aligned.
    delimited: bool = True
    # True when every cell is explicitly delimited (pipes, tabs, a real grid): a text cell is then a
    # cell, never a piece of a label wrapped over lines
    explicit: bool = True


@dataclass(slots=True)
class Para:
    text: str
    at: str


Block = Para | Table


@dataclass(slots=True)
class Document:
    kind: str  # text | html | docx | doc | pdf
    blocks: list[Block]
    notes: list[dict] = field(default_factory=list)  # reader-level problems (encoding fallback, ...)
    meta: dict = field(default_factory=dict)  # e.g. html <title>, pdf page count

    def paragraphs(self) -> list[Para]:
        return [b for b in self.blocks if isinstance(b, Para)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def problem(code: str, severity: str, message: str, cells: list[str] | None = None) -> dict:
    return {"code": code, "severity": severity, "message": message, "cells": list(cells or [])}
