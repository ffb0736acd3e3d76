"""The table grid of a page image (readers/image.py): the page de-skewed, binarised, and its ruling
lines found by morphology; `image.read_page` rebuilds the cells from them with the PDF reader's
`pdfgrid.table_cells`."""

from __future__ import annotations

MAX_ANGLE = 5.0


def deskew(gray):
    """Rotate the page so its text rows and ruling lines are level (angle found within ±5°)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    f = min(1.0, 900.0 / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    _, b = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if b.mean() < 0.5:
        return gray, 0.0
    sh, sw = b.shape
    centre = (sw / 2, sh / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        r = cv2.warpAffine(b, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = r.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(prof)).sum())

    coarse = [a / 4 for a in range(-int(MAX_ANGLE * 4), int(MAX_ANGLE * 4) + 1)]
    best = max(coarse, key=score)
    fine = [best + d / 40 for d in range(-10, 11)]
    best = max(fine, key=score)
    if abs(best) < 0.1:
        return gray, 0.0
    m = cv2.getRotationMatrix2D((w / 2, h / 2), best, 1.0)
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return out, best


def binarise(gray, dpi: float):
    import cv2

    block = int(dpi * 0.2) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def ruling_lines(ink, dpi: float):
    """Masks of the horizontal and vertical ruling lines: ink that survives an opening with a
    kernel longer than any character stroke."""
    import cv2
    import numpy as np

    bridge = max(2, int(dpi * 0.012))
    hk = max(20, int(dpi * 0.35))
    vk = max(12, int(dpi * 0.18))
    hclosed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, bridge), np.uint8))
    vclosed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((bridge, 1), np.uint8))
    hmask = cv2.morphologyEx(hclosed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vmask = cv2.morphologyEx(vclosed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    return hmask, vmask


def _boxes(mask):
    """Bounding boxes (x, y, w, h) of the connected components of a mask, and the label image."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(stats[i, 0]), int(stats[i, 1]), int(stats[i, 2]), int(stats[i, 3])) for i in range(1, n)], labels


def _touches(hboxes, x: float, y: float, tol: int) -> bool:
    return any(hx - tol <= x <= hx + hw + tol and hy - tol <= y <= hy + hh + tol for hx, hy, hw, hh in hboxes)
