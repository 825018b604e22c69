"""How a file becomes a model input (size, channels, resize, normalisation, border trim): PreprocessConfig, which
travels inside every .tflite's metadata so that the device reads a film as training did (edge.preprocess)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

RESIZE_MODES = ("pad", "squash")
NORMALIZE_MODES = ("equalize", "none")


@dataclass(frozen=True)
class PreprocessConfig:
    """How to turn a file into a model input. Travels inside every .tflite's metadata."""

    size: int = 128
    channels: int = 1
    resize: str = "pad"
    normalize: str = "equalize"
    trim_borders: bool = True

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"image size must be at least 8, got {self.size}")
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if self.resize not in RESIZE_MODES:
            raise ValueError(f"resize must be one of {RESIZE_MODES}, got {self.resize!r}")
        if self.normalize not in NORMALIZE_MODES:
            raise ValueError(f"normalize must be one of {NORMALIZE_MODES}, got {self.normalize!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PreprocessConfig":
        known = {k: d[k] for k in ("size", "channels", "resize", "normalize", "trim_borders") if k in d}
        return cls(**known)
