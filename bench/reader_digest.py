"""Digests of what the readers make of a set of files: proof that a faster reader reads the same.

Usage: python bench/reader_digest.py OUT.json [--corpus DIR ...] [--compare BEFORE.json]

For every HTML, Word, PDF and text file of the bundled sample's inbox, of the real fixtures in
../shared (fixtures/real and seed) and of each --corpus folder, records a SHA-256 of
- `pipeline.parse.parse_file`'s full output (json, sorted keys; the file's path made relative), and
- the reader's `Document` (every block, cell, provenance, note and meta entry).
Old Word (.doc, read through LibreOffice) and image files (read by OCR) are left out: no reader
of this set reads them. With --compare, prints every file whose digest differs from BEFORE.json and
exits 1 if any does. The full outputs are written next to OUT (OUT.outputs.jsonl) to diff them.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.document import UnreadableFile  # noqa: E402
from pipeline.parse import parse_file  # noqa: E402
from pipeline.readers import detect_kind, read_document  # noqa: E402

SKIP_KINDS = {"doc", "image"}


def _doc_json(data: bytes, path: Path) -> object:
    try:
        doc = read_document(data, str(path), str(path.parent))
    except UnreadableFile as e:
        return {"unreadable": str(e)}
    except Exception as e:  # a reader bug is part of what is compared
        return {"exception": f"{type(e).__name__}: {e}"}
    return {
        "kind": doc.kind,
        "blocks": [[type(b).__name__, dataclasses.asdict(b)] for b in doc.blocks],
        "notes": doc.notes,
        "meta": doc.meta,
    }


def _files(roots: list[tuple[str, Path]]):
    for label, root in roots:
        if not root.exists():
            print(f"(absent: {root})", file=sys.stderr)
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.name.endswith((".expected.json", ".json", ".jsonl", ".md", ".gz")):
                yield f"{label}/{p.relative_to(root)}", p


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--corpus", action="append", default=[], help="a generated corpus's inbox folder")
    ap.add_argument("--compare", help="digests recorded before a change")
    args = ap.parse_args()
    roots = [
        ("sample", ROOT / "assets" / "sample" / "inbox"),
        ("real", ROOT.parent / "shared" / "fixtures" / "real"),
        ("seed", ROOT.parent / "shared" / "seed"),
    ] + [(f"corpus{i}", Path(c)) for i, c in enumerate(args.corpus)]
    digests: dict[str, dict] = {}
    kinds: dict[str, int] = {}
    out = Path(args.out)
    t0 = time.process_time()
    with open(str(out) + ".outputs.jsonl", "w", encoding="utf-8") as full:
        for rel, p in _files(roots):
            data = p.read_bytes()
            try:
                kind = detect_kind(data)
            except UnreadableFile:
                kind = "unreadable"
            if kind in SKIP_KINDS:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            parsed = parse_file(p)
            parsed["path"] = rel
            parsed_s = json.dumps(parsed, sort_keys=True, ensure_ascii=False)
            doc_s = json.dumps(_doc_json(data, p), sort_keys=True, ensure_ascii=False, default=str).replace(str(p), rel)
            digests[rel] = {
                "kind": kind,
                "parse": hashlib.sha256(parsed_s.encode()).hexdigest(),
                "doc": hashlib.sha256(doc_s.encode()).hexdigest(),
            }
            full.write(json.dumps({"file": rel, "parse": parsed, "doc": json.loads(doc_s)}, ensure_ascii=False) + "\n")
    out.write_text(json.dumps(digests, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    print(f"{len(digests)} files {kinds} in {time.process_time() - t0:.1f} s CPU -> {out}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        diff = sorted(k for k in before.keys() | digests.keys() if before.get(k, {}) != digests.get(k, {}))
        for k in diff:
            b, a = before.get(k, {}), digests.get(k, {})
            what = [f for f in ("kind", "parse", "doc") if b.get(f) != a.get(f)]
            print(f"DIFFERS {k}: {', '.join(what) or 'missing'}")
        print(f"{len(diff)} of {len(digests)} files differ from {args.compare}")
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
