"""The models of a run kept one by one while it trains, so that a stopped run keeps every model it
finished (train.resume says when a second call may take them up)."""

from __future__ import annotations

from pathlib import Path

from edge.atomic import read_json, write_json

MEMBERS_DIR = "members"  # inside a run folder while it trains; removed when the run is finished


def _paths(run_dir: Path, k: int) -> tuple[Path, Path]:
    d = Path(run_dir) / MEMBERS_DIR
    return d / f"member-{k + 1}.keras", d / f"member-{k + 1}.json"


def load_member(run_dir: Path, k: int, fp: dict):
    """(model, history, seconds it took to train) of member k saved by an earlier call with the same
    fingerprint, else None. The seconds go into run.json's time, which would otherwise count only the
    last call of a run that was stopped and resumed."""
    model_path, info_path = _paths(run_dir, k)
    if not (model_path.is_file() and info_path.is_file()):
        return None
    try:
        info = read_json(info_path)
        if info.get("fingerprint") != fp:
            return None
        import keras

        return keras.models.load_model(model_path, compile=False), info["history"], float(info.get("seconds", 0.0))
    except Exception:  # noqa: BLE001 - a damaged checkpoint is retrained, never trusted
        return None


def save_member(run_dir: Path, k: int, model, history: dict, fp: dict, seconds: float) -> None:
    """Keep member k (its weights first, then the record that vouches for them) until the run ends."""
    from train.fit import save_model

    model_path, info_path = _paths(run_dir, k)
    save_model(model, model_path)
    write_json(info_path, {"fingerprint": fp, "history": history, "seconds": round(seconds, 1)})


def clear_members(run_dir: Path) -> None:
    """The run is finished (its model.keras holds every member): drop the per-member copies."""
    d = Path(run_dir) / MEMBERS_DIR
    if d.is_dir():
        for p in d.iterdir():
            p.unlink()
        d.rmdir()
