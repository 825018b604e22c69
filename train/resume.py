"""Work that a second call of the same training command does not redo.

The default recipe trains four models (three teacher members, then the student); on a 2-core
workstation that is a quarter of an hour on cxr-dev and hours on the full Kaggle database. A
run that is stopped (Ctrl-C, a reboot, a full disk) keeps every model it finished: each
member is saved as it completes, with the settings and the split it was trained with, and the
same command picks them up. Members are independent (member k starts from seed + k), so a
resumed run gives the same weights as one that was never stopped.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from edge.atomic import read_json, write_json

MEMBERS_DIR = "members"  # inside a run folder while it trains; removed when the run is finished


def settings_dict(s: Any) -> dict:
    """The settings (train.run.TrainSettings) as run.json records them."""
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(s).items()}


def _comparable(settings: dict) -> dict:
    done = dict(settings)
    done.setdefault("consistency", 0.0)  # runs from before 0.5 had no consistency term
    done.setdefault("mixstyle", 0.0)  # nor, before 0.9, MixStyle
    done.setdefault("add_data", [])  # nor, before 0.11, added folders
    return {**done, "progress": None}  # progress bars change nothing in the weights


def other_settings(run_dir: Path, s: Any) -> list[str] | None:
    """The settings in which the finished run in ``run_dir`` differs from ``s`` ([]: none, it can
    be reused); None when there is no finished run there. Said before a finished teacher is
    trained again, so that an hour's work is never replaced without a word."""
    if not (run_dir / "run.json").is_file() or not (run_dir / "model.keras").is_file():
        return None
    try:
        done = _comparable(read_json(run_dir / "run.json")["settings"])
    except (OSError, ValueError, KeyError):
        return None
    now = _comparable(settings_dict(s))
    return sorted(k for k in {*done, *now} if done.get(k) != now.get(k))


def fingerprint(s: Any, run_dir: Path) -> dict:
    """What a saved member must have been trained with to be reused: the settings and the split
    (its split.json's bytes: the same files, labels and parts)."""
    return {"settings": _comparable(settings_dict(s)),
            "split_sha256": hashlib.sha256((Path(run_dir) / "split.json").read_bytes()).hexdigest()}


def _paths(run_dir: Path, k: int) -> tuple[Path, Path]:
    d = Path(run_dir) / MEMBERS_DIR
    return d / f"member-{k + 1}.keras", d / f"member-{k + 1}.json"


def load_member(run_dir: Path, k: int, fp: dict):
    """(model, history) of member k saved by an earlier call with the same fingerprint, else None."""
    model_path, info_path = _paths(run_dir, k)
    if not (model_path.is_file() and info_path.is_file()):
        return None
    try:
        info = read_json(info_path)
        if info.get("fingerprint") != fp:
            return None
        import keras

        return keras.models.load_model(model_path, compile=False), info["history"]
    except Exception:  # noqa: BLE001 - a damaged checkpoint is retrained, never trusted
        return None


def save_member(run_dir: Path, k: int, model, history: dict, fp: dict) -> None:
    """Keep member k (its weights first, then the record that vouches for them) until the run ends."""
    from train.fit import save_model

    model_path, info_path = _paths(run_dir, k)
    save_model(model, model_path)
    write_json(info_path, {"fingerprint": fp, "history": history})


def clear_members(run_dir: Path) -> None:
    """The run is finished (its model.keras holds every member): drop the per-member copies."""
    d = Path(run_dir) / MEMBERS_DIR
    if d.is_dir():
        for p in d.iterdir():
            p.unlink()
        d.rmdir()
