"""Empty class folders of a class the model or run does not know: passed over, said in a note.

A site's folder often holds a Lung_Opacity/ made beside COVID/ and Normal/ and never filled. It holds
nothing to score or train on and hides no film, so refusing it as an unknown class only made the user
delete it: cxr-evaluate and cxr-compare (convert.site_folders) and cxr-train's --add-data folders
(train.extra_data) pass over it alike since 0.58.0, each saying so in these words (refused up to 0.57.0).
An empty folder of one of the model's or run's own classes is still refused by discovery ('holds no
images'): a site's Normal films never copied would leave its figures, or its look in training, all COVID. For an
--add-data folder the refusal says the two ways on (site_empty_hint); up to 0.57.0 it said neither.
"""

from __future__ import annotations

from pathlib import Path

from edge.output import said_name
from train.class_choice import leave_out_option
from train.class_folders import unreachable_class_folders
from train.class_names import match_classes, same_class_key
from train.data import DataError
from train.discovery import discover


def holds_films(data_dir: Path, folder: str) -> bool:
    """Whether class folder ``folder`` of ``data_dir`` holds a film, found as discovery finds them (masks/ left
    aside; under train/ and test/ where the set comes so)."""
    try:
        return bool(discover(Path(data_dir), classes=[folder], min_classes=1, log=lambda message: None)[0])
    except DataError:  # holds no images
        return False


def empty_unknown(data_dir: Path, folders: list[str], labels: list[str], mapping: dict[str, str]) -> list[str]:
    """The class folders among ``folders`` that hold no images and stand for none of ``labels``, nor are named in
    --class-map (``mapping``): those to pass over. One that cannot be read (a link to a share not mounted) is
    never among them: its films may be there, and discovery names it."""
    named = {same_class_key(m) for m in mapping}
    lost = {d.name for d, _ in unreachable_class_folders(Path(data_dir))}

    def unknown(folder: str) -> bool:
        try:
            match_classes([folder], labels)
        except ValueError:
            return True
        return False

    return [f for f in folders if same_class_key(f) not in named and f not in lost and unknown(f)
            and not holds_films(data_dir, f)]


def empty_unknown_text(names: list[str], whose: str) -> str:
    """'class folder Lung_Opacity (it holds no images, and is none of the model's classes)': how the passed-over
    folders are said in a 'not used' note (``whose``: "model" for scoring, "run" for training)."""
    if len(names) > 1:
        return f"class folders {', '.join(names)} (they hold no images, and are none of the {whose}'s classes)"
    return f"class folder {names[0]} (it holds no images, and is none of the {whose}'s classes)"


def site_empty_hint(d: str, empty: list[str], of: list[str], others: list[str]) -> str:
    """What to do with the empty class folders ``empty`` (of the run's classes ``of``) of --add-data ``d``, whose
    other folders hold films of ``others``: fill them, or leave them out with --class-map FOLDER=- (taken for an empty
    folder since 0.58.0), knowing what that costs: the site's look alone then says its other classes
    (train.extra_data.site_notes, said again when it joins so)."""
    one = len(empty) == 1
    fill = f"put the site's {' and '.join(of)} films in {'it' if one else 'them'}"
    if not others:  # the site would add nothing: it is the folder to leave out
        return f"; {fill}, or leave {said_name(d)} out of --add-data"
    return (f"; {fill}, or leave {'it' if one else 'them'} out with {leave_out_option(empty)}, knowing that the site's "
            f"films are then {' and '.join(others)} only, so its look alone says {' or '.join(others)} to the model")
