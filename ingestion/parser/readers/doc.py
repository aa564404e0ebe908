"""Legacy .doc: converted to DOCX by LibreOffice headless, then read as DOCX.

Each conversion gets its own LibreOffice profile directory (concurrent conversions with a
shared profile collide silently) and a timeout. Nothing is inflated here: what LibreOffice
writes is held to the file-size limit and read by the DOCX reader, which counts what it
really inflates to.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..document import Document, RejectedDocument, TransientReadError
from . import MAX_BYTES
from . import docx as docx_reader

TIMEOUT = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, to: str = "docx", suffix: str = ".doc", timeout: int = TIMEOUT) -> bytes:
    exe = soffice()
    if exe is None:
        raise RejectedDocument("LibreOffice (soffice) is not installed: cannot convert legacy .doc")
    with tempfile.TemporaryDirectory(prefix="govinfo-lo-") as tmp:
        tmp = Path(tmp)
        src = tmp / f"in{suffix}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(tmp / "out"), str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise TransientReadError(f"LibreOffice conversion timed out after {timeout} s") from None
        except OSError as exc:  # could not start (resources, a half-installed LibreOffice)
            raise TransientReadError(f"LibreOffice could not start: {exc}") from None
        out = tmp / "out" / f"in.{to}"
        if not out.exists() or out.stat().st_size == 0:
            raise RejectedDocument("legacy .doc could not be converted (corrupt, encrypted or not a Word document)")
        if out.stat().st_size > MAX_BYTES:  # what it converts to is held to the limits of a file
            raise RejectedDocument(f"legacy .doc converts to {out.stat().st_size} bytes (limit {MAX_BYTES})")
        return out.read_bytes()


def read(data: bytes) -> Document:
    return docx_reader.read(convert(data), fmt="doc")
