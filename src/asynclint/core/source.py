"""Reading source files: encoding, BOM and newline style, without ever raising."""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

NEWLINE = b"\n"

#: A file's content version as the caches compare it: (mtime in ns, size).
Version = tuple[int, int]


def file_version(path: Path) -> Version | None:
    """``path``'s version (None when it cannot be stat'ed): a changed file has another."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass
class Source:
    """A decoded file, or why it could not be read."""

    text: str | None
    encoding: str = "utf-8"
    bom: bool = False
    error: str | None = None
    raw: bytes = b""

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return (codecs.BOM_UTF8 + data) if self.bom else data


def decode_source(raw: bytes) -> Source:
    """Decode bytes as Python does: BOM, then a PEP 263 coding cookie, else UTF-8."""
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        # Without a coding cookie the cause is bytes that are not UTF-8: say which and where.
        try:
            raw[len(codecs.BOM_UTF8):].decode("utf-8") if bom else raw.decode("utf-8")
        except UnicodeDecodeError as err:
            start = err.start + (3 if bom else 0)
            line = raw.count(NEWLINE, 0, start) + 1
            return Source(None, "utf-8", bom,
                          f"cannot decode as utf-8 at byte {start} (line {line}): {err.reason}", raw)
        return Source(None, error=f"cannot detect encoding: {exc.msg}", raw=raw)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = raw[len(codecs.BOM_UTF8):] if bom else raw
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        where = ""
        if isinstance(exc, UnicodeDecodeError):
            start = exc.start + (3 if bom else 0)
            where = f" at byte {start} (line {raw.count(NEWLINE, 0, start) + 1})"
        return Source(None, encoding, bom, f"cannot decode as {encoding}{where}: {reason}", raw)
    return Source(text, encoding, bom, None, raw)


def read_source(path: Path) -> Source:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return Source(None, error="is a directory")
    except OSError as exc:
        return Source(None, error=exc.strerror or str(exc))
    return decode_source(raw)
