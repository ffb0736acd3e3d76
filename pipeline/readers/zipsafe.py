"""Word files (zip) opened safely: declared sizes checked before anything is inflated, members
inflated in bounded steps. Used by the kind detection (readers/__init__.py) and readers/docx.py."""

from __future__ import annotations

import zipfile

from ..document import UnreadableFile

# A Word file's parts are inflated only when their declared sizes are sane: a few megabytes of zip
# can declare (and inflate to) gigabytes of XML. Real reports' document.xml are a few MB.
MAX_DOCX_XML = 64 * 1024 * 1024
MAX_DOCX_TOTAL = 256 * 1024 * 1024


def check_zip_sizes(z: zipfile.ZipFile) -> None:
    """Refuse a zip whose declared uncompressed sizes are too large, before inflating anything."""
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    doc = next((i for i in infos if i.filename == "word/document.xml"), None)
    if doc is not None and doc.file_size > MAX_DOCX_XML or total > MAX_DOCX_TOTAL:
        size = doc.file_size if doc is not None and doc.file_size > MAX_DOCX_XML else total
        raise UnreadableFile(
            f"the Word file would unpack to {size // (1024 * 1024)} MB of text, far more than a "
            "report holds (a damaged file or a zip bomb); not read"
        )


def read_zip_member(z: zipfile.ZipFile, name: str, limit: int = MAX_DOCX_XML) -> bytes:
    """A member of a zip, inflated in bounded steps: a member that inflates beyond `limit` (whatever
    its header declared) is refused without holding more than `limit` bytes."""
    out = bytearray()
    with z.open(name) as f:
        while True:
            chunk = f.read(1024 * 1024)
            if not chunk:
                break
            out += chunk
            if len(out) > limit:
                raise UnreadableFile(
                    f"the Word file's {name} unpacks to more than {limit // (1024 * 1024)} MB "
                    "(a damaged file or a zip bomb); not read"
                )
    return bytes(out)
