"""The corpus generator: deterministic, every defect kind present and recorded with its cells, the
format's identities true wherever no defect was injected, the bundled sample regenerable, and every
generated file read back by the parser exactly as the truth says."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from corpus.generate import (
    BAD_KINDS,
    DEFAULT_RATES,
    DEFECT_KINDS,
    EVEN_FORMS,
    OCR_ROLES,
    SAMPLE_DIR,
    T3_APPLICANT_COLUMNS,
    Generator,
    build_sample,
    check_identities,
    plan_corpus,
    select_units,
)
from pipeline.codebook import cell_ids
from pipeline.parse import parse_file
from pipeline.registry import load_registry

SAMPLE_TRUTH = SAMPLE_DIR / "truth.jsonl"
CELL_IDS = set(cell_ids())
# defects whose cells must be listed (the others concern the page or the narrative)
CELL_DEFECTS = {
    "arithmetic_slip",
    "split_digit",
    "blank_cells",
    "na_cells",
    "truncated_table",
    "malformed_t4",
    "format_2019",
    "rules_nonzero",
    "carryover_break",
    "fees_unmentioned",
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return load(SAMPLE_TRUTH)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, list[dict]]:
    """72 reports in every form and layout (the "even" mix), with bad files."""
    out = tmp_path_factory.mktemp("small")
    Generator(out, seed=11, units="alxa", mix="even", scale=72).run()
    return out, load(out / "truth.jsonl")


def reports(truth: list[dict]) -> list[dict]:
    return [t for t in truth if t["expected_status"] in ("read", "superseded") and t.get("cells") and not t.get("bad")]


# ------------------------------------------------------------------------------------------------


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    Generator(a, seed=5, units="alxa", mix="default", scale=40).run()
    Generator(b, seed=5, units="alxa", mix="default", scale=40, workers=2).run()
    assert (a / "truth.jsonl").read_bytes() == (b / "truth.jsonl").read_bytes()
    ha, hb = tree_hashes(a / "inbox"), tree_hashes(b / "inbox")
    assert ha == hb
    kinds = Counter(t["kind"] for t in load(a / "truth.jsonl"))
    assert kinds["docx"] and kinds["pdf"] and kinds["html"] and kinds["text"], kinds
    Generator(tmp_path / "c", seed=6, units="alxa", mix="default", scale=40).run()
    assert tree_hashes(tmp_path / "c" / "inbox") != ha


def test_no_scans_changes_only_the_reports_read_by_ocr():
    # --no-scans (benchmarks: OCR's cost shown apart): the reports that would be scans, photos or
    # page images keep their mix's kind, and every other report is planned exactly as with scans
    pairs = select_units("alxa", [2022, 2023, 2024], 3000, 7)

    def plan(scans: bool):
        return plan_corpus(pairs, 7, "default", dict(DEFAULT_RATES), scans=scans)

    with_scans, without = plan(True), plan(False)
    assert len(with_scans) == len(without) == 3000
    ocr = [i for i, p in enumerate(with_scans) if set(p.roles) & set(OCR_ROLES)]
    assert len(ocr) == 9  # one of each per 1,000 reports
    assert {with_scans[i].kind for i in ocr} == {"pdf_image", "jpg_pages"}
    assert not any(set(p.roles) & set(OCR_ROLES) for p in without)
    assert not any(p.kind in ("pdf_image", "jpg_pages") for p in without)
    assert {without[i].kind for i in ocr} <= {"text", "html", "docx", "pdf"}
    for i, (a, b) in enumerate(zip(with_scans, without)):
        assert (a.unit.unit_id, a.year) == (b.unit.unit_id, b.year)
        if i not in ocr:
            assert (a.kind, a.roles, a.defects) == (b.kind, b.roles, b.defects), (a, b)


def test_sample_matches_generator(tmp_path):
    build_sample(tmp_path)
    assert (tmp_path / "truth.jsonl").read_bytes() == SAMPLE_TRUTH.read_bytes(), (
        "assets/sample/truth.jsonl is stale: run python -m corpus.generate --sample"
    )
    assert tree_hashes(tmp_path / "inbox") == tree_hashes(SAMPLE_DIR / "inbox"), (
        "assets/sample/inbox is stale: run python -m corpus.generate --sample"
    )


def test_sample_is_small_and_complete(sample):
    size = sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert size < 15 * 1024 * 1024
    reg = load_registry()
    want = {(u, y) for y in (2022, 2023, 2024) for u in reg.expected_units(y)}
    read = {(t["unit_id"], t["year"]) for t in sample if t["expected_status"] == "read" or t.get("bad") == "image_pdf"}
    assert want <= read
    real = [t for t in sample if t["path"] == "2024/阿拉善左旗巴彦木仁苏木人民政府2024年政府信息公开工作年度报告.txt"]
    assert len(real) == 1 and real[0]["expected_status"] == "read" and real[0]["unit_id"] == "152921203"
    older = [t for t in sample if t["unit_id"] == "152921203" and t["year"] == 2024 and t is not real[0]]
    assert [t["expected_status"] for t in older] == ["superseded"]
    assert older[0]["published_on"] < real[0]["published_on"]
    assert {t["bad"] for t in sample if t.get("bad")} >= set(BAD_KINDS)


def test_every_defect_kind_recorded_with_its_cells(sample):
    seen = Counter()
    for t in sample:
        for d in t["defects"]:
            seen[d["kind"]] += 1
            assert set(d["cells"]) <= CELL_IDS, (t["path"], d)
            if d["kind"] in CELL_DEFECTS:
                assert d["cells"], (t["path"], d)
            cells = t["cells"]
            sems = {cells[c]["semantic"] for c in d["cells"]}
            if d["kind"] == "blank_cells":
                assert sems == {"EMPTY"}, (t["path"], d)
            elif d["kind"] == "na_cells":
                assert sems == {"NA"}, (t["path"], d)
            elif d["kind"] in ("truncated_table", "malformed_t4", "format_2019"):
                assert sems == {"MISSING"}, (t["path"], d)
            elif d["kind"] == "split_digit":
                assert [cells[c]["value"] for c in d["cells"]] == [int(x) for x in d["detail"]["written"]]
            if d["kind"] in ("arithmetic_slip", "split_digit"):
                fails = [r for r in check_identities(cells) if r["status"] == "FAIL"]
                assert any(set(d["cells"]) & set(r["lhs"] + r["rhs"]) for r in fails), (t["path"], d)
            if d["kind"] in ("blank_cells", "na_cells"):
                unc = [r for r in check_identities(cells) if r["status"] == "UNCERTAIN"]
                assert any(set(d["cells"]) & set(r["lhs"] + r["rhs"]) for r in unc), (t["path"], d)
    missing = [k for k in DEFECT_KINDS if not seen[k]]
    assert not missing, f"defect kinds absent from the sample: {missing}"


@pytest.mark.parametrize("which", ["sample", "small"])
def test_identities_hold_without_defects(which, sample, small):
    truth = sample if which == "sample" else small[1]
    clean = [t for t in reports(truth) if not t["defects"]]
    assert len(clean) > 20
    bad = [
        (t["path"], r["rule"], r["instance"], r["status"])
        for t in clean
        for r in check_identities(t["cells"])
        if r["status"] != "PASS"
    ]
    assert not bad, bad[:20]
    for t in clean:
        c = t["cells"]
        assert [c[f"T2/rules/{k}"]["value"] for k in ("issued", "repealed", "in_force")] == [0, 0, 0], t["path"]


@pytest.mark.parametrize("which", ["sample", "small"])
def test_carry_over_and_in_force_across_years(which, sample, small):
    truth = sample if which == "sample" else small[1]
    by = {(t["unit_id"], t["year"]): t for t in reports(truth) if t["expected_status"] == "read"}
    pairs = [(by[(u, y - 1)], t) for (u, y), t in by.items() if (u, y - 1) in by]
    clean = [(a, b) for a, b in pairs if not a["defects"] and not b["defects"]]
    assert len(clean) >= 5
    for a, b in clean:
        for col in list(T3_APPLICANT_COLUMNS) + ["total"]:
            assert b["cells"][f"T3/carried_over/{col}"] == a["cells"][f"T3/carried_forward/{col}"], (b["path"], col)
        prev, cur = a["cells"], b["cells"]
        want = (
            prev["T2/normative_docs/in_force"]["value"]
            + cur["T2/normative_docs/issued"]["value"]
            - cur["T2/normative_docs/repealed"]["value"]
        )
        assert cur["T2/normative_docs/in_force"]["value"] == want, b["path"]


def test_registry_out_covers_generated_units(tmp_path):
    out = tmp_path / "c"
    Generator(
        out, seed=3, units="alxa", mix="text-only", scale=240, registry_out=tmp_path / "reg", bad_files=False
    ).run()
    truth = load(out / "truth.jsonl")
    assert any(t["unit_id"].startswith("sim") for t in truth)
    reg = load_registry(tmp_path / "reg")
    for t in truth:
        r = reg.resolve(t["agency"], t["path"], t["year"])
        assert r.unit_id == t["unit_id"], (t["path"], t["agency"], r.reason)


def test_parse_round_trip(small):
    out, truth = small
    forms = {(t["kind"], t["options"].get("layout") or t["options"].get("encoding")) for t in truth if t["kind"]}
    for kind, opts in EVEN_FORMS:
        assert (kind, opts.get("layout") or opts.get("encoding")) in forms
    # scans (pdf_image, jpg_pages: read by OCR) are measured against their own bar in test_ocr.py
    files = [t for t in truth if t.get("cells") and t["kind"] not in ("pdf_image", "jpg_pages")]
    assert len(files) >= 60
    mismatches = []
    for t in files:
        got = parse_file(out / "inbox" / t["path"])
        if "error" in got:
            mismatches.append(f"{t['path']}: not read ({got['error']})")
            continue
        for cid, want in t["cells"].items():
            g = got["cells"][cid]
            if g["semantic"] != want["semantic"] or g.get("value") != want["value"]:
                mismatches.append(
                    f"{t['path']} [{t['kind']} {t['options']}] {cid}: got {g['semantic']} "
                    f"{g.get('value')!r} (raw {g.get('raw')!r}), want {want['semantic']} {want['value']!r}"
                )
    assert not mismatches, f"{len(mismatches)} cells differ:\n" + "\n".join(mismatches[:60])
