"""Every form the corpus writers produce reads back exactly as its truth (reader against writer).

The writers (corpus) are independent code that renders a report spec the way real pages
are published; these tests hold the reader to the spec's truth, cell by cell.
"""

from __future__ import annotations

import pytest

from corpus import example_spec, expected_cells, expected_extra_cells, write
from pipeline.codebook import t3_row_codes
from pipeline.parse import parse_file

LAYOUTS = ["A", "B1", "B2", "C", "mixed", "wrapped"]


def _check(spec, path):
    result = parse_file(path)
    assert "error" not in result, result.get("error")
    want = expected_cells(spec)
    wrong = [
        (cid, result["cells"][cid]["semantic"], result["cells"][cid]["value"], w["semantic"], w["value"])
        for cid, w in want.items()
        if (result["cells"][cid]["semantic"], result["cells"][cid]["value"]) != (w["semantic"], w["value"])
    ]
    assert not wrong, wrong[:8]
    extra = expected_extra_cells(spec)
    for cid, w in extra.items():
        got = result["extra_cells"].get(cid)
        assert got is not None and (got["semantic"], got["value"]) == (w["semantic"], w["value"]), cid
    assert result["year"] == spec.year
    assert result["agency"] == spec.agency
    return result


def _spec(seed: int, **kw):
    spec = example_spec(seed, **kw)
    # blank, "/" and text in distinctive places, so a shifted column cannot pass
    spec.cells["T3/new/business"] = ""
    spec.cells["T3/carried_over/natural_person"] = "/"
    spec.cells["T3/granted/total"] = spec.cells["T3/granted/total"] + "件"
    spec.cells["T4/review.other"] = ""
    spec.cells["T2/rules/in_force"] = ""
    return spec


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", [1, 2])
def test_text_layouts_round_trip(tmp_path, layout, seed):
    spec = _spec(seed)
    path = tmp_path / "r.txt"
    write(spec, path, "text", layout=layout)
    _check(spec, path)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-8-sig"])
def test_html_round_trip_with_merged_cells(tmp_path, encoding):
    spec = _spec(3)
    path = tmp_path / "r.html"
    write(spec, path, "html", encoding=encoding, cell_wrap="mixed", t2_split=encoding == "gbk")
    raw = path.read_bytes()
    assert b"rowspan" in raw and b"colspan" in raw
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    _check(spec, path)


@pytest.mark.parametrize("kind", ["html", "text"])
def test_eighth_column_round_trip(tmp_path, kind):
    spec = _spec(4)
    spec.org_subtotal = True
    for row in t3_row_codes():
        parts = [
            spec.cells.get(f"T3/{row}/{c}") or "0"
            for c in ("business", "research", "nonprofit", "legal_services", "other_org")
        ]
        spec.extra_cells[f"T3/{row}/org_subtotal"] = str(sum(int(p) for p in parts if p.isdigit()))
    spec.extra_cells["T3/partly_granted/org_subtotal"] = ""
    path = tmp_path / f"r.{kind}"
    write(spec, path, kind, org_subtotal=True)
    result = _check(spec, path)
    assert any(k.endswith("/org_subtotal") for k in result["extra_cells"])


def test_docx_round_trip(tmp_path):
    spec = _spec(5)
    path = tmp_path / "r.docx"
    write(spec, path, "docx")
    _check(spec, path)


def test_pdf_round_trip_over_page_break(tmp_path):
    spec = _spec(6)
    path = tmp_path / "r.pdf"
    write(spec, path, "pdf")
    _check(spec, path)


@pytest.mark.slow
@pytest.mark.parametrize("photo", [False, True], ids=["scan", "photo"])
def test_pdf_without_text_layer_is_read_by_ocr(tmp_path, photo):
    """A PDF of scanned (or photographed) pages has no text layer: it is read by OCR, every cell
    right or flagged ocr_uncertain, and at most 2 of 200 wrong (the issue asks ≥ 98 %)."""
    spec = _spec(7)
    path = tmp_path / "scan.pdf"
    write(spec, path, "pdf_image", dpi=150, photo=photo)
    result = parse_file(path)
    assert "error" not in result, result.get("error")
    want = expected_cells(spec)
    flagged = {c for p in result["problems"] if p["code"] == "ocr_uncertain" for c in p["cells"]}
    wrong = [
        cid
        for cid, w in want.items()
        if (result["cells"][cid]["semantic"], result["cells"][cid]["value"]) != (w["semantic"], w["value"])
    ]
    assert len(wrong) <= 2 and set(wrong) <= flagged, wrong
    assert result["cells"]["T3/new/business"]["semantic"] == "EMPTY"  # a blank stays blank, never 0
    assert result["cells"]["T3/carried_over/natural_person"]["semantic"] == "NA"
    assert result["agency"] == spec.agency and result["year"] == spec.year


@pytest.mark.parametrize("layout", ["A", "B1", "B2", "C"])
def test_2019_format_round_trip(tmp_path, layout):
    spec = example_spec(8, format_version="2019", year=2020)
    path = tmp_path / "r.txt"
    write(spec, path, "text", layout=layout)
    result = _check(spec, path)
    assert result["format_version"] == "2019"


def test_traditional_page_round_trip(tmp_path):
    pytest.importorskip("zhconv")
    spec = _spec(9)
    spec.traditional = True
    path = tmp_path / "r.html"
    write(spec, path, "html")
    _check(spec, path)


@pytest.mark.parametrize("seed", [11, 12])
def test_text_copied_from_a_pdf_round_trip(tmp_path, seed):
    import pdfplumber

    spec = example_spec(seed)
    # no blanks: a blank cell leaves no trace in text copied from a PDF viewer (such rows are
    # reported ambiguous, never guessed: see test_row_with_too_few_values_in_undelimited_layout)
    for cid, v in list(spec.cells.items()):
        if v is not None and v.strip() == "":
            spec.cells[cid] = "0"
    pdf_path = tmp_path / "r.pdf"
    write(spec, pdf_path, "pdf")
    with pdfplumber.open(str(pdf_path)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    txt = tmp_path / "r.txt"
    txt.write_text(text, encoding="utf-8")
    result = parse_file(txt)
    want = expected_cells(spec)
    numeric = {cid for cid, w in want.items() if w["semantic"] in ("NUMERIC", "ZERO")}
    wrong = [
        cid
        for cid in numeric
        if (result["cells"][cid]["semantic"], result["cells"][cid]["value"])
        != (want[cid]["semantic"], want[cid]["value"])
    ]
    assert not wrong, wrong[:8]
