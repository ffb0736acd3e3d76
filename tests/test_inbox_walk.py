"""The scan walks a folder's files as strings (pipeline/inbox.py): the reasons it gives equal those of
the Path-based `_ignored`, and its rows those of inspecting each file, on odd shapes of inbox."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.inbox import _ignored, _ignored_parts, _year_from_text, inspect, scan, sniff_year


def _odd_inbox(root: Path) -> None:
    files = {
        "a.txt": "2023年度政府信息公开工作年度报告",
        "sub/b.txt": "x",
        "sub/.hidden.txt": "x",
        "sub/~$lock.docx": "x",
        "__MACOSX/c.txt": "x",
        "_review/decisions.csv": "x",
        "页面.html": "<html>2022年政府信息公开工作年度报告</html>",
        "页面_files/img1.png": "x",
        "other_files/d.txt": "x",  # no page beside it: an ordinary folder
        "scan/报告1.png": "x",
        "scan/报告2.png": "x",
        "scan/报告3.png": "x",
        "deep/er/2024/e.txt": "x",
        "_review.txt": "x",
    }
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    os.symlink(root / "a.txt", root / "link.txt")
    os.symlink("/nonexistent", root / "dangling.txt")


def test_ignored_parts_equals_ignored_of_the_path(tmp_path):
    _odd_inbox(tmp_path)
    entries = [p.relative_to(tmp_path) for p in tmp_path.rglob("*")]
    assert len(entries) > 15
    for rel in entries:
        folder = (tmp_path / rel).is_dir()
        assert _ignored_parts(rel.parts, tmp_path, folder) == _ignored(rel, tmp_path, folder), rel
        assert _ignored_parts(rel.parts) == _ignored(rel), rel


def test_scan_rows_equal_inspecting_each_file(tmp_path):
    _odd_inbox(tmp_path)
    rows = scan(tmp_path)
    paths = [r.path for r in rows]
    assert paths == sorted(paths)
    assert "sub/b.txt" in paths and "deep/er/2024/e.txt" in paths and "other_files/d.txt" in paths
    assert "scan/报告2.png" not in paths  # a later page: read with page 1
    by_path = {r.path: r for r in rows}
    assert by_path["sub/.hidden.txt"].error.startswith("ignored: hidden file")
    assert by_path["dangling.txt"].error.startswith("a link to something that does not exist")
    for r in rows:
        if r.error is None:
            assert r.abspath == str(tmp_path / r.path)
            want = inspect(Path(r.abspath), r.path)
            assert (r.sha256, r.kind, r.size, r.year_hint, r.hint_source) == (
                want.sha256,
                want.kind,
                want.size,
                want.year_hint,
                want.hint_source,
            )
            assert r.as_row() == {**vars(r)}


def test_year_hint_ignores_the_same_blanks_as_the_regex():
    for text in (
        "2023 年 度 政府信息公开\t工作年度报告",
        "2023\u3000年度政府\xa0信息公开工作年度报告",
        "2022年\n度政府信息公开工作年度报告",  # a line break is not removed: no title match
        "  \t\u3000\xa0 ",
        "",
    ):
        want = re.sub(r"[ \t\u3000\xa0]+", "", text)
        assert sniff_year(text.encode("utf-8"), "text") == (
            (_year_from_text(want), "title") if _year_from_text(want) else (None, None)
        )
