"""The PDF reader's raw PDFium walks find what pypdfium2's own helpers find (issue 15: reading
without a Python object per page object, a handle's address without ctypes.cast)."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfraw
import pytest
from conftest import shared_file

from corpus import example_spec, write
from pipeline.readers import pdfgrid


def _same_paths(path) -> int:
    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        n = 0
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                want = [
                    ctypes.cast(o.raw, ctypes.c_void_p).value
                    for o in page.get_objects(filter=[pdfraw.FPDF_PAGEOBJ_PATH], max_depth=4)
                ]
                got = list(pdfgrid._path_objects(page.raw))  # handles as addresses (ints)
                assert got == want, f"{path.name}, page {i + 1}"
                n += len(got)
            finally:
                page.close()
        return n
    finally:
        pdf.close()


def test_path_objects_of_a_generated_pdf_are_pypdfium2s_in_the_same_order(tmp_path):
    p = tmp_path / "generated.pdf"
    write(example_spec(3), p, "pdf")
    assert _same_paths(p) > 0  # its tables' ruling lines are paths


@pytest.mark.parametrize("name", ["city_2024_report.pdf", "district_2024_report.pdf"])
def test_path_objects_of_real_pdfs_are_pypdfium2s_in_the_same_order(name):
    assert _same_paths(shared_file(name)) > 0


def test_address_is_the_pointer_value():
    x = ctypes.c_int(7)
    handle = ctypes.cast(ctypes.pointer(x), pdfraw.FPDFText_GetTextObject.restype)
    assert pdfgrid._address(handle).value == ctypes.cast(handle, ctypes.c_void_p).value == ctypes.addressof(x)
    null = pdfraw.FPDFText_GetTextObject.restype()
    assert pdfgrid._address(null).value is None
