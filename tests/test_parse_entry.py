"""parse_file's entry checks (one stat call) and detect_kind's in-place tests give what the copying
forms gave: a folder, a missing file, a broken link, whitespace-only bytes, the 64 KB HTML sniff."""

from __future__ import annotations

import os

import pytest

from pipeline.document import UnreadableFile
from pipeline.parse import parse_file
from pipeline.readers.kinds import _HTML_HINT, detect_kind


def test_parse_file_names_what_is_not_a_readable_file(tmp_path):
    assert parse_file(tmp_path)["error"] == "this is a folder, not a file"
    assert parse_file(tmp_path / "missing.txt")["error"] == "no such file"
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    assert parse_file(tmp_path / "link.txt")["error"] == "no such file"
    f = tmp_path / "a.txt"
    f.write_bytes(b"x")
    assert parse_file(f / "below")["error"].startswith("the file cannot be opened: ")
    assert parse_file(str(tmp_path / "a\x00.txt"))["error"] == "the file name cannot be used: embedded null byte"
    os.mkfifo(tmp_path / "pipe.txt")
    assert parse_file(str(tmp_path / "pipe.txt"))["error"] == "this is a named pipe (FIFO), not a report file"


@pytest.mark.parametrize("b", range(256))
def test_whitespace_only_file_is_empty_exactly_when_strip_says_so(b):
    data = bytes([b]) * 3
    if not data.strip():
        with pytest.raises(UnreadableFile, match="empty"):
            detect_kind(data)
    else:
        try:
            detect_kind(data)
        except UnreadableFile as e:
            assert "empty" not in str(e)


@pytest.mark.parametrize("pad", [65529, 65530, 65531, 65532, 70000])
def test_html_sniff_reads_the_first_64_kb_as_the_slice_did(pad):
    for tag in (b"<html>", b"<p>", b"<table "):
        data = b"x" * pad + tag
        assert bool(_HTML_HINT.search(data, 0, 65536)) == bool(_HTML_HINT.search(data[:65536]))
        assert detect_kind(data) == ("html" if _HTML_HINT.search(data[:65536]) else "text")
