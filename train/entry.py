"""cxr-train's and cxr-synth's console scripts: see edge.entry (a stop while they import is one line)."""

from edge.entry import start


def cxr_train() -> None:
    start("cxr-train", "train.cli", "train_main")


def cxr_synth() -> None:
    start("cxr-synth", "train.synth_cli", "synth_main")
