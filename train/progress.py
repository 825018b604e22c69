"""Progress bars over images, for the long loops of training and conversion (decoding a folder,
scoring a set): tqdm where it is installed (the [train] extra), nothing where it is not."""

from __future__ import annotations


def progress_bar(total: int, desc: str, enabled: bool):
    """A tqdm bar over images (or one that does nothing where tqdm is absent or progress is off)."""
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="img", disable=not enabled, leave=False)
    except ImportError:  # tqdm is in the [train] extra; stay usable without it
        class _Null:
            def update(self, n: int) -> None: ...
            def close(self) -> None: ...

        return _Null()
