"""What the reports say of the films a model was trained or validated on (convert.seen finds them).

Kept apart from the search itself: these are sentences for report.md, compare.md and stderr, and a
reader must be told which model saw which films, since the figures flatter that one.
"""

from __future__ import annotations

from edge.figures import counted, listed
from train.hygiene import COPY_CODE_BITS

# why a run's model.keras could not be checked when its split.json was deleted (convert.seen_lists.split_gone), in the
# same words on cxr-evaluate's stderr and in report.md: the report said only "no split.json of its own beside it"
SPLIT_GONE = ("its run's split.json, which lists them, is gone (deleted, or not copied with it? restore it from a "
              "copy of the run to have them left out)")

# a foreign .tflite (--labels): "has no split.json of its own beside it" was said with one beside it, which cxr-evaluate
# leaves unread on purpose (nothing in the file ties a split to it)
FOREIGN = ("it is a foreign model (no cxr-edge metadata), whose file carries no fingerprints of the films it was trained "
           "or validated on; a split.json beside it is not taken as its own, as nothing in the file ties one to it")


def seen_elsewhere(answers: dict[str, dict]) -> int:
    """The films of the class folders left out that were found seen in training (convert.left_out's answers, one model's)."""
    return sum(a.get("seen_in_training") or 0 for a in answers.values())


def per_model(note: dict) -> str:
    """'; A saw 12 of them, B 12 (6 both)': which of two models saw the films a note counts ('' for one model)."""
    by = note.get("by_model")
    if not by:
        return ""
    counts = [f"{w} {'saw ' if k == 0 else ''}{m['films']:,}{' of them' if k == 0 else ''}" for k, (w, m) in enumerate(by.items())]
    return "; " + ", ".join(counts) + (f" ({note['both']:,} both)" if len(by) > 1 else "")


def how_found(note: dict) -> str:
    kinds = [f"{n} as {what}" for n, what in ((note.get("copies"), "resized or re-encoded copies"),
                                               (note.get("cropped"), "cropped copies"),
                                               (note.get("padded"), "copies with a border added"),
                                               (note.get("mirrored"), "mirrored copies")) if n]
    said = listed(kinds)
    return ", " + said.replace(" as ", " of them as ", 1) if kinds else ""


def seen_line(note: dict | None, models: int = 1, elsewhere: int = 0, gone: list[str] | None = None,
              foreign: bool = False) -> str:
    """Whether the scored films include any the model (of ``models``: either model) was trained or
    validated on (convert.seen), and which model could not be checked when another was. ``elsewhere``:
    such films found among the class folders left out, which "No film here" must not deny. ``gone``: the
    models (by the names the note uses) whose run's split.json was deleted: restoring it is what checks them.
    ``foreign``: a .tflite without cxr-edge metadata (--labels), whose split.json beside it is never read."""
    two = (note or {}).get("models", models) > 1
    who = "either model" if two else "the model"
    if note is None and foreign and not two:
        return f"Whether the model saw any of these films in training could not be checked: {FOREIGN}."
    if note is None and gone and not two:
        return f"Whether the model saw any of these films in training could not be checked: {SPLIT_GONE}."
    if note is None:
        return (f"Whether {who} saw any of these films in training could not be checked (" +
                ("neither model file carries fingerprints of its training films nor has a split.json of its own beside "
                 "it)." if two else "the model file carries no fingerprints of its training films and has no split.json "
                 "of its own beside it)."))
    # "of its own": a split.json beside it that is another model's (a run trained again) is not read either
    unchecked = "".join(f" {name} could not be checked: " + (SPLIT_GONE if name in (gone or []) else
                                                             "its file carries no fingerprints of its training films and "
                                                             "has no split.json of its own beside it") + "."
                        for name in note.get("unchecked", []))
    n = note["films"]
    unsearched = ("" if "cropped" in note else
                  "; cropped, moved, turned, padded or mirrored copies were not looked for (--no-find-crops)")
    if not n:  # "none is in" would claim more than a search for copies can: one cut or altered further is missed
        looked = "" if unsearched else " as the same bytes or a resized, re-encoded, cropped, padded or mirrored copy"
        return (f"No film {'in the figures' if elsewhere else 'here'} was found in {who}'s training or validation "
                f"split ({note['split']}){looked}{unsearched}; a copy altered further can go unnoticed."
                + (f" Of the films of the class folders left out, {elsewhere:,} {'was' if elsewhere == 1 else 'were'} "
                   "(\"Classes left out\" says more)."
                   if elsewhere else "") + unchecked)
    coded = any(note.get(k) for k in ("copies", "cropped", "mirrored", "padded"))
    copies = how_found(note) + (f" (same copy code within {COPY_CODE_BITS} bits)" if coded else "")
    if note.get("left_out"):
        return (f"{counted(n, 'film')} that {who} was trained ({note['train']}) or validated ({note['val']}) on "
                f"{'was' if n == 1 else 'were'} left out"
                f"{copies}{per_model(note)}; the figures are on the rest"
                f"{unsearched or '; a copy altered further can go unnoticed'}.{unchecked}")
    return (f"**{n} of the films scored {'is one' if n == 1 else 'are ones'} {who} was trained ({note['train']}) or "
            f"validated ({note['val']}) on{copies} (--keep-seen): these figures flatter {'the model that saw them' if two else 'it'}"
            f"{per_model(note)}.**{unchecked}")
