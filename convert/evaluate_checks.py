"""cxr-evaluate's options, and the mistakes in them said before any film is read.

Reading a site's films takes minutes, and loading TensorFlow for a model.keras seconds: a usage
mistake found after either wastes them, so every check that needs only the options and the folders'
names runs first. The options then travel between the steps of convert.evaluate_cli as one Settings.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

# Every file a report folder may hold; those a run does not write (no left-out class, no mistakes to
# map, no plots without matplotlib) are removed, not left from an earlier run on other films.
REPORT_FILES = ("report.md", "report.json", "predictions.csv", "left_out.csv", "confusion.png", "roc.png",
                "reliability.png", "occlusion.png")
# said to a second cxr-evaluate --save-model into a file that another one is writing
SAVE_CLASH = ("two --save-model copies at once into one file would keep one of them without a word, and the other's "
              "report would name a rule and a SHA-256 the file does not hold")


@dataclass(frozen=True)
class Settings:
    """The options every step after the checks reads (cxr-evaluate --help says what each does)."""

    model: Path
    data_dir: Path
    out_dir: Path
    threshold: str | None
    most_probable: bool
    operating_point: str | None
    class_map: str | None
    columns: list[str]  # --by's, without blanks
    keep_seen: bool
    find_crops: bool
    score_left_out: bool
    save_model: Path | None
    explain: int
    shifts: bool
    n_boot: int
    quiet: bool
    labels: list[str] | None = None  # --labels: a foreign .tflite's class names, in its outputs' order
    input_scale: str | None = None  # --input-scale: a foreign .tflite's (edge.input_scale)

    @property
    def crops_in(self) -> str | None:
        """The folder whose films are searched for cropped copies of training films, or None (--no-find-crops)."""
        return str(self.data_dir) if self.find_crops else None

    @property
    def here(self) -> str:
        """The data folder's own name, as notes about where a rule was chosen name it."""
        return Path(self.data_dir).resolve().name


def refuse_bad_arguments(s: Settings, out: Path | None, by: str | None, prevalence: str,
                         held: ExitStack) -> tuple[float, ...]:
    """Raise on a mistake in the options or the folders given, before any film is read and before TensorFlow
    loads; take the report folder's lock (held until ``held`` closes) once it is known to be a report's folder.
    Returns --prevalence's shares."""
    from convert.earlier_report import other_report, replacing_note
    from convert.group_values import by_columns
    from convert.prevalence import parse_prevalences
    from edge.cliutil import folder_problem
    from edge.output import said_name
    from train.class_folders import not_a_data_folder
    from train.data import DataError
    from train.run_lock import REPORT_CLASH, run_folder_lock  # no TensorFlow: fine on a device-only install

    by_columns(by)
    if problem := folder_problem(s.out_dir) or report_folder_problem(s.out_dir, Path(s.data_dir)):
        raise ValueError(f"cannot write the report into {said_name(str(s.out_dir))}: {problem}" + ("" if out else "; choose a folder with --out"))
    # taken once the folder is known to be a report's: a run folder that cxr-convert writes is refused as a run folder
    held.enter_context(run_folder_lock(s.out_dir, "cxr-evaluate", REPORT_CLASH, create=True))
    # two folders named test/ into the default folder, or another site's films into an --out folder used before
    if other := other_report(s.out_dir, Path(s.data_dir), s.model):
        print(replacing_note("cxr-evaluate", other, s.out_dir, "report.json", out is not None), file=sys.stderr)
    if s.save_model is not None:
        from convert.save_model import check_save_model

        check_save_model(s.save_model, s.model, s.operating_point, s.keep_seen)
        # two --save-model into one file both said "saved in": the last rename won, and the other's report named a
        # SHA-256 and a rule the file did not hold
        held.enter_context(run_folder_lock(s.save_model, "cxr-evaluate", SAVE_CLASH))
    if s.labels is not None:
        if Path(s.model).suffix.lower() != ".tflite":
            raise ValueError("--labels is for a .tflite without cxr-edge metadata (a foreign model); a cxr-train run's "
                             "model.keras has its own classes")
        if s.save_model is not None:  # the copy's rule would be stored in metadata a foreign file has none of
            raise ValueError("--save-model stores a rule in a cxr-edge file's metadata, which a foreign model (--labels) "
                             "has none of: give edge-classify --threshold CLASS=P on the device instead")
    if s.input_scale is not None and Path(s.model).suffix.lower() != ".tflite":
        raise ValueError("--input-scale is for a .tflite without cxr-edge metadata (a foreign model, with --labels); a "
                         "cxr-train run's model.keras scales its pixels itself, as its run.json says: leave it out")
    if s.threshold and s.most_probable:
        raise ValueError("choose one of --threshold and --most-probable")
    prevalences = parse_prevalences(prevalence)
    if problem := not_a_data_folder(Path(s.data_dir)):
        raise DataError(problem)
    return prevalences


def report_folder_problem(out_dir: Path, data_dir: Path) -> str | None:
    """Why ``out_dir`` is no place for an evaluation report, beyond being writable, or None."""
    from convert.site_folders import in_data_folder, others_files

    if problem := in_data_folder(out_dir, data_dir):
        return problem
    if (out_dir / "run.json").is_file():
        return ("it is a run folder (run.json): its report.md and plots are cxr-convert's report on the test split, "
                "which this one would replace; give the evaluation a folder of its own")
    return others_files(out_dir, REPORT_FILES, "report.json", {"metrics", "data_dir", "model"}, "cxr-evaluate")
