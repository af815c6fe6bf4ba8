"""Streaming a CSV file: encoding detection (UTF-8, BOM, CP932), delimiter, bytes read."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Generator
from typing import BinaryIO

# Excel and Japanese CRMs write UTF-8 with a BOM or Shift_JIS; CP932 is Microsoft's
# Shift_JIS (with ① and the NEC/IBM extensions Excel uses), so we read Shift_JIS as CP932.
ENCODINGS = ("utf-8", "utf-8-sig", "cp932", "utf-16")
_ALIASES = {"shift_jis": "cp932", "sjis": "cp932", "shift-jis": "cp932", "utf8": "utf-8"}
_CHUNK = 1 << 20  # encoding detection reads this much at a time
_BUFFER = 1 << 16  # rows are read through a buffer this size (also the progress step)

OnBytes = Callable[[int], None]


class UnreadableFile(ValueError):
    """The file is not text in a supported encoding (message in Japanese)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def normalize_encoding(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in ENCODINGS:
        raise ValueError(f"文字コード {name} には対応していません ({', '.join(ENCODINGS)})")
    return key


def detect_encoding(stream: BinaryIO) -> str:
    """BOM first; otherwise UTF-8 if the whole file decodes as UTF-8, else CP932."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp932"
    finally:
        stream.seek(0)
    return "utf-8"


def choose_encoding(stream: BinaryIO, encoding: str | None) -> str:
    """The encoding asked for (`--encoding`), or the detected one for None or "auto"."""
    if encoding and encoding != "auto":
        return normalize_encoding(encoding)
    return detect_encoding(stream)


def total_bytes(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


class _Counting(io.RawIOBase):
    """A read-only view of `stream` that reports how many bytes were read (progress)."""

    def __init__(self, stream: BinaryIO, on_bytes: OnBytes | None) -> None:
        self._stream = stream
        self._on_bytes = on_bytes
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.done += size
        if self._on_bytes is not None:
            self._on_bytes(self.done)
        return size


def _delimiter(first_line: str) -> str:
    # Excel's "Unicode text" export is tab separated; everything else here is commas.
    return "\t" if "\t" in first_line and "," not in first_line else ","


def iter_records(
    stream: BinaryIO, *, encoding: str, on_bytes: OnBytes | None = None
) -> Generator[tuple[int, list[str]], None, None]:
    """(row number, cells) for every record; the header is row 1, as a spreadsheet counts.

    Reads in small buffers, so memory does not depend on the file's size."""
    stream.seek(0)
    # The wrapper owns only the counting view: closing it leaves the caller's stream open.
    raw = _Counting(stream, on_bytes)
    text = io.TextIOWrapper(io.BufferedReader(raw, _BUFFER), encoding=encoding, newline="")
    number = 0
    try:
        first = text.readline()
        # itertools.chain, not a generator with `yield from text`: closing such a generator
        # (when the reader stops early) closes `text` too, at garbage collection, printing
        # "Exception ignored … underlying buffer has been detached" after the real message.
        lines = itertools.chain((first,) if first else (), text)
        reader = csv.reader(lines, delimiter=_delimiter(first), strict=False)
        for number, record in enumerate(reader, start=1):
            yield number, record
    except UnicodeDecodeError:
        raise UnreadableFile(
            number + 1,
            f"{encoding} として読めない文字があります (UTF-8 か Shift_JIS/CP932 で保存してください)",
        ) from None
    except csv.Error as exc:
        if "field limit" in str(exc):
            # Mostly a quote opened and never closed, swallowing the rest of the file.
            message = (
                f"セルが長すぎます ({csv.field_size_limit():,} 文字まで。"
                '" で始めたセルの閉じ忘れがないか確認してください)'
            )
        else:
            message = f"CSV として読めません: {exc}"
        raise UnreadableFile(number + 1, message) from None
    finally:
        text.close()
