"""Work that a second call of the same training command does not redo.

The default recipe trains four models (three teacher members, then the student); on a 2-core
workstation that is a quarter of an hour on cxr-dev and hours on the full Kaggle database. A
run that is stopped (Ctrl-C, a reboot, a full disk) keeps every model it finished: each
member is saved as it completes, with the settings and the split it was trained with, and the
same command picks them up (train.members). Members are independent (member k starts from
seed + k), so a resumed run gives the same weights as one that was never stopped.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from edge.atomic import DamagedFile, read_json
from edge.shell_words import command_words
from train.class_choice import picked_folders, same_class_setting
from train.run_record import run_record, run_record_problem
from train.settings_check import teacher_size


def settings_dict(s: Any) -> dict:
    """The settings (train.run.TrainSettings) as run.json records them."""
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(s).items()}


def _path(v: Any) -> Any:
    """A folder as one spelling: 'data', 'data/' and '/home/me/data' are one folder (a trailing slash
    from tab completion once threw away a finished teacher)."""
    return os.path.normpath(os.path.abspath(v)) if isinstance(v, str) and v and v != "synthetic" else v


def _real(v: Any) -> Any:
    return os.path.realpath(v) if isinstance(v, str) and v and v != "synthetic" else v


def _same_folders(a: Any, b: Any) -> bool:
    """Whether two recorded folders (or lists of them, in any order) are the same existing folders under
    other spellings: 'Data' and 'data' where the file system ignores case (macOS, Windows), or a link."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(any(_same_folders(x, y) for y in b) for x in a) \
            and all(any(_same_folders(x, y) for x in a) for y in b)
    try:
        return isinstance(a, str) and isinstance(b, str) and os.path.samefile(a, b)
    except OSError:  # either is gone: only the spelling can be compared, and it differs
        return False


FOLDER_SETTINGS = ("data", "add_data", "teacher", "out")  # compared as full paths (_comparable)
OWN_TEACHER = "teacher/ of its --out"


def _comparable(settings: dict) -> dict:
    """The settings as they are compared with a finished run's: each spelling of one setting as one value
    (a folder's, --class-map's, --holdout-source's, which is matched ignoring case and spaces; the
    --add-data folders in any order, as cxr-train takes them in one order whatever the order typed)."""
    from train.class_names import class_map_key
    from train.patients import text_key

    done = dict(settings)
    for key in ("data", "teacher", "out"):
        done[key] = _path(done.get(key))
    done["add_data"] = sorted(_path(v) for v in done.get("add_data") or [])
    done["class_map"] = class_map_key(done.get("class_map"))
    if isinstance(done.get("holdout_source"), str):
        done["holdout_source"] = text_key(done["holdout_source"])
    done.setdefault("consistency", 0.0)  # runs from before 0.5 had no consistency term
    done.setdefault("mixstyle", 0.0)  # nor, before 0.9, MixStyle
    if done["teacher"] and done["out"] and done["teacher"] == os.path.join(done["out"], "teacher"):
        done["teacher"] = OWN_TEACHER  # the default recipe's own: where the run folder now is
    return {**done, "progress": None, "replace": None}  # neither changes anything in the weights


# What other_settings lists for a run folder whose split or model is no longer the one its run.json
# describes: a retrain there was stopped after writing its new split or model.
STOPPED = "another split or model (a cxr-train there was stopped before it finished)"


def _data_where_split(settings: dict, run_dir: Path) -> dict:
    """The recorded settings with --data as the split found it: run.json keeps it as typed, and a
    relative one ('data') read from another folder was another data folder (a finished teacher was
    trained again). split.json keeps where the films were, in full."""
    data = settings.get("data")
    if not isinstance(data, str) or data == "synthetic" or os.path.isabs(data):
        return settings
    try:
        where = read_json(Path(run_dir) / "split.json").get("data_dir")
    except (OSError, DamagedFile):
        return settings
    return {**settings, "data": where} if isinstance(where, str) and os.path.isabs(where) else settings


def _as_recorded(run: dict, run_dir: Path) -> dict:
    """The recorded settings with every folder typed relative (--data, --add-data, --teacher, --out)
    made full from the folder cxr-train was called in (run.json's "workdir", from 0.26): called again
    from elsewhere, 'site/' had read as another folder, and a finished teacher was trained again.
    Older runs have only their split's record of where --data was."""
    settings, where = run["settings"], run.get("workdir")
    if not isinstance(where, str) or not os.path.isabs(where):
        return _data_where_split(settings, run_dir)

    def full(v: Any) -> Any:
        return os.path.join(where, v) if isinstance(v, str) and v and v != "synthetic" else v  # join keeps a full path

    return {**settings, **{k: full(settings.get(k)) for k in ("data", "teacher", "out")},
            "add_data": [full(v) for v in settings.get("add_data") or []]}


def other_settings(run_dir: Path, s: Any) -> list[str] | None:
    """The settings in which the finished run in ``run_dir`` differs from ``s`` ([]: none, it can
    be reused); None when there is no finished run there. Said before a finished teacher is
    trained again, so that an hour's work is never replaced without a word. RunRecordDamaged where
    run.json is there beside its model.keras but is no run's record: it was read as "no finished run",
    and the model trained over without --replace."""
    if not (run_dir / "run.json").is_file() or not (run_dir / "model.keras").is_file():
        return None
    run = run_record(run_dir)
    done = _comparable(_as_recorded(run, run_dir))
    mixed = run_record_problem(run_dir) is not None  # a retrain stopped half-way: not the run its settings say
    now = _comparable(settings_dict(s))
    for d in (done, now):  # --teacher-members 3 typed is the compact recipe's default left out: the same run
        d["teacher_members"] = teacher_size(d.get("teacher_members"), d.get("arch", "compact"))
    if not done.get("data") == now.get("data") == "synthetic":  # a folder's films: --synthetic-count says nothing
        done["synthetic_count"] = now["synthetic_count"] = None
    if same_class_setting(done.get("classes"), now.get("classes"), run.get("classes"), s.data, s.out):
        done["classes"] = now["classes"]
    return sorted({k for k in {*done, *now} if done.get(k) != now.get(k) and not _same_folders(done.get(k), now.get(k))}
                  | ({STOPPED} if mixed else set()))


def settings_said(run_dir: Path, s: Any, keys: list[str], options: dict[str, str] | None = None) -> str:
    """other_settings' ``keys`` as the options that differ, each with the finished run's value and the one
    asked for, '--epochs 20 (now 3)', to follow 'trained with': "trained with another epochs" said neither
    the option nor its values, and the command that goes on with the run had to be guessed.
    Folders are said as other_settings compared them (full, from where each command ran), relative to here:
    'site', typed from two folders, is two folders. ``options``: a setting typed as another option (a default
    recipe's teacher has its --teacher-members as its members)."""
    try:
        run = run_record(run_dir)
    except (OSError, DamagedFile):  # RunRecordDamaged: other_settings said so before
        return ", ".join((options or {}).get(k, _option(k)) if k != STOPPED else k for k in keys)
    then, now = _comparable(_as_recorded(run, run_dir)), _comparable(settings_dict(s))
    was = {**run["settings"], **{k: then[k] for k in FOLDER_SETTINGS}}  # the others as typed: --class-map, ...
    asked = {**settings_dict(s), **{k: now[k] for k in FOLDER_SETTINGS}}
    if {was.get("teacher"), asked.get("teacher")} <= {None, OWN_TEACHER} and len(keys) > 1:
        keys = [k for k in keys if k != "teacher"]  # the recipe's own teacher/ or none: no --teacher typed either way
    return ", ".join(k if k == STOPPED else _one_said(k, was.get(k), asked.get(k), (options or {}).get(k))
                     for k in keys)


def _option(key: str) -> str:
    return "--" + key.replace("_", "-")


def _one_said(key: str, was: Any, now: Any, option: str | None = None) -> str:
    """'--epochs 20 (now 3)', '--teacher-members not given (now 0)', '--augment (now --no-augment)': each value as it
    would be typed (a folder with a space quoted); not given is the option left to its default."""
    opt = option or _option(key)
    if isinstance(was, bool) or isinstance(now, bool):  # an on/off flag: --augment / --no-augment
        def flag(v: Any) -> str:
            return opt if v else f"--no-{opt[2:]}"
        return f"{flag(was)} (now {flag(now)})"

    def shown(v: Any) -> str:  # --add-data is typed once a folder; --classes as one list
        if isinstance(v, list):
            return (f" {opt} " if key == "add_data" else ",").join(map(shown, v))
        return command_words(_from_here(v)) if isinstance(v, str) else str(v)

    def given(v: Any) -> bool:  # the default recipe's own teacher/ is the --teacher not given
        return v not in (None, "", [], OWN_TEACHER)
    return f"{opt} {shown(was) if given(was) else 'not given'} (now {shown(now) if given(now) else 'not given'})"


def _from_here(v: Any) -> str:
    """A full path relative to the current folder (as the user would type it from here); anything else as it is."""
    try:
        return os.path.relpath(v) if isinstance(v, str) and os.path.isabs(v) else str(v)
    except ValueError:  # Windows: on another drive than the current folder, no relative path exists
        return str(v)


def fingerprint(s: Any, run_dir: Path) -> dict:
    """What a saved member must have been trained with to be reused: the settings and the split
    (its split.json's bytes: the same files, labels and parts); for a student, also its teacher's
    run.json, since a teacher trained again on the same split is another teacher."""
    settings = _comparable(settings_dict(s))
    # where the run folder is, and how its data folder is spelt (a link), are no setting of the weights: a
    # stopped run moved, renamed, or given --data through a link retrained the members it had finished
    settings.pop("out", None)
    settings["data"] = _real(settings.get("data"))
    settings["add_data"] = sorted(_real(v) for v in settings.get("add_data") or [])
    settings["classes"] = picked_folders(s.classes, s.data, s.out) or settings.get("classes")  # 'covid': COVID/
    fp = {"settings": settings,
          "split_sha256": hashlib.sha256((Path(run_dir) / "split.json").read_bytes()).hexdigest()}
    teacher_run = Path(s.teacher) / "run.json" if getattr(s, "teacher", None) else None
    if teacher_run is not None and teacher_run.is_file():
        fp["teacher_sha256"] = hashlib.sha256(teacher_run.read_bytes()).hexdigest()
    return fp


def finished_run(out: Path, s: Any, n_teacher: int) -> tuple[str, list[str], str] | None:
    """(what it is: 'COVID, Normal from data', the settings it was trained with otherwise, those settings said
    with their values: settings_said) of a
    finished run in ``out`` that this one would replace; None when there is none there. So that a
    run is never overwritten without a word, nor one of other settings without --replace. A run
    whose retrain was stopped after writing its new split or model is none: cxr-convert refuses it,
    and the command that was stopped must go on without --replace, as its interrupt line says.
    ``s``: train.run.TrainSettings; ``n_teacher``: the members of the teacher its recipe trains."""
    from dataclasses import replace

    recipe = s if s.teacher or s.members > 1 or n_teacher == 0 else replace(s, teacher=str(Path(s.out) / "teacher"))
    differ = other_settings(out, recipe)
    if differ is None or STOPPED in differ:  # no finished run: what a stopped retrain left is no model to keep
        return None
    done = read_json(out / "run.json")
    recorded = _as_recorded(done, out)  # its folders as seen from here: it may have been trained from elsewhere

    data = " and ".join(_from_here(d) for d in [recorded.get("data"), *(recorded.get("add_data") or [])])
    differ = [k for k in differ if k != "out"]  # out: moved, renamed
    return f"{', '.join(done.get('classes', []))} from {data}", differ, settings_said(out, recipe, differ)
