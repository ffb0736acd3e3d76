"""The OCR model of a process (RapidOCR's PP-OCRv4 models, shipped inside the wheel), loaded once on
first use: one per worker process."""

from __future__ import annotations

from ..document import UnreadableFile

_ENGINE = None


def engine():
    """The OCR model of this process, loaded on first use (one per worker process)."""
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # pragma: no cover - the dependency is declared
            raise UnreadableFile(f"the report is an image and needs OCR, but the OCR package is not installed ({e})")
        from ..settings import from_env

        threads = from_env().ocr_threads
        eng = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False)
        eng.text_det.limit_type = "max"
        eng.text_rec.rec_batch_num = 1
        _ENGINE = eng
    return _ENGINE
