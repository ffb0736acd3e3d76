"""What a page shows, as one frozen value, and where a page goes.

Each page kind has a frozen dataclass of its inputs (`unit.UnitInputs`, `group.GroupInputs`,
`index.IndexInputs`), built once per page from the loaded data; the page's context is built from that
value alone (and, for a unit page, the bulk of its report, which the value holds as DuckDB's digests).
The value's digest, salted with the code and the template, is the page's fingerprint
(`render.fingerprint`): whatever a page reads is in its inputs, so whatever changes a page changes
its fingerprint, and a field added to the inputs is covered without further ado.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import pickle


@dataclasses.dataclass(frozen=True)
class PageInputs:
    """Base of the frozen inputs of a page. Values are plain (str, numbers, None, tuples, lists, dicts
    built in a fixed order from ordered queries), so their canonical bytes are the same in every process."""

    def digest(self) -> str:
        """SHA-256 of the kind of page and of every field, name and value."""
        items = tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return hashlib.sha256(canonical((type(self).__name__, items))).hexdigest()


def canonical(obj) -> bytes:
    """Pickled bytes that depend on the values only: no memo, so two equal strings that happen to be
    one object or two give the same bytes. The inputs are built in a fixed order from ordered queries
    (dicts keep their insertion order; no set is iterated), so they are the same in every process."""
    f = io.BytesIO()
    p = pickle.Pickler(f, protocol=5)
    p.fast = True
    p.dump(obj)
    return f.getvalue()


@functools.lru_cache(maxsize=1 << 17)
def _safe(uid: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(uid))


def unit_path(uid: str, year: int) -> str:
    return f"{year}/u/{_safe(uid)}.html"


def group_path(hierarchy: str, gid: str, year: int) -> str:
    return f"{year}/g/{hierarchy}/{_safe(gid)}.html"
