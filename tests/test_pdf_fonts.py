"""A PDF reads the same whatever fonts the machine has.

PDFium lays out a font the PDF does not embed with one it finds in /usr/share/fonts (it does not ask
fontconfig). These tests run `nianbao parse --json` once as the machine is and once in a private
mount namespace where every system font folder is an empty tmpfs and fontconfig points at an empty
folder, and want byte-identical output. A control run shows the hiding really changes what PDFium
finds: with PDFium's own system font lookup put back, the same PDF loses a "无" when fonts are hidden.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REAL

from corpus import example_spec, write

ROOT = Path(__file__).resolve().parents[1]
FONT_DIRS = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/usr/share/X11/fonts",
    str(Path.home() / ".fonts"),
    str(Path.home() / ".local/share/fonts"),
]
NIANBAO = [sys.executable, "-c", "import sys; from pipeline.cli import main; sys.exit(main())"]


def _unshare() -> list[str] | None:
    """The unshare command that gives a private mount namespace here (root, or a user namespace)."""
    if not shutil.which("unshare"):
        return None
    for cmd in (["unshare", "-m"], ["unshare", "-rm"]):
        probe = subprocess.run(cmd + ["sh", "-c", "mount -t tmpfs none /tmp"], capture_output=True)
        if probe.returncode == 0:
            return cmd
    return None


@pytest.fixture(scope="module")
def no_fonts(tmp_path_factory):
    """A function running a command with the machine's fonts hidden."""
    cmd = _unshare()
    if cmd is None:
        pytest.skip("no private mount namespace here (unshare -m / -rm refused): cannot hide the fonts")
    tmp = tmp_path_factory.mktemp("nofonts")
    (tmp / "empty").mkdir()
    conf = tmp / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><dir>{tmp / "empty"}</dir>'
        f"<cachedir>{tmp / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(conf), PYTHONPATH=str(ROOT))
    hide = " && ".join(f"mount -t tmpfs none {d}" for d in FONT_DIRS if os.path.isdir(d)) or "true"

    def run(argv: list[str]) -> subprocess.CompletedProcess:
        script = f'{hide} && exec "$@"'
        return subprocess.run(cmd + ["sh", "-c", script, "sh", *argv], env=env, capture_output=True, cwd=ROOT)

    # the hiding works: nothing left in the font folders, fontconfig sees no font
    listing = run(["find", *[d for d in FONT_DIRS if os.path.isdir(d)], "-mindepth", "1"])
    assert listing.returncode == 0 and listing.stdout.strip() == b"", listing
    if shutil.which("fc-list"):
        assert run(["fc-list"]).stdout.strip() == b""
    return run


def _parse(argv_prefix: list[str], path: Path, runner=None) -> bytes:
    argv = argv_prefix + ["parse", "--json", str(path)]
    if runner is None:
        out = subprocess.run(argv, capture_output=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    else:
        out = runner(argv)
    assert out.returncode == 0, out.stderr.decode(errors="replace")[-2000:]
    return out.stdout


def _generated_pdf(tmp_path: Path) -> Path:
    """A report in reportlab's STSong-Light, which is never embedded, with a lone "无" in a cell."""
    spec = example_spec(6)
    spec.cells["T3/carried_over/natural_person"] = "/"
    spec.cells["T3/unavailable_unclear/legal_services"] = "无"
    path = tmp_path / "r.pdf"
    write(spec, path, "pdf")
    return path


def test_generated_pdf_reads_the_same_without_fonts(tmp_path, no_fonts):
    path = _generated_pdf(tmp_path)
    with_fonts = _parse(NIANBAO, path)
    without = _parse(NIANBAO, path, no_fonts)
    assert without == with_fonts
    cells = json.loads(with_fonts)["cells"]
    assert cells["T3/unavailable_unclear/legal_services"]["raw"] == "无"
    assert cells["T3/carried_over/natural_person"]["raw"] == "/"


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in REAL.iterdir() if not p.name.endswith(".expected.json")) if REAL.is_dir() else ["(absent)"],
)
def test_shared_fixtures_read_the_same_without_fonts(name, no_fonts):
    """Every shared fixture (the PDFs above all, but HTML and Word too) gives the same bytes."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent)")
    assert _parse(NIANBAO, path, no_fonts) == _parse(NIANBAO, path)


def test_control_pdfium_own_font_lookup_loses_a_cell_when_fonts_are_hidden(tmp_path, no_fonts):
    """The hiding above is not vacuous: PDFium left to the machine's fonts reads differently."""
    path = _generated_pdf(tmp_path)
    machine_fonts = [
        sys.executable,
        "-c",
        "import sys, pypdfium2.raw as r; from pipeline.readers import pdfgrid; "
        "r.FPDF_SetSystemFontInfo(r.FPDF_GetDefaultSystemFontInfo()); "
        "from pipeline.cli import main; sys.exit(main())",
    ]
    cell = "T3/unavailable_unclear/legal_services"
    hidden = json.loads(_parse(machine_fonts, path, no_fonts))["cells"][cell]
    assert hidden["semantic"] == "EMPTY"  # the lone "无" has no glyph box and PDFium drops it


def test_lone_characters_of_a_font_not_embedded_keep_their_place_and_pdf_widths(tmp_path):
    """Each character its own text object in STSong-Light (not embedded): none is dropped, and each
    box is as wide as the PDF's /W says, not as wide as the glyph of a font standing in for it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from pipeline.readers import pdfgrid

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text = "无/1，年×㎡"
    path = tmp_path / "lone.pdf"
    c = canvas.Canvas(str(path))
    for k, ch in enumerate(text):
        c.setFont("STSong-Light", 10)
        c.drawString(100 + 40 * k, 700, ch)
    c.save()
    [page] = list(pdfgrid.read_pages(path.read_bytes()))
    got = [(ch.text, round(ch.x0, 2), round(ch.x1 - ch.x0, 2)) for ch in sorted(page.chars, key=lambda ch: ch.x0)]
    want = [(ch, 100.0 + 40 * k, round(pdfmetrics.stringWidth(ch, "STSong-Light", 10), 2)) for k, ch in enumerate(text)]
    assert got == want
    assert {w for _, _, w in got} != {10.0}  # the half-width ones are narrower than an em
