"""Score the reader against the answer keys of real reports.

    python -m pipeline.score [DIR]      # default: ../shared/fixtures/real next to the repository

For every `X.expected.json` in DIR next to its document `X.<ext>`: cells read exactly (semantic and
value, of 200) and each metadata field of the key right or wrong: agency (the key's
`agency_contains` is in the agency found, None when the key says None; or `agency_name` exactly),
year, format version,
and the period and publication date where the key has them (a key's null date means: none may be
found). Prints one line per file and the totals; exit status 0 when everything is right, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .parse import parse_file

FIELDS = ("agency", "year", "format_version", "period", "published_on")


def document_of(key_path: Path) -> Path | None:
    stem = key_path.name[: -len(".expected.json")]
    for p in sorted(key_path.parent.iterdir()):
        if p.stem == stem and not p.name.endswith(".json"):
            return p
    return None


def score(doc_path: Path, key: dict) -> dict:
    """{'cells_right', 'cells_total', 'wrong': [cid…], 'fields': {name: (ok, expected, found)}}."""
    r = parse_file(doc_path)
    out: dict = {"file": doc_path.name, "error": r.get("error"), "fields": {}, "wrong": []}
    cells = r.get("cells") or {}
    keyed = key.get("cells") or {}
    for cid, exp in keyed.items():
        got = cells.get(cid)
        if got is None or (got["semantic"], got["value"]) != (exp["semantic"], exp["value"]):
            out["wrong"].append(cid)
    out["cells_total"] = len(keyed)
    out["cells_right"] = len(keyed) - len(out["wrong"])
    if "agency_contains" in key:
        want, got = key["agency_contains"], r.get("agency")
        ok = got is None if want is None else bool(got) and want in got
        out["fields"]["agency"] = (ok, want, got)
    elif "agency_name" in key:  # the seed's and the generated keys: the name exactly as written
        out["fields"]["agency"] = (r.get("agency") == key["agency_name"], key["agency_name"], r.get("agency"))
    for name in ("year", "format_version"):
        if name in key:
            out["fields"][name] = (r.get(name) == key[name], key[name], r.get(name))
    for name in ("period", "published_on"):
        if name in key:
            out["fields"][name] = (r.get(name) == key[name], key[name], r.get(name))
    out["result"] = r
    return out


def keys_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.expected.json"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"
    if not folder.is_dir():
        print(f"{folder}: no such folder")
        return 2
    rows = []
    tot_cells = tot_right = tot_fields = tot_fields_right = 0
    for kp in keys_in(folder):
        doc = document_of(kp)
        if doc is None:
            print(f"{kp.name}: its document is not in {folder}")
            continue
        s = score(doc, json.loads(kp.read_text(encoding="utf-8")))
        rows.append(s)
        tot_cells += s["cells_total"]
        tot_right += s["cells_right"]
        tot_fields += len(s["fields"])
        tot_fields_right += sum(ok for ok, _, _ in s["fields"].values())
    w = max((len(s["file"]) for s in rows), default=10)
    print(f"{'file':{w}s}  cells     " + "  ".join(f"{f:14s}" for f in FIELDS))
    for s in rows:
        marks = []
        for f in FIELDS:
            if f in s["fields"]:
                marks.append("right" if s["fields"][f][0] else "WRONG")
            else:
                marks.append("-")
        print(
            f"{s['file']:{w}s}  {s['cells_right']:3d}/{s['cells_total']:<4d}  " + "  ".join(f"{m:14s}" for m in marks)
        )
    print(f"{'total':{w}s}  {tot_right}/{tot_cells}  metadata {tot_fields_right}/{tot_fields}")
    for s in rows:
        if s["error"]:
            print(f"  {s['file']}: {s['error']}")
        for f, (ok, want, got) in s["fields"].items():
            if not ok:
                print(f"  {s['file']}: {f}: expected {want!r}, found {got!r}")
        if s["wrong"]:
            shown = ", ".join(s["wrong"][:12]) + (" …" if len(s["wrong"]) > 12 else "")
            print(f"  {s['file']}: {len(s['wrong'])} cell(s) wrong: {shown}")
    return 0 if tot_right == tot_cells and tot_fields_right == tot_fields else 1


if __name__ == "__main__":
    sys.exit(main())
