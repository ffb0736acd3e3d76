"""The real reports in ../shared read exactly as their keys (skipped when ../shared is absent)."""

from __future__ import annotations

import json
from collections import Counter

from pipeline.codebook import cell_ids
from pipeline.parse import parse_file


def test_real_city_pdf_reads_exactly_as_its_key(real_pdf, real_pdf_key):
    key = json.loads(real_pdf_key.read_text(encoding="utf-8"))
    r = parse_file(real_pdf)
    assert r["kind"] == "pdf"
    assert len(r["cells"]) == 200
    wrong = [
        cid
        for cid, exp in key["cells"].items()
        if (r["cells"][cid]["semantic"], r["cells"][cid]["value"]) != (exp["semantic"], exp["value"])
    ]
    assert wrong == []
    assert key["agency_contains"] in r["agency"]
    assert r["year"] == key["year"] and r["period"] == key["period"]
    assert r["format_version"] == "2021"
    assert r["cells"]["T3/new/total"]["at"].startswith("page 4")
    assert r["cells"]["T3/carried_forward/total"]["at"].startswith("page 5")  # the table ran over a page break


def test_blank_national_template_reads_as_200_empty_cells(national_template):
    r = parse_file(national_template)
    assert Counter(c["semantic"] for c in r["cells"].values()) == {"EMPTY": 200}
    assert r["format_version"] == "2021" and r["agency"] is None and r["year"] is None


def test_filled_copy_of_the_template_reads_back_exactly(national_template, tmp_path):
    """Fill the real Word template with python-docx (merged cells and all) and read it back."""
    import docx

    d = docx.Document(str(national_template))
    t2, t3, t4 = d.tables[0], d.tables[1], d.tables[2]
    written: dict[str, str] = {}

    # Table 3: data rows start after the header rows; values sit in the last 7 grid columns
    from pipeline.codebook import t3_column_codes, t3_row_codes

    rows = [r for r in t3.rows]
    header = 3
    codes = t3_row_codes()
    assert len(rows) - header == len(codes)
    for i, code in enumerate(codes):
        cells = rows[header + i].cells
        for j, col in enumerate(t3_column_codes()):
            v = "" if (i + j) % 11 == 0 else ("/" if (i + j) % 13 == 0 else str(i * 10 + j))
            cells[len(cells) - 7 + j].text = v
            written[f"T3/{code}/{col}"] = v
    # Table 4: the last row holds the 15 values
    last = t4.rows[-1].cells
    from pipeline.codebook import t4_column_codes, t4_group_codes

    ids = [f"T4/{g}.{c}" for g in t4_group_codes() for c in t4_column_codes()]
    for k, cid in enumerate(ids):
        v = str(100 + k)
        last[len(last) - 15 + k].text = v
        written[cid] = v
    # Table 2: rows by their label
    t2_values = {
        "规章": ["0", "0", "3"],
        "行政规范性文件": ["5", "1", "40"],
        "行政许可": ["1,200"],
        "行政处罚": ["7"],
        "行政强制": [""],
        "行政事业性收费": ["12.5"],
    }
    t2_ids = {
        "规章": ["T2/rules/issued", "T2/rules/repealed", "T2/rules/in_force"],
        "行政规范性文件": ["T2/normative_docs/issued", "T2/normative_docs/repealed", "T2/normative_docs/in_force"],
        "行政许可": ["T2/licensing/decisions"],
        "行政处罚": ["T2/penalties/decisions"],
        "行政强制": ["T2/coercion/decisions"],
        "行政事业性收费": ["T2/fees/amount"],
    }
    for row in t2.rows:
        label = row.cells[0].text.strip()
        if label in t2_values:
            uniq = []
            for c in row.cells[1:]:
                if all(c._tc is not u._tc for u in uniq):
                    uniq.append(c)
            for c, v, cid in zip(uniq, t2_values[label], t2_ids[label]):
                c.text = v
                written[cid] = v
    out = tmp_path / "filled.docx"
    d.save(str(out))

    from pipeline.textnorm import classify_value

    r = parse_file(out)
    assert set(written) == set(cell_ids())
    wrong = [
        (cid, r["cells"][cid]["semantic"], r["cells"][cid]["value"], v)
        for cid, v in written.items()
        if (r["cells"][cid]["semantic"], r["cells"][cid]["value"]) != classify_value(v)
    ]
    assert wrong == []


def test_text_copied_from_the_real_pdf_reads_exactly(real_pdf, real_pdf_key, tmp_path):
    """Text copied out of a PDF viewer: cells separated by spaces, labels wrapped around their
    values, a vertical label one character per line, page markers."""
    import pdfplumber

    with pdfplumber.open(str(real_pdf)) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
    path = tmp_path / "copied.txt"
    path.write_text(text, encoding="utf-8")
    key = json.loads(real_pdf_key.read_text(encoding="utf-8"))
    r = parse_file(path)
    assert r["kind"] == "text"
    wrong = [
        cid
        for cid, exp in key["cells"].items()
        if (r["cells"][cid]["semantic"], r["cells"][cid]["value"]) != (exp["semantic"], exp["value"])
    ]
    assert wrong == []
    assert key["agency_contains"] in r["agency"] and r["year"] == 2024
