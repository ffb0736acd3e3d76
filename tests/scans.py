"""Image-only copies of real PDFs, made the way a scanner or a phone makes them (for the OCR tests
and the OCR benchmark): each page rasterised, optionally rotated or blurred, JPEG-compressed, and
put back into a PDF without any text layer."""

from __future__ import annotations

import io
from pathlib import Path


def page_images(pdf_path: Path, dpi: int, pages: list[int] | None = None, rotate: float = 0.0, blur: float = 0.0):
    """Grayscale PIL images of the pages (1-based numbers; all when None)."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        out = []
        for i in range(len(pdf)):
            if pages is not None and i + 1 not in pages:
                continue
            page = pdf[i]
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if rotate:
                img = img.rotate(rotate, resample=3, expand=False, fillcolor=255)
            if blur:
                img = img.filter(ImageFilter.GaussianBlur(blur))
            out.append(img)
        return out
    finally:
        pdf.close()


def image_only_pdf(
    pdf_path: Path,
    out: Path,
    dpi: int,
    pages: list[int] | None = None,
    rotate: float = 0.0,
    blur: float = 0.0,
    quality: int = 75,
) -> Path:
    """An image-only PDF (JPEG-compressed pages, no text layer) of the given pages."""
    from PIL import Image

    imgs = []
    for img in page_images(pdf_path, dpi, pages, rotate, blur):
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        imgs.append(Image.open(io.BytesIO(buf.getvalue())))
    imgs[0].save(out, "PDF", save_all=True, append_images=imgs[1:], resolution=float(dpi))
    return out
