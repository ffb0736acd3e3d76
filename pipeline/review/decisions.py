"""The decisions file: the office's review decisions, kept beside the inbox.

`<inbox>/_review/decisions.csv` is UTF-8 with a byte-order mark (Excel opens it as such), one line
per decision, appended and never rewritten. Three kinds:

* `disposition` — a finding's review status: `confirmed` (the publisher must fix it), `dismissed`
  (not a problem; a reason is required) or `explained` (the unit explained it; the explanation is
  required). It names the finding by its fingerprint (unit, year, rule, instance), which survives
  rebuilds and republished reports.
* `correction` — a cell read wrongly: the report version it applies to (the file's SHA-256), the
  cell id, the corrected semantic and value, the reason (`reading_error`, `publisher_confirmed`, …).
* `assignment` — a file that was set aside, assigned to a unit (and a year when it could not be read).

Parsing never fails as a whole: a malformed line is returned as a rejected decision with its line
number and the rest still applies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REVIEW_DIR = "_review"
FILE_NAME = "decisions.csv"
COLUMNS = [
    "decision_id",
    "decided_at",
    "decided_by",
    "kind",
    "finding",
    "unit_id",
    "year",
    "rule_id",
    "instance",
    "report_sha256",
    "path",
    "cell_id",
    "status",
    "semantic",
    "value",
    "reason",
    "comment",
]
KINDS = ("disposition", "correction", "assignment")
DISPOSITIONS = ("confirmed", "dismissed", "explained")
SEMANTICS = ("NUMERIC", "ZERO", "EMPTY", "NA", "TEXT", "MISSING")
CORRECTION_REASONS = ("reading_error", "publisher_confirmed", "other")


class Refused(ValueError):
    """A decision that cannot be recorded: the message says why."""


@dataclass
class Decision:
    decision_id: str = ""
    decided_at: str = ""
    decided_by: str = ""
    kind: str = ""
    finding: str = ""  # disposition: the finding's fingerprint
    unit_id: str = ""
    year: str = ""
    rule_id: str = ""
    instance: str = ""
    report_sha256: str = ""  # correction: the report version; assignment: the file; disposition: as decided on
    path: str = ""
    cell_id: str = ""
    status: str = ""  # disposition: confirmed | dismissed | explained
    semantic: str = ""  # correction
    value: str = ""  # correction
    reason: str = ""
    comment: str = ""
    line: int = 0  # line number in the file (1 = header)
    error: str | None = field(default=None)  # why the line is malformed

    def row(self) -> list[str]:
        return [str(getattr(self, c) or "") for c in COLUMNS]

    def as_dict(self) -> dict:
        return asdict(self)


def decisions_path(inbox: str | Path) -> Path:
    return Path(inbox) / REVIEW_DIR / FILE_NAME


def fingerprint(unit_id: str, year, rule_id: str, instance: str) -> str:
    """A finding's stable id: the same unit, year, rule and instance is the same finding, whatever file
    holds the report (a republished report keeps its findings' fingerprints)."""
    key = f"{unit_id}|{int(year)}|{rule_id}|{instance}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def semantic_of(value: float) -> str:
    return "ZERO" if value == 0 else "NUMERIC"


def validate(d: Decision) -> str | None:
    """Why a decision is malformed (None when it is well formed). Whether its target exists is decided
    when it is applied, not here."""
    if not d.decided_by.strip():
        return "who decided is missing (decided_by)"
    if d.kind not in KINDS:
        return f"unknown kind {d.kind!r} (expected {', '.join(KINDS)})"
    if d.year:
        try:
            int(d.year)
        except ValueError:
            return f"year {d.year!r} is not a year"
    if d.kind == "disposition":
        if not d.finding:
            return "a disposition names no finding"
        if d.status not in DISPOSITIONS:
            return f"status {d.status!r} is not one of {', '.join(DISPOSITIONS)}"
        if d.status == "dismissed" and not d.reason.strip():
            return "a dismissal needs a reason"
        if d.status == "explained" and not (d.reason.strip() or d.comment.strip()):
            return "an explanation needs its text"
    elif d.kind == "correction":
        if not d.report_sha256 or not d.cell_id:
            return "a correction needs the report version (report_sha256) and the cell id"
        if d.semantic not in SEMANTICS:
            return f"semantic {d.semantic!r} is not one of {', '.join(SEMANTICS)}"
        if d.semantic in ("NUMERIC", "ZERO"):
            try:
                v = float(d.value)
            except ValueError:
                return f"value {d.value!r} is not a number"
            if math.isnan(v) or math.isinf(v):
                return f"value {d.value!r} is not a number"
            if semantic_of(v) != d.semantic:
                return f"value {d.value} does not match semantic {d.semantic}"
        elif d.value:
            return f"a {d.semantic} cell has no value"
        if not d.reason.strip():
            return "a correction needs a reason (reading_error, publisher_confirmed, …)"
    elif d.kind == "assignment":
        if not d.report_sha256 or not d.unit_id:
            return "an assignment needs the file (report_sha256) and the unit"
        if not d.reason.strip():
            return "an assignment needs a reason"
    return None


def parse(text: str) -> list[Decision]:
    """Every line of a decisions file, in order; malformed lines carry `error` and their line number."""
    if text.startswith("\ufeff"):
        text = text[1:]
    out: list[Decision] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    for row in reader:
        line = reader.line_num
        if header is None:
            header = [h.strip() for h in row]
            missing = [c for c in ("decision_id", "decided_by", "kind") if c not in header]
            if missing:
                out.append(Decision(line=line, error="the header lacks " + ", ".join(missing)))
                header = COLUMNS  # read the rest positionally
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            out.append(
                Decision(
                    line=line,
                    decision_id=row[0].strip() if row else "",
                    error=f"{len(row)} fields where the header has {len(header)}",
                )
            )
            continue
        values = dict(zip(header, (c.strip() for c in row)))
        d = Decision(**{c: values.get(c, "") for c in COLUMNS}, line=line)
        d.error = validate(d)
        if not d.decision_id:
            d.error = d.error or "no decision_id"
        out.append(d)
    return out


def read(inbox: str | Path) -> list[Decision]:
    p = decisions_path(inbox)
    if not p.exists():
        return []
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        return [Decision(line=0, error=f"{p} is not UTF-8 ({e})")]
    return parse(text)


def new_id(d: Decision) -> str:
    h = hashlib.sha1("|".join(d.row()[1:]).encode("utf-8") + os.urandom(8)).hexdigest()[:12]
    return "D" + h


def append(inbox: str | Path, decisions: list[Decision]) -> list[Decision]:
    """Validate and append decisions (all or none) under a lock; returns them with id and time set.

    Raises Refused for a malformed one, naming it."""
    for i, d in enumerate(decisions):
        d.decided_at = d.decided_at or _now()
        d.decided_by = d.decided_by.strip()
        err = validate(d)
        if err:
            raise Refused(err if len(decisions) == 1 else f"decision {i + 1}: {err}")
        d.decision_id = d.decision_id or new_id(d)
    p = decisions_path(inbox)
    p.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    for d in decisions:
        w.writerow(d.row())
    with open(p, "a+b") as f:
        try:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        except ImportError:  # not on POSIX: appends are still single writes
            pass
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            hb = io.StringIO(newline="")
            csv.writer(hb, lineterminator="\r\n").writerow(COLUMNS)
            f.write(b"\xef\xbb\xbf" + hb.getvalue().encode("utf-8"))
        else:
            f.seek(-1, os.SEEK_END)
            if f.read(1) not in (b"\n", b"\r"):
                f.write(b"\r\n")  # a line typed by hand without its end: never glue ours to it
        f.write(buf.getvalue().encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    return decisions
