"""cxr-convert's run folder and --operating-point, checked before TensorFlow loads and before a film is read
(checked_run): a folder that is no finished run, cannot be written, or whose split is not its model's, and a
mistyped option, are said at once rather than after minutes of work. convert.quantize's flow starts with it too.
"""

from __future__ import annotations

from pathlib import Path

from convert.convert_settings import ConvertSettings
from convert.calibration_draw import too_few_problem
from convert.operating_point import operating_point_setting
from convert.run_files import site_rule_file, split_mismatch, unscored_choice
from edge.atomic import read_json
from edge.cliutil import folder_problem
from edge.capped_repr import capped_text
from edge.shell_words import command_text
from edge.output import said_name
from edge.stored_rule_words import site_films_words
from edge.preprocess import PreprocessConfig, first_line
from train.data import Split
from train.run_fields import run_fields_problem


def checked_run(s: ConvertSettings) -> tuple[dict, Split, tuple[int, float] | str | None]:
    """The run folder's run.json and split, and the --operating-point asked for; raises (OSError,
    ValueError) where the folder is none to convert or the option is mistyped. Reads no film and
    needs no TensorFlow, so cxr-convert says it at once."""
    run_dir = Path(s.run_dir)
    if not run_dir.exists():
        raise FileNotFoundError(f"run folder {said_name(str(run_dir))} does not exist")
    if run_dir.is_file() and (run_dir.parent / "run.json").is_file():  # its model.keras, given as the run
        raise NotADirectoryError(f"{said_name(str(run_dir))} is a file: cxr-convert takes the run folder it is in: "
                                 f"{command_text('cxr-convert', str(run_dir.parent))}")
    if problem := folder_problem(run_dir):  # the model files and the report go there: say so before converting
        raise PermissionError(f"{said_name(str(run_dir))} is not a run folder to write into: {problem}")
    for name in ("run.json", "split.json", "model.keras"):
        if not (run_dir / name).is_file():
            if (run_dir / "split.json").is_file() or (run_dir / "members").is_dir():  # begun by cxr-train
                raise FileNotFoundError(f"{said_name(str(run_dir / name))} is missing: the cxr-train that began this run has not "
                                        "finished it (stopped?); run that command again to finish it")
            raise FileNotFoundError(f"{said_name(str(run_dir / name))} is missing: is {said_name(str(run_dir))} a cxr-train run folder?")
    run = read_json(run_dir / "run.json")
    if missing := [k for k in ("classes", "preprocess") if k not in run]:
        raise ValueError(f"{said_name(str(run_dir / 'run.json'))} is damaged or not cxr-train's: it has no {', '.join(missing)}")
    if why := preprocess_problem(run["preprocess"]):  # else an 'unexpected TypeError' from the first film's reading
        raise ValueError(f"{said_name(str(run_dir / 'run.json'))} is damaged or not cxr-train's: its preprocess {why}; train the run "
                         "again (cxr-train --replace)")
    if why := run_fields_problem(run, temperature=False):  # classes of the wrong kind, a number as "created"
        raise ValueError(f"{said_name(str(run_dir / 'run.json'))} is damaged or not cxr-train's: {why}; restore it from a copy of the "
                         "run, or train the run again (cxr-train --replace)")
    if (why := split_mismatch(run_dir)) is not None:  # first: it says what to do with a damaged split.json too
        raise ValueError(why)
    split = Split.load(run_dir / "split.json")
    if s.auto and (where := site_rule_file(run_dir / "model.tflite")):
        raise ValueError(f"{said_name(str(run_dir / 'model.tflite'))} carries a rule chosen on {site_films_words(where)} (cxr-evaluate --save-model): "
                         "--auto would write its choice over it; move that file out of the run folder first")
    if s.auto and (why := unscored_choice(run_dir, s.modes, run.get("created"))):
        raise ValueError(why)
    if not s.report_only and (why := too_few_problem(s.calibration_samples, run["classes"], s.modes)):
        raise ValueError(why)  # a class whose films set no int8 range
    return run, split, operating_point_setting(s.operating_point, run["classes"])  # a typo fails before minutes of work


def preprocess_problem(pre: object) -> str | None:
    """Why run.json's "preprocess" is no setting edge.preprocess takes (its words, cut to one line), or None."""
    if not isinstance(pre, dict):
        return f"is {'null' if pre is None else type(pre).__name__}, not an object of settings"
    try:
        PreprocessConfig.from_dict(pre)
    except (TypeError, ValueError) as e:
        return f"is not one edge.preprocess takes ({capped_text(first_line(e))})"
    return None
