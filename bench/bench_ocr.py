"""OCR speed and memory (issue 12): seconds per page on one core (target ≤ 4 s) and the peak memory
of a reading worker (target ≤ 1 GB).

Usage: python bench/bench_ocr.py [--pdf PATH] [--dpi 200]
(a page is a "table" page when the grid of its tables has 60 cells or more, else a "text" page)
Makes an image-only copy of a real report (default ../shared/fixtures/real/city_2024_report.pdf:
pages rasterised, JPEG-compressed, no text layer), then, in a fresh worker process pinned to one
core with one ONNX thread, loads the model and reads the scan with `pipeline.parse.parse_file`
(the read step's per-file function). Records seconds per page, wall clock and CPU time of the worker
(on a shared machine the wall clock includes waiting for the core; the CPU time is what one core
spends), model load excluded and reported apart, the load average, and the worker's peak resident
memory (ru_maxrss) in bench/results/ocr.jsonl.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _worker(path: str, q) -> None:
    import resource

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        core = "one core (sched_setaffinity)"
    except (AttributeError, OSError):
        core = "unpinned"
    os.environ["NIANBAO_OCR_THREADS"] = "1"
    from pipeline.parse import parse_file
    from pipeline.readers import image

    per_page: list[dict] = []
    read_page = image.read_page

    def timed(gray, dpi, pno):  # CPU time of each page, and its kind (table or text page)
        c0 = time.process_time()
        page = read_page(gray, dpi, pno)
        cells = sum(1 for _, grid in page.tables for row in grid for c in row if not c.cont)
        per_page.append(
            {
                "page": pno,
                "cpu_seconds": round(time.process_time() - c0, 2),
                "table_cells": cells,
                "kind": "table" if cells >= 60 else "text",
            }
        )
        return page

    image.read_page = timed
    t0 = time.perf_counter()
    image.engine()
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    u0 = resource.getrusage(resource.RUSAGE_SELF)
    r = parse_file(path)
    took = time.perf_counter() - t1
    u1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kinds = {}
    for pg in per_page:
        kinds.setdefault(pg["kind"], []).append(pg["cpu_seconds"])
    q.put(
        {
            "per_page": per_page,
            "cpu_seconds_per_page_by_kind": {k: round(sum(v) / len(v), 2) for k, v in sorted(kinds.items())},
            "core": core,
            "model_load_seconds": round(load, 2),
            "seconds": round(took, 2),
            "cpu_seconds": round(cpu, 2),
            "load_average": round(os.getloadavg()[0], 2),
            "peak_rss_mb": round(rss_mb),
            "error": r.get("error"),
            "cells_read": sum(1 for c in (r.get("cells") or {}).values() if c["semantic"] != "MISSING"),
            "ocr_uncertain": sum(1 for p in r.get("problems") or [] if p["code"] == "ocr_uncertain"),
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf", default=str(ROOT.parent / "shared" / "fixtures" / "real" / "city_2024_report.pdf"))
    ap.add_argument("--dpi", type=int, default=200)
    args = ap.parse_args()
    import pypdfium2 as pdfium
    from scans import image_only_pdf

    src = Path(args.pdf)
    if not src.exists():
        sys.exit(f"{src} is not available")
    pages = len(pdfium.PdfDocument(str(src)))
    with tempfile.TemporaryDirectory() as tmp:
        scan = image_only_pdf(src, Path(tmp) / "scan.pdf", args.dpi)
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=_worker, args=(str(scan), q))
        p.start()
        res = q.get()
        p.join()
    res.update(
        pages=pages,
        seconds_per_page=round(res["seconds"] / pages, 2),
        cpu_seconds_per_page=round(res["cpu_seconds"] / pages, 2),
        scan_dpi=args.dpi,
        source=src.name,
    )
    rec = {
        "bench": "ocr",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "python bench/bench_ocr.py"
        + (f" --dpi {args.dpi}" if args.dpi != 200 else "")
        + (f" --pdf {args.pdf}" if src.name != "city_2024_report.pdf" else ""),
        "results": res,
    }
    out = ROOT / "bench" / "results" / "ocr.jsonl"
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps(rec, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
