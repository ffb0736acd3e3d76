"""Random documents for the mapper's tests (fast paths, plans): tables of rows a test makes."""

from __future__ import annotations

import random
from collections.abc import Callable

from pipeline.document import Document, GridCell, Para, Table


def random_document(
    rng: random.Random, row: Callable[[], list[GridCell]], headings: list[str], max_rows: int
) -> Document:
    """1 to 4 tables of 1 to `max_rows` rows made by `row()`, most after one of `headings`, their
    `delimited` and `explicit` flags and the document's kind (text or HTML) at random."""
    blocks: list = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.7:
            blocks.append(Para(rng.choice(headings), "line 1"))
        blocks.append(
            Table(
                rows=[row() for _ in range(rng.randint(1, max_rows))],
                at="lines 1-60",
                delimited=rng.random() < 0.7,
                explicit=rng.random() < 0.6,
            )
        )
    return Document(kind=rng.choice(["text", "html"]), blocks=blocks, notes=[], meta={})
