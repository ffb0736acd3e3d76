"""`nianbao parse`: JSON lines, readable summaries, exit statuses, and no traceback whatever the input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from corpus import example_spec, write
from pipeline.cli import main
from pipeline.codebook import cell_ids
from pipeline.parse import parse_bytes

SEED = Path(__file__).parent / "fixtures" / "seed_2024_bayanmuren.txt"


def test_json_lines_and_exit_status_two_when_a_file_cannot_be_read(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    code = main(["parse", "--json", str(SEED), str(empty), str(binary)])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 2
    assert len(lines) == 3
    good, e1, e2 = lines
    assert set(good) >= {
        "path",
        "sha256",
        "kind",
        "format_version",
        "agency",
        "year",
        "published_on",
        "period",
        "cells",
        "sections",
        "problems",
    }
    assert list(good["cells"]) == list(cell_ids())
    assert set(good["sections"]) == {"overview", "proactive", "requests", "appeals", "problems", "other"}
    for p in good["problems"]:
        assert set(p) == {"code", "severity", "message", "cells"} and p["severity"] in ("error", "warning", "info")
    assert e1 == {"path": str(empty), "sha256": e1["sha256"], "error": "the file is empty"}
    assert "binary" in e2["error"]


def test_exit_status_zero_when_every_file_was_read(capsys):
    assert main(["parse", "--json", str(SEED)]) == 0


def test_readable_summary_draws_the_tables(capsys):
    assert main(["parse", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "阿拉善左旗巴彦木仁苏木人民政府" in out
    assert "表三" in out and "（七）总计" in out and "表四" in out
    assert "table_malformed" in out
    assert "(空)" in out and "缺" in out  # blank and missing shown differently


def test_a_folder_is_read_file_by_file(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    write(example_spec(1), tmp_path / "a" / "r.txt", "text")
    write(example_spec(2), tmp_path / "r.html", "html")
    assert main(["parse", "--json", str(tmp_path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def _garbage(rng: random.Random) -> list[bytes]:
    good = SEED.read_bytes()
    html = (
        "<html><head><meta charset='gbk'></head><body><table><tr><td rowspan='x'>规章</td>"
        "<td colspan='99999'>1</td></tr>".encode("gbk")
    )
    out = [
        rng.randbytes(5000),
        b"%PDF-1.7\n" + rng.randbytes(3000),
        b"PK\x03\x04" + rng.randbytes(2000),
        good[: len(good) // 2],
        good.replace(b"|", b""),
        html,
        html * 50,
        "\n".join("|" * rng.randint(0, 30) for _ in range(500)).encode(),
        ("规章 | " * 5000).encode(),
        "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n".encode() * 3,
        "\ufeff".encode() + good,
        good.decode("utf-8").encode("gb18030"),
        good.decode("utf-8").encode("utf-16"),
    ]
    # a Word file whose document.xml is broken
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"<w:document><w:body><w:tbl><w:tr>")
    out.append(buf.getvalue())
    return out


def test_no_input_raises(tmp_path):
    rng = random.Random(7)
    for i, data in enumerate(_garbage(rng)):
        r = parse_bytes(data, f"case{i}")
        assert "path" in r
        if "error" not in r:
            assert len(r["cells"]) == 200


def test_command_never_prints_a_traceback(tmp_path):
    rng = random.Random(11)
    paths = []
    for i, data in enumerate(_garbage(rng)):
        p = tmp_path / f"case{i}.dat"
        p.write_bytes(data)
        paths.append(str(p))
    exe = Path(sys.executable).parent / "nianbao"
    if not exe.exists():
        pytest.skip("the nianbao command is not installed")
    out = subprocess.run(
        [str(exe), "parse", *paths, str(tmp_path / "missing.txt")], capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in out.stdout + out.stderr
    assert out.returncode == 2
