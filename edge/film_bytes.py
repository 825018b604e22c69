"""A film's bytes read from its path, or an ImageError that says in words why they cannot be (edge.preprocess):
never waiting for a FIFO, nor reading a device (/dev/zero) for ever, nor a file over MAX_FILE_BYTES."""

from __future__ import annotations

import errno
from pathlib import Path

from edge.image_error import ImageError
from edge.regular_file import NotAFile, TooLarge, read_regular

MAX_FILE_BYTES = 256 * 2**20  # the largest uncompressed 16-bit DICOM chest film is about 40 MiB


def read_image_file(path: str | Path) -> bytes:
    """A film's bytes, or an ImageError that says in words why they cannot be read."""
    path = Path(path)
    try:
        return read_regular_file(path)
    except IsADirectoryError:
        raise ImageError("is a directory, not an image file") from None
    except FileNotFoundError:
        raise ImageError("no such file") from None
    except PermissionError:
        raise ImageError("permission denied") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ImageError("symbolic link loop (too many levels of symbolic links)") from None
        raise ImageError(f"cannot read file: {e.strerror or e}") from None


def read_regular_file(path: str | Path, head: int | None = None) -> bytes:
    """A film's bytes (``head``: its first ``head`` bytes only), never waiting for a FIFO, nor reading a
    device (/dev/zero) for ever, nor a file over MAX_FILE_BYTES (edge.regular_file)."""
    try:
        return read_regular(path, MAX_FILE_BYTES, head)
    except NotAFile as e:
        if e.kind == "a folder":
            raise IsADirectoryError(errno.EISDIR, "is a directory") from None
        raise ImageError("not a regular file (a FIFO, socket or device)") from None
    except TooLarge as e:
        raise ImageError(f"refused: file is {e.size / 2**20:.0f} MiB, more than the {MAX_FILE_BYTES // 2**20} MiB "
                         "limit") from None


class FilmBytes:
    """A film's bytes, held here alone so that the reader can let them go once nothing needs them (:meth:`drop`):
    a 6000x6000 16-bit PNG's 65 MB were held through its decode and its checks, a DICOM's 72 MB beside pydicom's
    own copy of its pixels. Whoever passes plain bytes keeps its own reference, and nothing is freed early."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)  # the file's length, still known once its bytes are dropped
        self.head = data[:64]  # its header (a PNG's IHDR), for the checks after the decode

    def drop(self) -> None:
        """Let the bytes go: what is asked of them afterwards sees b"" (``size`` and ``head`` stay)."""
        self.data = b""


def held(data: bytes | FilmBytes) -> FilmBytes:
    """``data`` as FilmBytes (plain bytes wrapped: the caller still holds them)."""
    return data if isinstance(data, FilmBytes) else FilmBytes(data)
