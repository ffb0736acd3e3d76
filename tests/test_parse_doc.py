"""Old binary Word (.doc) and WPS files: read by converting them with LibreOffice, or set aside with
what to install when it is missing.

The round trip makes a .docx with the project's own writer, has LibreOffice itself save it as a
.doc, and reads the .doc back. It needs `soffice` (libreoffice-writer-nogui); it is skipped without
it, except where NIANBAO_REQUIRE_SOFFICE=1 (CI), where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
from test_parse_roundtrip import _spec

from corpus import expected_cells, write
from pipeline.cli import main
from pipeline.document import UnreadableFile
from pipeline.parse import parse_bytes, parse_file
from pipeline.readers import detect_kind
from pipeline.readers.oldword import OLE2_MAGIC, convert_to_docx

SAMPLE_DOC = (
    Path(__file__).resolve().parents[1]
    / "assets"
    / "sample"
    / "inbox"
    / "2022"
    / "阿拉善左旗额尔克哈什哈苏木人民政府2022年政府信息公开工作年度报告.doc"
)
# the smallest thing detect_kind takes for a Word file: OLE2 magic and a WordDocument stream name
FAKE_DOC = OLE2_MAGIC + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(512)


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("NIANBAO_REQUIRE_SOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required here: apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


def _our_soffice_processes() -> list[str]:
    """Command lines of running processes started by a conversion (they use a nianbao-doc- profile)."""
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "nianbao-doc-" in cmd:
            out.append(cmd)
    return out


@pytest.fixture(scope="module")
def doc_and_docx(tmp_path_factory):
    """A report written as .docx by the corpus writer, and the .doc LibreOffice saves of it."""
    soffice = _soffice()
    tmp = tmp_path_factory.mktemp("doc")
    spec = _spec(5)
    docx = tmp / "r.docx"
    write(spec, docx, "docx")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(tmp / "out"),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=dict(os.environ, HOME=str(tmp)),
    )
    doc = tmp / "out" / "r.doc"
    return spec, docx, doc


def _values(cells: dict) -> dict:
    return {cid: (c["semantic"], c["value"], c["raw"]) for cid, c in cells.items()}


def test_doc_round_trip_reads_as_its_docx(doc_and_docx, capsys):
    spec, docx, doc = doc_and_docx
    data = doc.read_bytes()
    assert data.startswith(OLE2_MAGIC) and detect_kind(data) == "doc"

    assert main(["parse", "--json", str(doc)]) == 0  # the CLI, as `nianbao parse r.doc`
    got = json.loads(capsys.readouterr().out)
    assert got["kind"] == "doc" and "error" not in got
    want = expected_cells(spec)
    wrong = [
        cid
        for cid, w in want.items()
        if (got["cells"][cid]["semantic"], got["cells"][cid]["value"]) != (w["semantic"], w["value"])
    ]
    assert wrong == []
    from_docx = parse_file(docx)
    assert _values(got["cells"]) == _values(from_docx["cells"])
    assert _values(got["extra_cells"]) == _values(from_docx["extra_cells"])
    for k in ("agency", "year", "period", "title", "format_version"):
        assert got[k] == from_docx[k], k
    assert got["agency"] == spec.agency and got["year"] == spec.year
    assert _our_soffice_processes() == []  # the conversion left nothing running


def test_doc_is_told_by_content_whatever_its_name(doc_and_docx):
    """A .doc saved under another name (and a .wps, which WPS writes in the same format) is read."""
    _, docx, doc = doc_and_docx
    r = parse_bytes(doc.read_bytes(), "附件1.wps")
    assert r.get("kind") == "doc", r.get("error")
    assert _values(r["cells"]) == _values(parse_file(docx)["cells"])


def test_without_libreoffice_a_doc_is_set_aside_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    for name in ("report.doc", "report.wps", "download.bin"):
        r = parse_bytes(FAKE_DOC, name)
        assert r["error"].startswith(
            "the file is an old binary Word (.doc) or WPS file, and LibreOffice is not installed"
        ), r
        assert "apt-get install libreoffice-writer-nogui" in r["error"]
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # an office may switch conversion off
    assert "apt-get install libreoffice-writer-nogui" in parse_bytes(FAKE_DOC, "r.doc")["error"]


def test_other_old_office_files_are_told_apart():
    xls = OLE2_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(512)
    with pytest.raises(UnreadableFile, match="Excel"):
        detect_kind(xls)
    # the bundled sample's .doc is the OLE2 magic followed by noise: damaged, whether or not
    # LibreOffice is installed (its expected fate in assets/sample/truth.jsonl stays "set aside")
    with pytest.raises(UnreadableFile, match="damaged"):
        detect_kind(SAMPLE_DOC.read_bytes())


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "fake-soffice"
    exe.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_a_conversion_over_the_time_limit_is_killed_with_its_children(tmp_path, monkeypatch):
    # a "LibreOffice" that starts a child of its own and hangs, like soffice.bin under oosplash
    exe = _fake_soffice(tmp_path, "sleep 300 &\nsleep 300\n")
    monkeypatch.setenv("NIANBAO_SOFFICE", str(exe))
    t = time.monotonic()
    with pytest.raises(UnreadableFile, match="more than 1 s"):
        convert_to_docx(FAKE_DOC, timeout=1)
    assert time.monotonic() - t < 10
    time.sleep(0.2)
    assert _our_soffice_processes() == []


def test_a_failed_conversion_is_set_aside_as_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "NIANBAO_SOFFICE", str(_fake_soffice(tmp_path, "echo 'Error: source file could not be loaded'\n"))
    )
    r = parse_bytes(FAKE_DOC, "r.doc")
    assert "could not be converted by LibreOffice" in r["error"] and "damaged" in r["error"]


def test_manifest_sets_a_doc_aside_without_libreoffice_and_reads_it_once_installed(tmp_path, monkeypatch):
    """Through the inbox scan, the read cache and the manifest: set aside with the hint, then read
    at the next run once a converter is there (the missing-tool verdict is not cached)."""
    from corpus import example_spec
    from pipeline.inbox import scan
    from pipeline.readcache import ReadCache, read_files
    from pipeline.registry import load_registry
    from pipeline.warehouse import plan

    spec = example_spec(
        3,
        agency="阿拉善左旗吉兰泰镇人民政府",
        year=2024,
        title="阿拉善左旗吉兰泰镇人民政府2024年政府信息公开工作年度报告",
        published_on="2025-01-20",
    )
    prepared = tmp_path / "prepared.docx"
    write(spec, prepared, "docx")
    inbox = tmp_path / "inbox" / "2024"
    inbox.mkdir(parents=True)
    (inbox / "吉兰泰镇2024年报.doc").write_bytes(FAKE_DOC)
    state = tmp_path / "state"
    cache = ReadCache(state)
    registry = load_registry()

    def manifest_row():
        files = scan(tmp_path / "inbox")
        stats = read_files(files, cache, "t", workers=1)
        manifest, _ = plan(files, cache, registry, state)
        [row] = manifest.to_dict("records")
        return stats, row

    monkeypatch.setenv("NIANBAO_SOFFICE", "")
    stats, row = manifest_row()
    assert stats["read"] == 1 and row["kind"] == "doc" and row["status"] == "set_aside"
    assert "apt-get install libreoffice-writer-nogui" in row["reason"]

    # "install" a LibreOffice that writes the prepared .docx where --outdir says
    exe = _fake_soffice(
        tmp_path, f'while [ "$1" != "--outdir" ]; do shift; done\nmkdir -p "$2" && cp "{prepared}" "$2/report.docx"\n'
    )
    monkeypatch.setenv("NIANBAO_SOFFICE", str(exe))
    stats, row = manifest_row()
    assert stats["read"] == 1, stats  # read again, not taken from the cache
    assert row["status"] == "read", row["reason"]
    assert row["year"] == 2024 and row["unit_id"]
