"""cxr-train: fit a chest X-ray classifier on a folder of images, or on the built-in SYNTHETIC set
(cxr-synth, which writes that set as folders, is train.synth_cli). Research software, NOT a medical device."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Optional

import typer

from edge.card import NOT_A_DEVICE
from edge.cli_options import OnceOnlyCommand
from edge.cliutil import EXIT_INTERRUPTED, fail, folder_problem
from edge.error_lines import one_line_errors
from edge.figures import counted
from train.class_names import parse_class_list, parse_class_map
from train.quiet import load_tensorflow, require_matplotlib

from train.settings_check import ARCHS  # train.models.ARCHS, which needs Keras: checked here before TensorFlow loads

FLOAT32_TINY = 1.1754943508222875e-38  # numpy.finfo(numpy.float32).tiny: the smallest full-precision float32
SEED_MAX = 2**31 - 1  # TensorFlow and NumPy take seeds below 2**32; members and teachers add a few

train_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@train_app.command(
    cls=OnceOnlyCommand,
    epilog=NOT_A_DEVICE,
    help=(
        "Train a classifier and freeze its data split. DATA is a folder with one sub-folder per "
        "class (also the Kaggle COVID-19 Radiography Database layout CLASS/images/*.png, and "
        "train/ + test/ folders), or the word 'synthetic' for the built-in synthetic set.\n\n"
        "By default it trains in two steps: an ensemble of 3 models (the teacher, kept in RUN_DIR/teacher), then "
        "one model of the same small size that learns from the teacher's predictions as well as the labels "
        "(knowledge distillation). The device gets one small model; training takes about 5 times as long as "
        "one model (--teacher-members 0: one model, fastest).\n\n"
        "Writes to RUN_DIR: model.keras, split.json (every file with its SHA-256), history.json, "
        "curves.png and run.json (settings, versions, calibration temperature, data hygiene, and a shortcut audit: "
        "how well the files' source, format, size, aspect ratio and borders alone predict the class, with a "
        "warning when they give it away), and cache/ (every split's films decoded into model inputs, so that "
        "cxr-convert need not read them again; delete it to save space: the next cxr-convert then decodes the films "
        "from the data folder again, which must still hold them unchanged, and writes it anew). "
        "Next step: cxr-convert RUN_DIR.\n\n"
        "The same command again over its finished run, with the same films, trains nothing and says so (--replace "
        "trains it again); after a stop it goes on from the last model it finished.\n\n"
        "Exit codes: 0 done (or nothing to do); 1 done, but some files could not be read (run.json lists them); 2 bad data or usage; "
        "130 interrupted; 141 standard output's reader went away.\n\n"
        "Example: cxr-train --data COVID-19_Radiography_Dataset --classes COVID,Normal --out runs/covid"
    )
)
def train(
    data: Optional[str] = typer.Option(None, "--data", "-d", help="Image folder, or 'synthetic' for the built-in synthetic demo set (the default; a folder named synthetic is ./synthetic)."),
    add_data: Optional[list[Path]] = typer.Option(
        None, "--add-data", metavar="DIR",
        help="Another labelled folder whose films join --data's before the split (repeat for more), e.g. your "
             "own hospital's confirmed films beside cxr-dev: a model trained on public archives alone calls most "
             "healthy films of a hospital it never saw COVID (benchmarks/RESULTS.md, 'A site's own films'). Its "
             "class folders are matched to the run's classes by name, ignoring case and punctuation (NORMAL is "
             "Normal, COVID-19 is COVID); for any other name say what it stands for with --class-map. Its films' "
             "source is its MANIFEST.csv's (or its Kaggle *.metadata.xlsx sheets') or else the folder's name, so the report shows them apart. Add films of every class from the site where you can: a site that gives only healthy films "
             "lets the model learn 'this site's look means Normal' (on cxr-dev it then called 29% to 39% of the "
             "site's pneumonia films Normal; 15% to 19% with 15 of them added too)."),
    class_map: Optional[str] = typer.Option(
        None, "--class-map", metavar="FOLDER=CLASS,...",
        help="What the --add-data folders' class folders stand for where their names do not say it, e.g. "
             "Healthy=Normal; FOLDER=- leaves that folder out (e.g. Viral_Pneumonia=- when training COVID vs "
             "Normal). A class folder that matches no class and is not named here stops the run: left out, a "
             "site's healthy films would be missing from its share."),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to write (created)."),
    classes: Optional[str] = typer.Option(None, metavar="CLASS,...", help="Comma-separated class folders to use (default: all found)."),
    arch: str = typer.Option("compact", help="compact (default: ~117k parameters, grayscale; int8 file ~134 KiB plus 40 bytes per training and validation film, about 23 KiB as stored for cxr-dev's 693: 158 KiB at 0.27.0) or seed (the tutorial's CNN, 3 channels; a baseline: 27.6M parameters at --image-size 128, growing with the square of the side, 170M at 300; refused above 523, where its weights would pass 2 GiB)."),
    members: int = typer.Option(
        1, min=1, help="Train this many copies of the model from different random starts on the same split and save "
                       "one model that averages their logits (a deep ensemble, in one file), at N times the training "
                       "time, file size and device compute, instead of distilling them into one (--teacher-members). "
                       "On cxr-dev at 0.9.0, 3 members scored about the same as the distilled default (COVID vs "
                       "Normal 0.906 against 0.901, 4 classes 0.757 against 0.748; one split; benchmarks/RESULTS.md)."),
    teacher_members: Optional[int] = typer.Option(
        None, min=0, help="Models in the teacher ensemble that is trained first and distilled into the one model you get "
                       "(default: 3 for compact; 0 for seed, the tutorial's baseline). "
                       "On cxr-dev at 0.9.0 (benchmarks/RESULTS.md) students had a lower log-loss and less seed-to-"
                       "seed spread than the single models they learnt from, and -1.0 to +1.4 points of balanced "
                       "accuracy; over three splits the default was level with one model on COVID vs Normal and 2.5 "
                       "points better on 4 classes. 0: train one model directly (about 5x faster)."),
    teacher: Optional[Path] = typer.Option(
        None, help="Distil an existing finished run folder (e.g. one trained with --members 3) instead of training a "
                   "teacher: this model learns on the teacher's own frozen split and data (so --data, --add-data, "
                   "--holdout-source and the split fractions are refused with it)."),
    teacher_view: str = typer.Option(
        "same", help="What the teacher sees while the model learns from it: 'same' (default), the model's own augmented "
                     "view; 'unmoved', that image before its random rotation, zoom and shift. An experiment: on cxr-dev "
                     "'unmoved' students held up better under a 0.85 central crop on one COVID vs Normal split but not on "
                     "another, and lost about 2 points on 4 classes (benchmarks/RESULTS.md)."),
    consistency: float = typer.Option(
        0.0, min=0.0, help="Weight of a term that asks the distilled model to give two random augmentations of the same "
                           "film (other exposure, blur, noise, markers, rotation, zoom, shift) the same answer "
                           "(Jensen-Shannon divergence, as in AugMix); 0 (default): off. An experiment: on cxr-dev 10 made "
                           "the answers move about a third less under simulated shifts, but cost balanced accuracy on four "
                           "classes (benchmarks/RESULTS.md, \"Ablations\"). Used only when distilling."),
    mixstyle: float = typer.Option(
        0.0, min=0.0, max=1.0, help="Probability per batch of MixStyle in training (compact only): each film's feature "
                                    "statistics, much of what tells one hospital's processing from another's, are mixed "
                                    "with another film's, so the class must be read from what is left. Nothing changes "
                                    "on the device. 0 (default): off. An experiment: on cxr-dev it steadied single models under "
                                    "simulated shifts, but not the distilled default (benchmarks/RESULTS.md, \"Ablations\")."),
    epochs: Optional[int] = typer.Option(
        None, min=1, help="Epochs (default: about 4,000 optimizer steps, 15 to 120 epochs); the learning rate follows a cosine "
                          "over them, and the weights with the best validation loss are kept."),
    batch_size: int = typer.Option(32, min=1, help="Films per training step."),
    image_size: Optional[int] = typer.Option(
        None, min=32, max=1024, help="Model input side in pixels (32 to 1024; default 128, with --teacher the teacher's: "
                                     "a student takes its teacher's inputs)."),
    learning_rate: float = typer.Option(2e-3, "--learning-rate", "--lr",  # --lr: Keras tutorials' lr=; click suggested --arch
                                        help="Peak learning rate (cosine decay)."),
    patience: Optional[int] = typer.Option(
        None, min=1, help="Stop after this many epochs without a better validation loss (default: half the epochs, at "
                          "least 20: on small sets the loss is noisy while the learning rate is high)."),
    val_fraction: Optional[float] = typer.Option(None, min=0.01, max=0.5, help="Share of the films for validation (default 0.15)."),
    test_fraction: Optional[float] = typer.Option(None, min=0.01, max=0.5, help="Share of the films for the test split (default 0.15)."),
    holdout_source: Optional[str] = typer.Option(
        None, help="Keep every image whose source (MANIFEST.csv source column, or on the Kaggle database the archive its "
                   "*.metadata.xlsx names, e.g. ml-workgroup) or file-name prefix matches this text out of "
                   "training and validation, and score it as an external set, e.g. --holdout-source hannover."),
    augment: bool = typer.Option(True, "--augment/--no-augment", help="Intensity, blur, noise and geometry augmentation."),
    synthetic_count: Optional[int] = typer.Option(None, min=4, help="Images per class for --data synthetic (default 80)."),
    seed: int = typer.Option(0, help="Seeds the split, the initialisation and the augmentation; another seed gives another split (with --data synthetic, other images too: cxr-synth makes a set to keep fixed)."),
    replace: bool = typer.Option(False, "--replace", help="Train over a finished run in --out. Without it, cxr-train "
                                 "keeps that run: one of other settings is refused, one of these settings and films "
                                 "is already done (nothing to do, exit 0), and one already converted (.tflite files in "
                                 "--out) whose films changed is refused: its split.json is the only record of which "
                                 "films trained and tested those files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars: one line per epoch (as when the output goes to a file)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
) -> None:
    try:  # refused before TensorFlow loads (seconds): usage errors and missing folders, said at once
        class_list = parse_class_list(classes)
        parse_class_map(class_map)
        given = [o for o, v in (("--data", data), ("--add-data", add_data), ("--holdout-source", holdout_source),
                                ("--val-fraction", val_fraction), ("--test-fraction", test_fraction)) if v]
        if teacher and given:  # recorded in run.json, they described a split the student never had
            raise ValueError(f"--teacher {teacher}: the student learns on the teacher's own frozen split and films, so "
                             f"{', '.join(given)} would do nothing; leave {'it' if len(given) == 1 else 'them'} out")
        if data == "synthetic" and Path(data).is_dir():  # the user's folder, or cxr-synth's: which one was meant?
            raise ValueError("--data synthetic names the built-in SYNTHETIC set, but a folder named synthetic is here: "
                             "write --data ./synthetic to train on that folder, or leave --data out for the built-in set")
        data = data or "synthetic"
        if data == "synthetic" and class_list and not teacher:  # a student's classes are its teacher's: checked below
            from train.class_choice import as_folders
            from train.synthetic import SYNTHETIC_CLASSES

            # matched as class folders are (ignoring case and punctuation): covid,normal was refused here, taken on folders
            class_list = as_folders(class_list, SYNTHETIC_CLASSES)
            if unknown := [c for c in class_list if c not in SYNTHETIC_CLASSES]:
                raise ValueError(f"--classes: the synthetic set has no class {unknown[0]!r}; its classes: "
                                 f"{', '.join(SYNTHETIC_CLASSES)}")
        if synthetic_count is not None and teacher:  # --data's default is synthetic: checked apart
            raise ValueError(f"--synthetic-count sizes the built-in synthetic set; with --teacher {teacher} the student "
                             "learns on the teacher's own films, so it does nothing: leave it out")
        if synthetic_count is not None and data != "synthetic":
            raise ValueError(f"--synthetic-count sizes the built-in synthetic set; with --data {data} it does nothing: "
                             "leave it out")
        if class_map and not add_data:  # an option that would change nothing must not look obeyed
            raise ValueError("--class-map matches the class folders of --add-data folders to the run's classes; "
                             "without --add-data it does nothing: name --data's class folders as the classes should be")
        if not 0 < learning_rate <= 1:  # NaN trained to the end, then failed writing run.json; 1e20 'trained' to a loss of 1e31
            raise ValueError(f"--learning-rate must be a number above 0 and at most 1 (e.g. 0.001), not {learning_rate:g}")
        if learning_rate < FLOAT32_TINY:  # Keras's float32 variable held 1e-320 as 0: the run 'trained' and learnt nothing
            raise ValueError(f"--learning-rate {learning_rate} is below what TensorFlow's 32-bit numbers hold "
                             f"({FLOAT32_TINY:.3g}): it would train with 0 and learn nothing; give e.g. 0.001")
        if not 0 <= seed <= SEED_MAX:  # member k and the teacher's members take seed + k: all must stay seeds
            raise ValueError(f"--seed must be a whole number from 0 to {SEED_MAX}, not {seed}")
        if arch not in ARCHS:
            raise ValueError(f"--arch: unknown architecture {arch!r}; choose one of {', '.join(ARCHS)}")
        shares = (0.15 if val_fraction is None else val_fraction) + (0.15 if test_fraction is None else test_fraction)
        if shares > 0.9 - 1e-9:
            raise ValueError(f"--val-fraction and --test-fraction take {shares:.0%} of the films together, which leaves "
                             f"{max(0.0, 1 - shares):.0%} to train on: keep them under 90% together")
    except ValueError as e:
        raise fail("cxr-train", str(e)) from None
    from train.class_folders import half_a_split, not_a_data_folder

    if data != "synthetic" and (problem := not_a_data_folder(Path(data)) or half_a_split(Path(data))):
        raise fail("cxr-train", problem)
    if data != "synthetic" and (problem := fraction_problem(Path(data), val_fraction, test_fraction)):
        raise fail("cxr-train", problem)
    from edge.output import said_name  # a newline in a path forged a line of the error

    if out.is_file():
        raise fail("cxr-train", f"--out {said_name(str(out))} is a file; give a folder for the run")
    if problem := folder_problem(out):  # before TensorFlow loads and the films are read: minutes
        raise fail("cxr-train", f"--out {said_name(str(out))}: {problem}")
    for d in add_data or []:
        if not d.is_dir():
            raise fail("cxr-train", f"--add-data {said_name(str(d))}: {'a file, not a folder' if d.exists() else 'no such folder'}")
    from train.teacher_split import classes_problem, teacher_classes, teacher_split_settings
    from train.run import TrainSettings, check_settings, run_training
    from train.run_folders import check_folders
    from train.data_first import check_films_found
    from train.model_size import seed_size_warning

    if image_size is None:
        image_size = (teacher_image_size(teacher) if teacher else None) or 128

    settings = TrainSettings(
        # one order whatever the order typed (which copy of a film two of them share is kept): the same run
        data=data, add_data=sorted((str(d) for d in add_data or []), key=lambda d: Path(d).resolve().as_posix()),
        class_map=class_map, out=out, classes=class_list, arch=arch,
        members=members, teacher=str(teacher) if teacher else None, teacher_members=teacher_members,
        teacher_view=teacher_view, consistency=consistency, mixstyle=mixstyle, epochs=epochs,
        batch_size=batch_size, image_size=image_size, learning_rate=learning_rate,
        patience=patience, val_fraction=0.15 if val_fraction is None else val_fraction,
        test_fraction=0.15 if test_fraction is None else test_fraction, holdout_source=holdout_source,
        augment=augment, synthetic_count=80 if synthetic_count is None else synthetic_count, seed=seed, progress=not quiet, replace=replace,
    )
    if teacher:  # the split the student learns on is the teacher's: run.json says so, not the defaults
        settings = dataclasses.replace(settings, **teacher_split_settings(teacher))
    try:  # the settings' own checks and the data's layout, said before TensorFlow loads (seconds) as the ones above are
        check_settings(settings)
        check_folders(settings)
        check_films_found(settings)  # the data folder's layout: no class folders, one class, patient folders
        if teacher and (problem := classes_problem(class_list, teacher_classes(teacher))):
            raise ValueError(problem)
    except ValueError as e:  # DataError is one
        raise fail("cxr-train", str(e)) from None
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM (edge.entry) in a listing of seconds: Typer's 130 said nothing
        if sys.stderr is not None:  # started with 2>&-: nothing to say it on
            print("cxr-train: interrupted while listing the films; nothing was written", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if arch == "seed" and (big := seed_size_warning(image_size)):
        print(f"cxr-train: {big}", file=sys.stderr)
    load_tensorflow()
    require_matplotlib()
    from edge.interrupts import kept_interrupts, sigterm_as_interrupt

    # SIGTERM (timeout, a job scheduler, docker stop) ends it as Ctrl-C does: said, and no temporary file left
    with sigterm_as_interrupt(), one_line_errors(
            "cxr-train", debug, writes_to=[out],
            on_interrupt="; the same command goes on from the last model it finished (if none was, it starts again)"), \
            kept_interrupts():
        from train.run_lock import run_folder_lock

        with run_folder_lock(out, "cxr-train", create=True):  # made here, for the lock inside it
            run_dir = run_training(settings)
    if unread := unreadable_files(run_dir):  # the run is whole without them; a script must still be able to tell
        from edge.memory import OUT_OF_MEMORY

        short = sum(str(s.get("error", "")).startswith(OUT_OF_MEMORY) for s in unread)  # also alone (train.scan.scan)
        said = ("could not be read" if not short else "ran out of memory, also decoded alone," if short == len(unread)
                else f"could not be read ({short} of them ran out of memory, also decoded alone)")
        print(f"cxr-train: {counted(len(unread), 'file')} {said} and trained nothing (run.json lists them under skipped_files)"
              + ("; free memory and give --replace to read them again" if short else "") + ": exit code 1", file=sys.stderr)
        raise typer.Exit(1)


def teacher_image_size(teacher: Path) -> int | None:
    """The input side a --teacher run was trained at (its run.json), or None where it cannot be read
    (the teacher's own checks then say why)."""
    from train.teacher_split import teacher_record

    size = (teacher_record(teacher).get("settings") or {}).get("image_size")
    return size if isinstance(size, int) else None


def unreadable_files(run_dir: Path) -> list[dict]:
    """The data folder's files the run could not read, with why (run.json's skipped_files)."""
    from edge.atomic import read_json

    return read_json(Path(run_dir) / "run.json").get("skipped_files") or []


def fraction_problem(data: Path, val_fraction: float | None, test_fraction: float | None) -> str | None:
    """Why --val-fraction or --test-fraction would do nothing for a set split in folders, or None:
    its test/ folder is the test split, and a val/ folder the validation split."""
    from train.class_folders import given_split_dirs

    from edge.output import said_name

    given = given_split_dirs(data)
    for option, value, part in (("--test-fraction", test_fraction, "test"), ("--val-fraction", val_fraction, "val")):
        if value is not None and part in given:
            return (f"{option}: {said_name(str(data))} comes split in folders, and its {given[part].name}/ folder is the "
                    f"{'test' if part == 'test' else 'validation'} split; {option} would do nothing: leave it out")
    return None


def train_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-train", train_app)
