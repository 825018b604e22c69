"""``python -m train.file_by_label`` against random rerun sequences (tests/filing_fuzz.py): the short sequences the
fuzzer found breaking an invariant, each replayed (seed: the export; the operations, each followed by a run of every
sheet), and one seeded run of the fuzzer itself. An invariant broken names its step: I1 a file of the user's
removed or changed, I2 exit 0 with the class folders not holding the films the sheet labels, I3 MANIFEST.csv naming a
file not there, I4 an exception."""

from __future__ import annotations

import pytest

from tests.filing_fuzz_checks import run_sequence

FOUND = {
    # a row removed, then the export moved with its sheet (either order): the record's paths led to the old place,
    # the film lay in no sheet's folder, and was left in its class, exit 0 (train.filed_record.moved_path)
    "row removed, export moved": (6, [("drop", 4), ("mv_export", 4)]),
    "export moved, row removed": (8, [("mv_export", 0), ("drop", 6)]),
    # the export moved, a film re-exported as a new file, relabelled: its old filing left in the old class, exit 0
    "export moved, film re-exported, relabelled": (2, [("mv_export", 0), ("replace", 1, "new"),
                                                       ("label", 1, "COVID", False)]),
    # a film moved to a second sheet, then made lateral there: taken out of its class, filed nowhere, and its
    # MANIFEST.csv row kept (the sheet filed nothing, so the manifest was not touched)
    "second sheet's row made lateral": (0, [("sheet2", (0,)), ("lateral", 0)]),
    # a filing the run said to remove by hand, removed: its MANIFEST.csv row named nothing from then on
    "filing removed by hand": (3, [("drop", 0), ("tidy", 5)]),
    "deleted film's filing removed by hand": (4, [("delete", 1), ("tidy", 4)]),
    # d1/im.png deleted: its row's cell 'd1/im.png' took d3/im.png, the one im.png left, for its film (exit 0, d3
    # filed under d1's label; a second sheet's row took d3's filing out of the class the first sheet gave it)
    "deleted film's cell took another folder's film": (2355, [("drop", 3), ("delete", 1), ("tidy", 2)]),
    "second sheet's deleted film took the first sheet's": (3405, [("sheet2", (2,)), ("delete", 2)]),
    # a row removed, the export moved, then the film moved within it: its recorded place under the moved folder was
    # empty, so it lay in no sheet's folder and was left in its class, exit 0 (rowless_filings.in_sheet_folder)
    "row removed, export moved, film moved in it": (144, [("drop", 1), ("mv_export", 1), ("mvfilm", 1, False)]),
    # a row moved to a second sheet, its film moved away, the row made CT: the record line still labels.csv's, so
    # test_labels.csv left the film in its class, exit 0 (rowless_filings.names_recorded)
    "second sheet's row made CT, its film moved": (225, [("delete", 4), ("sheet2", (1, 3)), ("mvfilm", 3, False),
                                                         ("ct", 3)]),
    # a row removed, the sheet renamed (labels_v2.csv), then the export moved: no sheet of the record's name in the
    # moved export, so its film lay in no sheet's folder and was left in its class, exit 0 (filed_record.moved_place)
    "row removed, sheet renamed, export moved": (1163, [("drop", 1), ("rename_sheet", 4), ("mv_export", 2)]),
    # a row removed, the export moved, then the film deleted or renamed there: its record line still named the old
    # place, empty now, so the film lay in no sheet's folder and was left in its class, exit 0 (the line now takes
    # the moved place, train.stale_films; another filing of its sheet found moved here proves it, rowless_filings)
    "row removed, export moved, film deleted": (11, [("drop", 1), ("mv_export", 7), ("delete", 1)]),
    "row removed, export moved, film renamed": (11, [("drop", 1), ("mv_export", 7), ("renamefilm", 1, True)]),
    "row removed, film renamed, export moved": (140, [("drop", 5), ("renamefilm", 5, False), ("mv_export", 5)]),
    # a film renamed in the export (its row not mended), its row removed, the sheet renamed, the export moved: the
    # record line still the old sheet's, of no name in the moved export, so the film lay in no sheet's folder and was
    # left in its class, exit 0 (the renamed sheet takes the line, train.stale_films._renamed_from)
    "film renamed, row removed, sheet renamed, export moved": (9118, [("renamefilm", 7, False), ("drop", 7),
                                                                       ("rename_sheet", 7), ("mv_export", 3)]),
    # a film renamed in the export (its row not mended), the row moved to test_labels.csv, then made 'todo': the
    # record line still labels.csv's, and the row's bare cell p0.png named its very path, yet test_labels.csv left
    # the film in its class, exit 0 (a bare cell counts where labels.csv names it no more, names_recorded)
    "film renamed, its row moved to a second sheet, made todo": (17089, [("renamefilm", 0, False),
                                                                          ("sheet2", (0, 1, 2, 5, 7)), ("todo", 0)]),
    # a film whose filing a run left unsaid (not found, or re-exported as a new file: a name clash), the export
    # moved, then its row removed or re-pointed to the film moved in the export: its record line alone still named
    # the old export, of no filing found moved here now, so the film lay in no sheet's folder and was left in its
    # class, exit 0 (a line of a sheet proved moved here takes the moved place, train.stale_films)
    "film deleted, export moved, row removed": (97, [("delete", 0), ("mv_export", 6), ("drop", 0)]),
    "film re-exported, export moved, film moved, its row mended": (19, [("replace", 1, "new"), ("mv_export", 4),
                                                                         ("mvfilm", 1, True)]),
    "row removed, label respelt, the left film removed by hand": (166, [("drop", 6), ("respell", 3, "title", True),
                                                                      ("tidy", 2)]),
    "film renamed, its row moved to a second sheet, the sheet run through a link, the row made todo": (
        18016, [("renamefilm", 4, False), ("sheet2", (3, 4, 6, 7, 9)), ("via", "link", True), ("todo", 4)]),
}


@pytest.mark.parametrize("seed, ops", FOUND.values(), ids=FOUND.keys())
def test_a_sequence_the_fuzzer_found_keeps_every_invariant(tmp_path, seed, ops):
    _, broken, steps, said = run_sequence(tmp_path / "w", seed, ops)
    assert broken == [], (broken, steps, [text for _, _, text in said])


# a user's moves (tests/filing_fuzz_steps.py), each kept by the command as it is: the sheet through a link to the
# export (current -> export) on some runs and by its real path on others, the export moved under the link; Finder's
# litter in a class folder (kept, or removed only with the folder a run emptied); OUT moved beside, into a folder and
# back; the sheet re-saved by Excel (BOM, CRLF, 'sep=;', semicolons) and renamed; a label made 'todo', then given back
MOVES = {
    "sheet through current -> export, export moved, then by its real path": (
        0, [("via", "link", True), ("label", 1, "COVID", True), ("mv_export", 0), ("via", "real", False),
            ("drop", 2), ("via", "link", False)]),
    "litter in class folders, filings removed by hand": (
        3, [("litter", 0, ".DS_Store"), ("litter", 1, "._"), ("litter", 2, "Thumbs.db"), ("drop", 0), ("tidy", 0),
            ("label", 1, "Normal", True)]),
    # the one film of Pneumonia_Viral/ relabelled: the folder, emptied, removed with its .DS_Store (checker: litter
    # gone with its folder is no file of the user's removed, tests.filing_fuzz_steps.litter_gone)
    "litter's folder emptied by a relabel": (4, [("litter", 2, ".DS_Store"), ("label", 0, "COVID", True)]),
    "OUT moved beside, into a folder, back": (5, [("mvout", "out2"), ("label", 2, "COVID", True),
                                                  ("mvout", "nested"), ("drop", 3), ("mvout", "back")]),
    "sheet re-saved by Excel, relabelled, renamed": (7, [("excel", 0, "full"), ("label", 0, "Pneumonia", True),
                                                         ("rename_sheet", 0), ("excel", 1, "semi"), ("drop", 1)]),
    "label made a placeholder, then given back": (9, [("placeholder", 1, "todo"), ("none",),
                                                      ("placeholder", 2, "?"), ("placeholder", 2, "")]),
}


@pytest.mark.parametrize("seed, ops", MOVES.values(), ids=MOVES.keys())
def test_a_users_moves_keep_every_invariant(tmp_path, seed, ops):
    _, broken, steps, said = run_sequence(tmp_path / "w", seed, ops)
    assert broken == [], (broken, steps, [text for _, _, text in said])


def test_seeded_random_rerun_sequences_keep_every_invariant(tmp_path):
    for seed in range(7100, 7112):
        ops, broken, steps, said = run_sequence(tmp_path / "w", seed, steps=8)
        assert broken == [], (seed, ops, broken, steps, [text for _, _, text in said])
