"""Reports per second per input kind on one core (issue: ≥ 200/s for text and HTML, ≥ 1/s for PDF).

Usage: python bench/bench_parse.py [--n 300] [--pdf-n 20] [--doc-n 0] [--tree LABEL] [--note TEXT]
Renders varied reports with the corpus writers into a temp folder, pins the process to one core,
parses every file with `pipeline.parse.parse_file` and records the rates in bench/results/parse.jsonl,
with the tree of code measured (field `tree`: the commit of the `pipeline` package imported, or
`--tree`), so that runs of two trees made in turns on a shared machine can be told apart.
Compare `per_cpu_second` (reports per CPU second of this process): on a shared machine it moves much
less with other load than the wall clock does.
With --doc-n N, N Word reports are also saved as .doc by LibreOffice and read (each read converts
the .doc back with LibreOffice, so this measures mostly LibreOffice's start-up).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test tooling (corpus/) lives at the repo root

from corpus import example_spec, write  # noqa: E402
from pipeline.parse import parse_file  # noqa: E402

CASES = {
    "text": [("text", {"layout": lay}) for lay in ("A", "B1", "B2", "C", "mixed", "wrapped")],
    "html": [
        ("html", {"encoding": "utf-8"}),
        ("html", {"encoding": "gbk", "t2_split": True}),
        ("html", {"encoding": "gb18030", "cell_wrap": "mixed"}),
    ],
    "docx": [("docx", {})],
    "pdf": [("pdf", {})],
    "doc": [("docx", {})],  # saved as .doc with LibreOffice before timing
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="files per kind for text, HTML and Word")
    ap.add_argument("--pdf-n", type=int, default=20)
    ap.add_argument("--doc-n", type=int, default=0, help=".doc files (needs LibreOffice)")
    ap.add_argument("--tree", help="label of the code measured (default: git describe of the pipeline package)")
    ap.add_argument("--note", help="a note recorded with the run")
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        core = "one core (sched_setaffinity)"
    except (AttributeError, OSError):
        core = "unpinned"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, variants in CASES.items():
            n = {"pdf": args.pdf_n, "doc": args.doc_n}.get(kind, args.n)
            if n <= 0:
                continue
            files = []
            for i in range(n):
                k, opts = variants[i % len(variants)]
                p = Path(tmp) / f"{kind}_{i}.{ {'text': 'txt'}.get(k, k) }"
                write(example_spec(i), p, k, **opts)
                files.append(p)
            if kind == "doc":
                files = _save_as_doc(files, Path(tmp))
            parse_file(files[0])  # warm caches and imports
            t, c = time.perf_counter(), time.process_time()
            bad = 0
            for f in files:
                r = parse_file(f)
                bad += "error" in r
            dt, cpu = time.perf_counter() - t, time.process_time() - c
            # CPU seconds of this process (not of LibreOffice for .doc): on a shared machine they
            # move less with other load than the wall clock does
            results[kind] = {
                "files": n,
                "seconds": round(dt, 3),
                "per_second": round(n / dt, 1),
                "errors": bad,
                "cpu_seconds": round(cpu, 3),
                "per_cpu_second": round(n / cpu, 1) if cpu else None,
            }
            print(f"{kind:5s} {n:5d} files  {dt:7.2f} s  {n / dt:8.1f} reports/s  ({cpu:.2f} s CPU)")
    record = {
        "bench": "parse",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "cores_used": core,
        "command": "python bench/bench_parse.py",
        "tree": args.tree or _tree(),
        "results": results,
    }
    if args.note:
        record["note"] = args.note
    out = Path(__file__).parent / "results" / "parse.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _tree() -> str:
    """The commit of the imported `pipeline` package's checkout (with "-dirty" for local changes)."""
    import subprocess

    import pipeline

    try:
        return (
            subprocess.run(
                ["git", "describe", "--always", "--dirty"],
                cwd=Path(pipeline.__file__).parent,
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or "unknown"
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _save_as_doc(files: list[Path], tmp: Path) -> list[Path]:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("--doc-n needs LibreOffice (apt-get install libreoffice-writer-nogui)")
    out = tmp / "doc"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
    )
    return [out / (f.stem + ".doc") for f in files]


if __name__ == "__main__":
    main()
