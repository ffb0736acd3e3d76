"""Old binary Word (.doc) and WPS (.wps) files, read by converting them to .docx with LibreOffice.

Many township sites publish their report only as a .doc attachment. Both formats are OLE2 compound
files; LibreOffice (`soffice --headless --convert-to docx`) turns them into .docx, which the Word
reader then reads like any other. Each conversion runs in a temporary folder of its own with a
private LibreOffice profile (so conversions in parallel workers never share one), in a process
group of its own that is killed after the time limit and in any case when the conversion ends, so
no soffice process outlives it. Without LibreOffice the file is set aside with what to install.

NIANBAO_SOFFICE      the LibreOffice program (default: soffice or libreoffice on PATH)
NIANBAO_DOC_TIMEOUT  seconds one conversion may take (default 60)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..document import Document, UnreadableFile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
INSTALL_HINT = (
    "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or save the file as .docx or PDF"
)
# the words that mark "set aside only because LibreOffice is missing": such a file is read again
# at the next run rather than kept as unreadable
MISSING_TOOL = "LibreOffice is not installed"
DEFAULT_TIMEOUT = 60.0


def _stream(name: str) -> bytes:
    return name.encode("utf-16-le")


def ole2_kind(data: bytes) -> str:
    """What an OLE2 compound file holds, told by its stream names: 'doc' (a Word or WPS document),
    'xls', 'ppt' or '' (none of these: a damaged file or another program's)."""
    if data.find(_stream("WordDocument")) >= 0:
        return "doc"  # Word 97-2003, and Kingsoft WPS Writer, which writes the same format
    if data.find(_stream("Workbook")) >= 0 or data.find(_stream("Book\0")) >= 0:
        return "xls"
    if data.find(_stream("PowerPoint Document")) >= 0:
        return "ppt"
    if data.find(_stream("CONTENTS")) >= 0 and data.find(_stream("SPELLING")) >= 0:
        return "doc"  # Microsoft Works word processor (.wps)
    return ""


def soffice_path() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    from ..settings import from_env

    configured = from_env().soffice
    if configured is not None:
        return shutil.which(configured) if configured else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _timeout() -> float:
    from ..settings import from_env

    return from_env().doc_timeout or DEFAULT_TIMEOUT


def convert_to_docx(data: bytes, timeout: float | None = None) -> bytes:
    """The .docx LibreOffice makes of an old Word or WPS file; UnreadableFile when it cannot."""
    soffice = soffice_path()
    if soffice is None:
        raise UnreadableFile(
            f"the file is an old binary Word (.doc) or WPS file, and {MISSING_TOOL} to convert it: {INSTALL_HINT}"
        )
    timeout = _timeout() if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        work = Path(tmp)
        src = work / "report.doc"
        src.write_bytes(data)
        out = work / "out"
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nofirststartwizard",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ]
        env = dict(os.environ, HOME=str(work))  # nothing written to the user's home either
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=work,
                env=env,
                start_new_session=True,
            )
        except OSError as e:
            raise UnreadableFile(
                f"the old Word (.doc) or WPS file could not be converted: LibreOffice "
                f"({soffice}) could not be started ({e.strerror or e})"
            )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise UnreadableFile(
                f"the old Word (.doc) or WPS file could not be converted: LibreOffice took "
                f"more than {timeout:g} s (NIANBAO_DOC_TIMEOUT); the file may be damaged"
            )
        finally:
            _kill_group(proc)
        result = out / "report.docx"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            said = output.decode("utf-8", errors="replace").strip().splitlines()[-1:] if output else []
            detail = f" ({said[0][:200]})" if said and "Error" in said[0] else ""
            if proc.returncode != 0:  # e.g. 134: LibreOffice aborted (it does on a machine with no font at all)
                detail += f" (LibreOffice's exit status {proc.returncode})"
            raise UnreadableFile(
                f"the old Word (.doc) or WPS file could not be converted by LibreOffice{detail}; it may be damaged"
            )
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    """End the conversion's process group (soffice starts soffice.bin under it), then reap."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def read_old_word(data: bytes, name: str) -> Document:
    from .docx import read_docx

    converted = convert_to_docx(data)
    try:
        doc = read_docx(converted, name)
    except UnreadableFile as e:
        raise UnreadableFile(f"the old Word (.doc) or WPS file was converted by LibreOffice, but {e}")
    doc.kind = "doc"
    doc.meta["converted_by"] = "LibreOffice"
    return doc
