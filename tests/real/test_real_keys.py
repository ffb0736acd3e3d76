"""Every real report in ../shared/fixtures/real reads exactly as its answer key: all 200 cells
(semantic and value), the agency, year and format, and the period and publication date where the key
has them. Skipped cleanly when ../shared is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.score import document_of, score

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"
KNOWN = [
    "city_2024_report",
    "district_2024_report",
    "city_page_2025",
    "county_department_2023_page",
    "national_template_2021",
]
NAMES = sorted(set(KNOWN) | {p.name[: -len(".expected.json")] for p in REAL.glob("*.expected.json")})


@pytest.mark.parametrize("name", NAMES)
def test_real_document_reads_exactly_as_its_key(name):
    key_path = REAL / f"{name}.expected.json"
    if not key_path.exists():
        pytest.skip(f"{key_path} is not available (../shared is absent)")
    doc = document_of(key_path)
    assert doc is not None, f"the document of {key_path.name} is missing"
    key = json.loads(key_path.read_text(encoding="utf-8"))
    s = score(doc, key)
    assert s["error"] is None
    assert s["cells_total"] == 200
    assert s["wrong"] == []
    assert {f: (want, got) for f, (ok, want, got) in s["fields"].items() if not ok} == {}
    # the fields every key carries are scored
    assert {"agency", "year", "format_version"} <= set(s["fields"])
    r = s["result"]
    # a value placed without its label is never silently part of an exact read of a real report
    inferred = [cid for cid, c in r["cells"].items() if c["inferred"]]
    if inferred:
        assert any(set(inferred) <= set(p.get("cells") or []) for p in r["problems"])


def test_score_table_on_the_seed_and_its_key(capsys, tmp_path):
    """The score script works on any folder of documents with keys (here the bundled seed)."""
    from pipeline.score import main

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    assert main([str(fixtures)]) == 0
    out = capsys.readouterr().out
    assert "seed_2024_bayanmuren.txt  200/200" in out and "metadata 5/5" in out
    # a key the document does not match: a wrong cell and a wrong year are reported, exit 1
    key = json.loads((fixtures / "seed_2024_bayanmuren.expected.json").read_text(encoding="utf-8"))
    key["year"] = 2023
    key["cells"]["T3/new/total"] = {"semantic": "NUMERIC", "value": 99999}
    (tmp_path / "seed.txt").write_bytes((fixtures / "seed_2024_bayanmuren.txt").read_bytes())
    (tmp_path / "seed.expected.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "199/200" in out and "year: expected 2023, found 2024" in out and "T3/new/total" in out
