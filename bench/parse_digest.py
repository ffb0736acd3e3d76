"""A digest of every file's full parse output, to prove that a change to the readers or the mapper
changes no reading (issue 15: "the same results byte for byte").

Usage:
  python bench/parse_digest.py --out BEFORE.json [--dump BEFORE.jsonl] ROOT...
  python bench/parse_digest.py --out AFTER.json --compare BEFORE.json [--dump AFTER.jsonl] ROOT...

Every file under each ROOT (recursively; *.expected.json answer keys and truth files are skipped) is
parsed with `pipeline.parse.parse_file`; its output is written as JSON with sorted keys and hashed
(sha256). `--out` records {path: digest}; `--dump` also writes each full output (one JSON line per
file) so that a difference can be shown; `--compare` lists the files whose digest differs from an
earlier record (and those missing from either) and exits 1 if there is any.
Roots used for issue 15: assets/sample/inbox, a fresh `python -m corpus.generate --mix even --scale 600`
inbox, ../shared/fixtures/real and ../shared/seed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.parse import parse_file  # noqa: E402

SKIP_SUFFIXES = (".expected.json", "truth.jsonl", "README.md")


def files_under(roots: list[str]) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        p = Path(root)
        found = [p] if p.is_file() else sorted(x for x in p.rglob("*") if x.is_file())
        out += [x for x in found if not x.name.endswith(SKIP_SUFFIXES)]
    return out


def digest(result: dict) -> tuple[str, str]:
    text = json.dumps(result, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--out", required=True, help="JSON file of {path: digest}")
    ap.add_argument("--dump", help="JSON lines of every full output")
    ap.add_argument("--compare", help="an earlier --out file: list the differences, exit 1 if any")
    args = ap.parse_args()
    digests: dict[str, str] = {}
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    try:
        for f in files_under(args.roots):
            d, text = digest(parse_file(f))
            digests[str(f.resolve())] = d
            if dump:
                dump.write(text + "\n")
    finally:
        if dump:
            dump.close()
    Path(args.out).write_text(json.dumps(digests, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(digests)} files digested -> {args.out}")
    if not args.compare:
        return 0
    before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    changed = sorted(k for k in digests.keys() & before.keys() if digests[k] != before[k])
    only_before = sorted(before.keys() - digests.keys())
    only_now = sorted(digests.keys() - before.keys())
    for k in changed:
        print("DIFFERENT", k)
    for k in only_before:
        print("MISSING NOW", k)
    for k in only_now:
        print("NEW", k)
    same = len(digests.keys() & before.keys()) - len(changed)
    print(f"{same} identical, {len(changed)} different, {len(only_before)} missing, {len(only_now)} new")
    return 1 if changed or only_before or only_now else 0


if __name__ == "__main__":
    sys.exit(main())
