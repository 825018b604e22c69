"""cxr-synth: the built-in SYNTHETIC set written as PNG folders, one per class, with a README that says they are
not real patients (for demos and tests: cxr-train --data synth-data). A command of its own beside cxr-train
(train.cli): its options, its refusals and its lock. Research software, NOT a medical device."""

from __future__ import annotations

from pathlib import Path

import typer

from edge.card import NOT_A_DEVICE
from edge.cli_options import OnceOnlyCommand
from edge.cliutil import fail
from edge.comma_list import comma_items
from edge.error_lines import one_line_errors
from edge.figures import counted

synth_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@synth_app.command(
    cls=OnceOnlyCommand,
    epilog=NOT_A_DEVICE,
    help="Write the built-in SYNTHETIC chest-X-ray-like image set (not real patients; for demos and tests) "
         "as PNG folders, one per class, with a README that says so.\n\n"
         "Exit codes: 0 done; 2 bad usage, or a folder it will not write into (one holding other files); "
         "130 interrupted.\n\n"
         "Example: cxr-synth synth-data --classes Normal,COVID,Viral_Pneumonia --count 40, then "
         "cxr-train --data synth-data --out runs/synth"
)
def synth(
    out_dir: Path = typer.Argument(..., help="Folder to write CLASS/*.png into."),
    classes: str = typer.Option("Normal,COVID", metavar="CLASS,...", help="Comma-separated classes: Normal, COVID, Viral_Pneumonia, Lung_Opacity."),
    count: int = typer.Option(80, min=1, help="Images per class."),
    size: int = typer.Option(192, min=32, max=4096, help="Image side in pixels (32 to 4096). Memory and time grow with its square: "
                                                  "1024 takes about 0.3 GB and 2 s a film, 4096 about 3.5 GB and 30 s a film."),
    seed: int = typer.Option(0, min=0, help="Seed of the synthetic image generator (0 or more): the same seed writes "
                                           "the same images."),
) -> None:
    from train.synthetic_set import drop_other_classes, generate, why_not_here

    if problem := why_not_here(out_dir):  # a real data folder given by mistake: its films would be 'synthetic'
        raise fail("cxr-synth", problem)
    try:
        wanted = comma_items(classes, "--classes", "class names", "COVID,Normal")
    except ValueError as e:
        raise fail("cxr-synth", str(e))
    from train.class_choice import as_folders
    from train.synthetic import SYNTHETIC_CLASSES

    # matched as cxr-train matches --classes to folders, ignoring case and punctuation: 'covid' was an unknown class
    wanted = as_folders(wanted, SYNTHETIC_CLASSES)  # two names of one class: refused by generate as duplicates
    from edge.interrupts import kept_interrupts
    from train.run_lock import run_folder_lock

    # two at once into one folder left films of both, one's stale-film cleanup removing the other's, under one's README;
    # kept_interrupts acts on a stop Python dropped while the command started (edge.entry): it was swallowed unsaid
    with one_line_errors("cxr-synth", debug=False, writes_to=[out_dir]), kept_interrupts(), \
            run_folder_lock(out_dir, "cxr-synth", "two sets at once into one folder would mix their films, under a "
                            "README that describes one of them", create=True):
        written = generate(out_dir, n_per_class=count, classes=wanted, size=(size, size), seed=seed, progress=True)
        drop_other_classes(out_dir, wanted)  # an earlier call's other classes: its README no longer lists them
    from edge.output import said_name
    print(f"wrote {counted(len(written), 'SYNTHETIC image')} to {said_name(str(out_dir))}")


def synth_main() -> None:
    from edge.cliutil import run_app

    run_app("cxr-synth", synth_app)
