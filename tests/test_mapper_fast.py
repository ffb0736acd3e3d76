"""The mapper's and the text reader's fast paths (issue 15) read every document exactly as their
general paths do: each input below is read and mapped with the fast paths off
(`pipeline.mapper.common.FAST`, `pipeline.readers.text.FAST`) and on, and the two outputs must be
the same, down to the order of the cells and of the problems."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import pipeline.parse as parse_mod
from corpus import example_spec, render_text, write
from pipeline.document import UnreadableFile
from pipeline.mapper import common, map_document
from pipeline.readers import read_document
from pipeline.readers import text as text_reader

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent
SAMPLE = ROOT / "assets" / "sample" / "inbox"
REAL = ROOT.parent / "shared" / "fixtures" / "real"
LAYOUTS = ("A", "B1", "B2", "C", "mixed", "wrapped")


def _read_and_map(data: bytes, name: str, fast: bool) -> str:
    saved = common.FAST, text_reader.FAST
    common.FAST = text_reader.FAST = fast
    try:
        try:
            doc = read_document(data, name, None)
        except UnreadableFile as e:  # a bad file of the sample inbox: the same message both ways
            return f"unreadable: {e}"
        doc_json = json.dumps(dataclasses.asdict(doc), ensure_ascii=False)
        mapped = json.dumps(dataclasses.asdict(map_document(doc)), ensure_ascii=False)
    finally:
        common.FAST, text_reader.FAST = saved
    return doc_json + "\n" + mapped


def _ocr(data: bytes, name: str) -> bool:
    """Images and PDFs without a text layer are read by OCR: seconds each, and the fast paths leave
    OCR-read cells to the general path; they are not read here."""
    suffix = Path(name).suffix.lower()
    return suffix in (".jpg", ".jpeg", ".png") or suffix == ".pdf" and b"/Font" not in data


def assert_same(data: bytes, name: str) -> None:
    general = _read_and_map(data, name, False)
    fast = _read_and_map(data, name, True)
    assert fast == general, name


@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_layouts_read_alike(layout):
    for i in range(18):
        spec = example_spec(i)
        assert_same(render_text(spec, layout=layout).encode("utf-8"), f"r{i}.txt")


def test_odd_text_shapes_read_alike():
    """Lines cut, pipes doubled or missing, blank and spam lines, markup, tabs, full-width bars: the
    same text of each layout bent in the ways a copy from a page bends it."""
    bends = [
        lambda t: t.replace(" |\n", "\n"),  # the closing pipes lost
        lambda t: t.replace(" | ", "|"),  # cells without spaces
        lambda t: t.replace(" |", " | |"),  # a blank cell after each
        lambda t: t.replace("\n", "\n\n"),  # every line doubled by a blank one
        lambda t: t.replace(" | ", "\t"),  # a browser's tabs
        lambda t: t.replace("|", "｜"),  # full-width bars
        lambda t: t.replace(" | 0 |", " | &nbsp; |").replace("\n0\n", "\n<o:p></o:p>\n"),  # markup
        lambda t: t.replace("\n", "\n责任编辑：张三\n", 3),  # page furniture
        lambda t: t.replace("（一）予以公开", "（一）予以公"),  # a label with a typo
        lambda t: t.replace(" | ", " |\n", 40),  # rows broken over lines
        lambda t: t.replace(" |\n", " |\n- 3 -\n", 5),  # page marks
        lambda t: "\n".join(ln.strip("|") for ln in t.split("\n")),  # no outer pipes
        lambda t: "\n".join("| " + ln + " |" if "|" in ln else ln for ln in t.split("\n")),  # markdown
        lambda t: t.replace("1.属于国家秘密", ""),  # a label lost: values without a row label
        lambda t: t[: len(t) * 2 // 3],  # cut short
    ]
    for i in range(6):
        for layout in LAYOUTS:
            text = render_text(example_spec(i), layout=layout)
            for k, bend in enumerate(bends):
                assert_same(bend(text).encode("utf-8"), f"r{i}-{layout}-{k}.txt")


def test_other_kinds_read_alike(tmp_path):
    cases = [
        ("html", {"encoding": "utf-8"}),
        ("html", {"encoding": "gbk", "t2_split": True}),
        ("html", {"encoding": "gb18030", "cell_wrap": "mixed"}),
        ("docx", {}),
    ]
    for i in range(8):
        for k, (kind, opts) in enumerate(cases):
            p = tmp_path / f"r{i}_{k}.{kind}"
            write(example_spec(i), p, kind, **opts)
            assert_same(p.read_bytes(), p.name)


def test_sample_inbox_and_real_fixtures_read_alike():
    # (.doc files are converted by LibreOffice, seconds each, and read as .docx: left out)
    files = [p for p in sorted(SAMPLE.rglob("*")) if p.is_file() and p.suffix.lower() != ".doc"]
    if REAL.is_dir():
        files += [p for p in sorted(REAL.iterdir()) if p.is_file() and not p.name.endswith(".json")]
    assert len(files) > 80
    for p in files:
        data = p.read_bytes()
        if not _ocr(data, p.name):
            assert_same(data, str(p))


def test_failure_classes_read_alike(monkeypatch):
    """Every document the failure-class and text-reader tests parse, read and mapped both ways."""
    seen: list[tuple[bytes, str]] = []
    real = parse_mod.parse_bytes

    def record(data: bytes, path: str, base: str | None = None) -> dict:
        seen.append((data, path))
        return real(data, path, base)

    monkeypatch.setattr(parse_mod, "parse_bytes", record)
    modules = ["test_parse_failure_classes.py", "test_parse_text.py"]
    for m in modules:
        mod = __import__(m[:-3])
        monkeypatch.setattr(mod, "parse_bytes", record, raising=False)
    rc = pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", *(str(HERE / m) for m in modules)])
    assert rc == 0
    assert len(seen) > 50
    for data, path in seen:
        if not _ocr(data, path):
            assert_same(data, path)
