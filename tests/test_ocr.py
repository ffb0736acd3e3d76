"""Scanned and photographed reports read by OCR (readers/image.py), and never silently wrong.

The real PDFs of ../shared are turned into image-only copies the way a scanner makes them (pages
rasterised at 150 or 200 dpi, JPEG-compressed, one copy rotated by 1.5°, one blurred) and read back
through the same mapper as every other reader. OCR is CPU-heavy: the scans are made once per session
and the big tests are marked slow.
"""

from __future__ import annotations

import json
import socket

import pytest
from checkdata import TOWNSHIP, clean_report
from conftest import shared_file
from scans import image_only_pdf, page_images

from pipeline.checks.batch import from_parsed
from pipeline.checks.findings import run_checks
from pipeline.document import Document, GridCell, Para, Table
from pipeline.mapper import map_document
from pipeline.ocrflags import ocr_problems
from pipeline.parse import parse_bytes, parse_file
from pipeline.textnorm import ocr_number

# ----------------------------------------------------------------------------------------------
# Digits only where digits belong


def test_digit_look_alikes_become_digits_only_when_the_cell_then_reads_as_a_number():
    assert ocr_number("O") == "0" and ocr_number("l") == "1" and ocr_number("|") == "1"
    assert ocr_number("3O1") == "301" and ocr_number("1,2O4") == "1,204"
    assert ocr_number("12") is None  # already a number
    assert ocr_number("规章") is None and ocr_number("SB") is None and ocr_number("I个") is None


def _t2_doc(value_text: str, label: str = "规章", read_by: str = "ocr") -> Document:
    head = [
        GridCell("信息内容", "h1", read_by=read_by),
        GridCell("本年制发件数", "h2", read_by=read_by),
        GridCell("本年废止件数", "h3", read_by=read_by),
        GridCell("现行有效件数", "h4", read_by=read_by),
    ]
    row = [
        GridCell(label, "r1", read_by=read_by),
        GridCell(value_text, "r2", read_by=read_by, confidence=0.97),
        GridCell("", "r3", read_by=read_by),
        GridCell("1２", "r4", read_by=read_by),
    ]
    return Document(kind="pdf", blocks=[Para("二、主动公开政府信息情况", "p1"), Table([head, row], "t")])


def test_ocr_value_cells_are_normalised_labels_never():
    m = map_document(_t2_doc("O"))
    c = m.cells["T2/rules/issued"]
    assert (c["semantic"], c["value"], c["raw"]) == ("ZERO", 0, "O")  # the raw text stays as read
    assert c["read_by"] == "ocr" and c["confidence"] == 0.97
    assert m.cells["T2/rules/repealed"]["semantic"] == "EMPTY"  # a blank cell is blank, never 0
    assert m.cells["T2/rules/in_force"]["value"] == 12  # full-width digit
    # a text layer's "O" is not a digit: only OCR confuses them
    assert map_document(_t2_doc("O", read_by=None)).cells["T2/rules/issued"]["semantic"] == "TEXT"
    # a label is never touched: "规章" with an OCR "I" next to it is still the row 规章
    assert map_document(_t2_doc("I")).cells["T2/rules/issued"]["value"] == 1


def _ocr_report(**cells) -> dict:
    r = clean_report(key=71)
    for c in r["cells"].values():
        c.update(read_by="ocr", confidence=0.99)
    for cid, (raw, conf) in cells.items():
        from pipeline.textnorm import classify_value

        sem, val = classify_value(raw)
        r["cells"][cid.replace("__", "/")] = {
            "semantic": sem,
            "value": val,
            "raw": raw,
            "at": "page 4",
            "read_by": "ocr",
            "confidence": conf,
        }
    return r


def test_low_confidence_and_contradicted_numbers_are_flagged():
    r = clean_report(key=72)
    assert ocr_problems(r["cells"], {}) == []  # nothing read by OCR, nothing flagged
    r = _ocr_report()
    assert ocr_problems(r["cells"], {}) == []  # OCR read everything surely and it adds up
    v = r["cells"]["T3/new/business"]["value"]
    r = _ocr_report(**{"T3__granted__research": ("0", 0.5), "T3__new__business": (str(v + 3), 0.98)})
    probs = ocr_problems(r["cells"], {})
    assert all(p["code"] == "ocr_uncertain" for p in probs)
    flagged = {c for p in probs for c in p["cells"]}
    assert "T3/granted/research" in flagged  # low confidence
    # new/business breaks its row total and its column balance: the cell where both disagree
    assert "T3/new/business" in flagged
    assert "T3/new/natural_person" not in flagged


def test_an_identity_failing_on_a_flagged_cell_is_uncertain_not_fail():
    v = clean_report(key=71)["cells"]["T3/new/business"]["value"]
    r = _ocr_report(**{"T3__new__business": (str(v + 3), 0.98)})
    r["problems"] = ocr_problems(r["cells"], {})
    plain = clean_report(key=73)
    w = plain["cells"]["T3/new/business"]["value"]
    from checkdata import set_cell

    set_cell(plain, "T3/new/business", str(w + 3))
    unit = {**TOWNSHIP, "unit_id": "u1", "name": "u1"}
    table, _ = run_checks(
        from_parsed(
            [dict(r, report_id="ocr", path="a"), dict(plain, report_id="typed", path="b")],
            [unit, dict(unit, unit_id="u2", name="u2")],
        ),
        only={"t3_row_total", "t3_balance"},
    )
    ocr = table[(table["report_id"] == "ocr") & (table["instance"].isin(["new", "business"]))]
    assert set(ocr["status"]) == {"UNCERTAIN"} and set(ocr["likely_cause"]) == {"reading_doubtful"}
    assert all("读数存疑" in m for m in ocr["message_zh"])
    typed = table[(table["report_id"] == "typed") & (table["instance"].isin(["new", "business"]))]
    assert set(typed["status"]) == {"FAIL"}  # the same slip typed by the publisher still fails


# ----------------------------------------------------------------------------------------------
# Real reports, scanned


@pytest.fixture(scope="session")
def scans(tmp_path_factory):
    """Image-only copies made once per session: (name, dpi, rotate, blur) -> path."""
    made: dict = {}
    root = tmp_path_factory.mktemp("scans")

    def get(name: str, dpi: int, rotate: float = 0.0, blur: float = 0.0, pages=None):
        key = (name, dpi, rotate, blur, tuple(pages or ()))
        if key not in made:
            src = shared_file(f"{name}.pdf")
            out = root / f"{name}_{dpi}_{rotate}_{blur}_{len(made)}.pdf"
            made[key] = image_only_pdf(src, out, dpi, pages=pages, rotate=rotate, blur=blur)
        return made[key]

    return get


def _score(result: dict, key: dict) -> tuple[list[str], set[str]]:
    flagged = {c for p in result["problems"] if p["code"] == "ocr_uncertain" for c in p["cells"]}
    wrong = [
        cid
        for cid, exp in key["cells"].items()
        if (result["cells"][cid]["semantic"], result["cells"][cid]["value"]) != (exp["semantic"], exp["value"])
    ]
    return wrong, flagged


CITY_VARIANTS = [(200, 0.0, 0.0), (150, 1.5, 0.0), (200, 0.0, 1.2)]


@pytest.mark.slow
@pytest.mark.parametrize("dpi,rotate,blur", CITY_VARIANTS, ids=["200dpi", "150dpi-rotated", "200dpi-blurred"])
def test_scanned_city_report_reads_as_its_key(scans, dpi, rotate, blur):
    key = json.loads(shared_file("city_2024_report.expected.json").read_text(encoding="utf-8"))
    r = parse_file(scans("city_2024_report", dpi, rotate, blur))
    assert "error" not in r, r.get("error")
    wrong, flagged = _score(r, key)
    assert len(wrong) <= 1, wrong  # ≥ 99.5 % of the 200 cells
    assert set(wrong) <= flagged, f"wrong and not flagged: {set(wrong) - flagged}"
    assert key["agency_contains"] in r["agency"] and r["year"] == key["year"]
    assert r["period"] == key["period"]
    read = [c for c in r["cells"].values() if c["semantic"] != "MISSING"]
    assert read and all(c["read_by"] == "ocr" and 0 < c["confidence"] <= 1 for c in read)
    assert r["cells"]["T3/new/total"]["at"].startswith("page 4") and " box " in r["cells"]["T3/new/total"]["at"]


@pytest.mark.slow
@pytest.mark.parametrize("dpi,rotate,blur", CITY_VARIANTS, ids=["200dpi", "150dpi-rotated", "200dpi-blurred"])
def test_scanned_district_report_wrong_only_where_the_mapper_is_or_flagged(scans, dpi, rotate, blur):
    """The district report has mapper-side difficulties (wrapped and misspelt Table 3 labels) that
    its text layer shares: OCR must add no unflagged error of its own, and its misspelt row
    (其他法律行政止公开) is placed by the same mapper and fuzzy label match as the text layer's."""
    key = json.loads(shared_file("district_2024_report.expected.json").read_text(encoding="utf-8"))
    text_layer = parse_file(shared_file("district_2024_report.pdf"))
    mapper_side = set(_score(text_layer, key)[0])
    r = parse_file(scans("district_2024_report", dpi, rotate, blur))
    assert "error" not in r, r.get("error")
    wrong, flagged = _score(r, key)
    assert set(wrong) - mapper_side <= flagged, f"OCR-side errors not flagged: {set(wrong) - mapper_side - flagged}"
    assert len(set(wrong) - mapper_side) <= 1
    assert key["agency_contains"] in r["agency"] and r["year"] == key["year"]
    # ≥ 99.5 % of the 200 cells equal to the key, every wrong cell flagged, as for the city report
    assert len(wrong) <= 1, wrong
    assert set(wrong) <= flagged, f"wrong and not flagged: {set(wrong) - flagged}"
    row = {cid for cid in key["cells"] if cid.startswith("T3/withheld_prohibited/")}
    assert len(row) == 7 and not row & set(wrong), sorted(row & set(wrong))
    assert any(p["code"] == "label_typo" and "其他法律行政" in p["message"] for p in r["problems"])


@pytest.mark.slow
def test_png_of_one_page_reads_that_page_and_leaves_the_rest_missing(tmp_path):
    src = shared_file("city_2024_report.pdf")
    key = json.loads(shared_file("city_2024_report.expected.json").read_text(encoding="utf-8"))
    text_layer = parse_file(src)
    on_page = {cid for cid, c in text_layer["cells"].items() if (c["at"] or "").startswith("page 4,")}
    assert len(on_page) > 50
    png = tmp_path / "page4.png"
    page_images(src, 200, [4])[0].save(png, dpi=(200, 200))
    r = parse_file(png)
    assert r["kind"] == "image"
    for cid, exp in key["cells"].items():
        got = (r["cells"][cid]["semantic"], r["cells"][cid]["value"])
        if cid in on_page:
            assert got == (exp["semantic"], exp["value"]), cid
        elif cid.startswith("T3/"):
            assert got[0] == "MISSING", cid


@pytest.fixture
def one_page_png(tmp_path):
    src = shared_file("city_2024_report.pdf")
    png = tmp_path / "p.png"
    page_images(src, 200, [3])[0].save(png)
    return png


def test_no_network_while_reading_a_scan(monkeypatch, one_page_png):
    """The model ships in the wheel: loading it and reading a page opens no connection."""
    from pipeline.readers import ocrengine

    def refuse(*a, **k):
        raise OSError("network access during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(ocrengine, "_ENGINE", None)  # load the model again, with the network blocked
    r = parse_file(one_page_png)
    assert "error" not in r, r.get("error")
    assert r["cells"]["T2/rules/in_force"]["value"] == 11 and r["cells"]["T2/rules/in_force"]["read_by"] == "ocr"


def test_a_scan_over_its_time_budget_is_set_aside_with_the_reason(monkeypatch, one_page_png):
    monkeypatch.setenv("NIANBAO_OCR_SECONDS", "0")
    r = parse_file(one_page_png)
    assert "OCR was stopped" in r["error"] and "NIANBAO_OCR_SECONDS" in r["error"]


def test_an_image_that_is_not_one_is_a_clear_error():
    r = parse_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png")
    assert "error" in r and "image" in r["error"]


# ----------------------------------------------------------------------------------------------
# Generated scans, and a web page whose report is a set of images


def _page_pngs(spec, folder, photo: bool = False) -> list:
    """The pages of a generated scan as PNG files (a page saved with its images)."""
    import io

    import pypdfium2 as pdfium

    from corpus.pdf_writer import render_pdf_image_only

    pdf = pdfium.PdfDocument(render_pdf_image_only(spec, dpi=150, photo=photo))
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(len(pdf)):
        img = pdf[i].render(scale=150 / 72, grayscale=True).to_pil()
        name = f"page{i + 1}.png"
        buf = io.BytesIO()
        img.save(buf, "PNG")
        (folder / name).write_bytes(buf.getvalue())
        names.append(name)
    return names


@pytest.mark.slow
def test_web_page_whose_report_is_a_set_of_images(tmp_path):
    from corpus import example_spec, expected_cells

    spec = example_spec(21)
    names = _page_pngs(spec, tmp_path / "报告_files")
    imgs = "".join(f'<p><img src="报告_files/{n}" alt=""></p>' for n in names)
    html = (
        f"<html><head><meta charset='utf-8'><title>{spec.agency}</title></head><body>"
        f"<img src='logo.gif'><div class='content'>{imgs}</div></body></html>"
    )
    page = tmp_path / "报告.html"
    page.write_text(html, encoding="utf-8")
    r = parse_file(page)
    assert r["kind"] == "html" and any(p["code"] == "read_from_images" for p in r["problems"])
    want = expected_cells(spec)
    flagged = {c for p in r["problems"] if p["code"] == "ocr_uncertain" for c in p["cells"]}
    wrong = [
        cid
        for cid, w in want.items()
        if (r["cells"][cid]["semantic"], r["cells"][cid]["value"]) != (w["semantic"], w["value"])
    ]
    assert len(wrong) <= 4 and set(wrong) <= flagged, wrong
    assert r["agency"] == spec.agency and r["year"] == spec.year


def test_images_saved_with_a_page_are_not_reports_of_their_own(tmp_path):
    from pipeline.inbox import scan

    (tmp_path / "报告_files").mkdir()
    (tmp_path / "报告_files" / "1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (tmp_path / "报告.html").write_text("<html><body><img src='报告_files/1.png'></body></html>", encoding="utf-8")
    (tmp_path / "scan_files").mkdir()  # no page of that name: the image is a report of its own
    (tmp_path / "scan_files" / "p1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert sorted(f.path for f in scan(tmp_path)) == ["scan_files/p1.png", "报告.html"]


# ----------------------------------------------------------------------------------------------
# A report made of numbered image files, one per page


def _blank_page(path, shade: int = 255) -> None:
    from PIL import Image

    Image.new("L", (400, 560), shade).save(path)


def test_numbered_page_images_are_one_report_read_from_page_one(tmp_path):
    from pipeline.inbox import scan
    from pipeline.readers.imagepages import page_group, page_key

    for name in (
        "报告_1.jpg",
        "报告_2.jpg",
        "报告_3.png",
        "单页_2.jpg",
        "other.png",
        "缺_1.jpg",
        "缺_3.jpg",
        "扫描(1).jpg",
        "扫描(2).jpg",
        "2024.png",
    ):
        _blank_page(tmp_path / name)
    assert page_key("报告第12页.jpg") == ("报告第", "页", 12) and page_key("报告_1.pdf") is None
    assert page_key("P0202501151234.jpg") is None  # a long number is not a page number
    assert [p.name for p in page_group(tmp_path, "报告_2.jpg")] == ["报告_1.jpg", "报告_2.jpg", "报告_3.png"]
    assert page_group(tmp_path, "缺_1.jpg") == [] and page_group(tmp_path, "单页_2.jpg") == []
    rows = scan(tmp_path)
    # pages 2 … n have no row: they are read with page 1; a set with a gap or without page 1 is read file by file
    assert [f.path for f in rows] == [
        "2024.png",
        "other.png",
        "单页_2.jpg",
        "扫描(1).jpg",
        "报告_1.jpg",
        "缺_1.jpg",
        "缺_3.jpg",
    ]
    assert all(f.kind == "image" and f.error is None for f in rows)
    first = next(f for f in rows if f.path == "报告_1.jpg")
    assert first.mtime_ns == 0  # hashed again at every scan
    _blank_page(tmp_path / "报告_3.png", shade=250)  # a later page changes alone: the report is read again
    again = next(f for f in scan(tmp_path) if f.path == "报告_1.jpg")
    assert again.sha256 != first.sha256
    # the read step checks the same digest (not "changed while read") and files the reading under it
    from pipeline.readcache import _read_one

    flat = _read_one(again.abspath, again.path, again.sha256)
    assert not flat.transient and flat.report[0] == again.sha256
    assert "changed" not in (flat.report[3] or "")


@pytest.mark.slow
def test_photos_of_the_pages_as_numbered_jpg_and_png_files(tmp_path):
    from corpus import example_spec, expected_cells
    from corpus.pdf_writer import render_page_images

    spec = example_spec(23)
    pages = render_page_images(spec, dpi=150, photo=True)
    assert [ext for ext, _ in pages] == [".jpg"] * (len(pages) - 1) + [".png"] and len(pages) >= 3
    for i, (ext, data) in enumerate(pages, 1):
        (tmp_path / f"年报_{i}{ext}").write_bytes(data)
    r = parse_file(tmp_path / "年报_1.jpg")
    assert "error" not in r, r.get("error")
    assert r["kind"] == "image"
    want = expected_cells(spec)
    flagged = {c for p in r["problems"] if p["code"] == "ocr_uncertain" for c in p["cells"]}
    wrong = [
        cid
        for cid, w in want.items()
        if (r["cells"][cid]["semantic"], r["cells"][cid]["value"]) != (w["semantic"], w["value"])
    ]
    assert len(wrong) <= 1 and set(wrong) <= flagged, wrong
    assert r["agency"] == spec.agency and r["year"] == spec.year


def test_a_damaged_later_page_sets_the_report_aside_naming_that_page(tmp_path):
    """A report of numbered page images whose second file is not a picture: one clear reason naming
    that file (no decoder internals in it), never a half-read report."""
    from PIL import Image

    Image.new("L", (120, 120), 255).save(tmp_path / "报告_1.png")  # too small to be read: no OCR needed
    (tmp_path / "报告_2.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    r = parse_file(tmp_path / "报告_1.png")
    assert r["error"].startswith("image 2 of 2 (报告_2.png): the image could not be decoded"), r["error"]
    assert "BytesIO" not in r["error"]
