"""A film that train.file_by_label filed in a class folder the sheet no longer gives it (a label corrected, a row now
'todo' or CT) taken out of that folder, and OUT/.filed.csv (train.filed_record) kept in step with what is filed.

Only what the record says this command filed from that very film, and is still the file it filed, is taken out: a
backup copy of the export in OUT, or another hospital's film of the same name and bytes, is never the film's filing.
A recorded copy is taken out only where its bytes are still the film's. A recorded film is known by its path in the
sheet's folder (a film that is a symbolic link, re-pointed to a re-export), its path from OUT, its absolute path, or
(a hard link) its inode: OUT moved elsewhere, its films were left in their old class without a word; one found none
of these ways while its file is still there is said (exit 1), never kept silently, as is one whose row now leaves it
out while its film is not found, or whose row was removed (train.rowless_filings).
An OUT filed by 0.54.0 or earlier has no record: there only what is certainly the film's own second name is taken
out (a hard link sharing its inode, a symbolic link to it) under a name this command gives the film (a user's own
link under another name, patient_A.png, is said, never removed), and only in the class folders of the sheet's labels
(a backup of the export kept in OUT, ``cp -al export OUT/backup``, was emptied when every folder of OUT was searched;
a film relabelled to a label the sheet no longer gives stays in that old folder); a file of the film's name there
that is neither (a copy, or the film's old bytes before a re-export) is left and said. With a record, a file in a
class folder of the sheet's labels that the record does not name but is a film of the sheet's, by its name and bytes
(a copy 0.54.0 made), is said too, never taken out (train.unrecorded_films). A record line whose file is now another
(a user's file put in its place) is said once and dropped: no filing of this command's now. A recorded film found
nowhere is said only where its name is one of this sheet's films' (another sheet's export archived away is no
failure of this one). A recorded film no row of this sheet names that another sheet filed (its ``sheet``, still
there: test_labels.csv beside train_labels.csv, both filed into one OUT) is that sheet's, never said by this one,
but where a row of this one left out names its very path, its film not found (train.rowless_filings.names_recorded). A line another sheet
wrote for the very film this one files at that path now is this one's from then on, once that sheet names it no
more (its row moved to test_labels.csv); while both name it, it stays the first's. A class folder left empty by what was taken out is removed (normal/ emptied by a label respelt
Normal: cxr-train refused the two).
A recorded filing copied back from a backup of OUT (train.restored_filings: another inode) is the filing where its
size, times and bytes are (taken out as one). With new times (``cp -R backup OUT``, or the user's own ``cp``) and the
film's bytes, or its film found nowhere and its size, it is left and said on every run while the sheet no longer
files the film there (its label corrected, its row removed or left out), its line kept, never taken out: it was said
once as another file and dropped, or not said at all, exit 0, the film trained under both labels (seeds 150020,
150086).
"""

from __future__ import annotations

import os
import stat
from dataclasses import replace as with_fields
from pathlib import Path

from edge.output import said_name
from train.filed_record import (RECORD, Filed, RecordUnreadable, filed_now, moved_path, other_sheets, read_record,
                                replaced, same_sheet_by_folder, same_sheet_place, still_filed,
                                write_record)
from train.emptied_folders import remove_emptied
from train.filing import Filing
from train.restored_filings import copied_back, restored, rowless_copied_back
from train.rowless_filings import named_by_sheet, names_recorded, say_rowless, sheets_moved_here
from train.unrecorded_films import class_files, film_names, real_folders, same_bytes, say_unrecorded


def _folder(path: str) -> str:
    """The folder ``path`` lies in, absolute, however it was given (the sheet's cells and OUT each their own way)."""
    return os.path.realpath(os.path.dirname(os.path.abspath(path)))


def _remove(out: str | os.PathLike, rel: str, film: str, filing: Filing) -> bool:
    try:
        os.remove(os.path.join(out, rel))
    except FileNotFoundError:
        return True
    except OSError:
        filing.stale_left.append(rel)
        return False
    filing.moved.append(rel)
    filing.moved_to[rel] = film
    return True


def _spared(path: str, itself: str, sources: set[str]) -> bool:
    """Never taken out: a file in a folder holding the sheet's films (a row naming a film in OUT by its path; OUT
    given as the folder above the sheet's is refused), or the film itself (the sheet names it by a symbolic link
    into OUT)."""
    return _folder(path) in sources or (os.path.realpath(path) == itself and not os.path.islink(path))


def _film_of(entry: Filed, mine: dict[str, str], by_inode: dict[tuple[int, int], str],
             by_path: dict[str, str], sheet: str | os.PathLike) -> str | None:
    """The film of the sheet's a record's entry was filed from: by its path in ``sheet``'s folder (a film
    that is a symbolic link, re-pointed to a re-export since: its old filing leads to the old file; the same place
    in the folder moved since, train.filed_record.moved_path), its path from OUT, its absolute path, or (a hard
    link) the inode it shares with the film. The sheet read through a link to its folder (current -> export) by a
    record of its real folder, the same place is in the link's (train.filed_record.same_sheet_place)."""
    root = Path(sheet).parent
    for sheet_path in (moved_path(entry, entry.sheet_path, root), same_sheet_place(entry, entry.sheet_path, sheet)):
        if sheet_path in by_path:
            return by_path[sheet_path]
    for path in (entry.film, entry.film_path):
        if path and path in mine:
            return mine[path]
    return by_inode.get((entry.device, entry.inode)) if entry.how == "link" else None


def _renamed_from(entry: Filed, sheet: str | os.PathLike) -> bool:
    """Whether ``entry``'s sheet is gone from its path and lay in ``sheet``'s folder: renamed (or removed) there, its
    filings no row names are said by this sheet, so recorded as this one's (moved with it later, they are known).
    The folders compared with links resolved too: renamed, then read through a link to its folder (current -> export)."""
    return bool(entry.sheet) and not os.path.lexists(entry.sheet) and any(
        norm(os.path.dirname(entry.sheet)) == norm(os.path.dirname(os.path.abspath(sheet)))
        for norm in (os.path.abspath, os.path.realpath))


def _this_sheet(entry: Filed, sheet: str | os.PathLike) -> bool:
    """Whether ``entry`` was filed by this very sheet (its path, or the same file by another): a film it names by a
    path out of its folder is its film too, its row removed."""
    try:
        return bool(entry.sheet) and os.path.samefile(entry.sheet, sheet)
    except OSError:
        return False


def _by_record(record: dict[str, Filed], placed: set[str], out: str | os.PathLike, filing: Filing,
               sources: set[str], sheet: str | os.PathLike) -> None:
    mine, by_inode = {os.path.realpath(f): f for f in filing.named}, {}
    by_path = {os.path.abspath(f): f for f in filing.named}
    for f in sorted(filing.named):
        try:
            st = os.stat(f)
        except OSError:
            continue
        by_inode.setdefault((st.st_dev, st.st_ino), f)
    names = {n for f in filing.named for n in film_names(f, filing)}
    filing.moved_sheets = sheets_moved_here(record, Path(sheet).parent, out)
    for rel, entry in sorted(record.items()):
        if rel in placed:
            continue  # filed there now
        film, path = _film_of(entry, mine, by_inode, by_path, sheet), os.path.join(out, rel)
        if film is None:
            if other_sheets(entry, sheet) and not names_recorded(entry, filing.left_cells, Path(sheet).parent, rel):
                continue  # another sheet's filing (two sheets of one folder filed into one OUT): that sheet's to say
            there, root = still_filed(out, rel, entry), Path(sheet).parent
            back = there is False and rowless_copied_back(path, entry, root)  # OUT restored by cp -R (new times):
            # said, else left in its class silently, exit 0 (seeds 150020, 150047, 150108)
            if say_rowless(rel, entry, there or back, root, filing, path, own=_this_sheet(entry, sheet)):
                continue  # its row now leaves it out, its film not found; or its row removed (train.rowless_filings)
            if (rel.rsplit("/", 1)[1].casefold() in names and there is not None
                    and not any(p and os.path.exists(p) for p in (entry.film, entry.film_path))):
                filing.lost.append(rel)  # a film of this sheet's name found nowhere now (OUT moved, the export gone)
            continue  # else another sheet's film (its export archived away, maybe): left alone
        if _spared(path, os.path.realpath(film), sources):
            continue
        if other_sheets(entry, sheet) and named_by_sheet(rel, entry):  # the other sheet still files it there: taken
            filing.other_label.append(rel)  # out, each sheet's run took out the other's (exit 0, the last run's label)
            continue
        there = still_filed(out, rel, entry)
        if there is False and restored(path, entry, film):
            there = True  # restored from a backup: said "another file put there since", kept, its MANIFEST.csv row
            # too, the user told to remove it: then the row named nothing, exit 0 (review 73g, seed 150003)
        if there and entry.how == "copy" and not same_bytes(film, path):
            there = False  # a copy is taken out only while it holds the film's bytes
        if there is None or (there and _remove(out, rel, film, filing)):
            if there is None:
                filing.gone.append(rel)  # removed by hand: its row of OUT/MANIFEST.csv named nothing
            del record[rel]
        elif not there and copied_back(path, entry, film):
            filing.unsure.append(rel)  # copied back without its times (cp -R), or the user's own cp: said, its line
            # kept (said "another file put there" once and dropped, it was left in its old class silently since)
        elif replaced(out, rel, entry):
            filing.replaced.append(rel)  # another file in its place (a user's): said this once, its line dropped
            del record[rel]
        elif not there:
            filing.unsure.append(rel)  # rewritten since it was filed, or a copy of other bytes: not known to be ours


def _without_record(placed: set[str], out: str | os.PathLike, filing: Filing, sources: set[str],
                    classes: set[str]) -> None:
    files = class_files(out, classes)
    for film in sorted(filing.named):
        try:
            st = os.stat(film)
        except OSError:
            continue
        itself = os.path.realpath(film)
        names = film_names(film, filing)
        for rel, lst in files:
            path = os.path.join(out, rel)
            if rel in placed or _spared(path, itself, sources) or rel in filing.moved:
                continue
            link = stat.S_ISLNK(lst.st_mode) and os.path.realpath(path) == itself
            same = stat.S_ISREG(lst.st_mode) and (lst.st_dev, lst.st_ino) == (st.st_dev, st.st_ino)
            named = rel.rsplit("/", 1)[1].casefold() in names  # a name this command gives the film
            if (link or same) and named:
                _remove(out, rel, film, filing)
            elif link or same:
                if rel not in filing.other_names:
                    filing.other_names.append(rel)  # the film under a user's own name (patient_A.png): never ours
            elif named and rel not in filing.unsure:
                filing.unsure.append(rel)  # a copy, or the film's old bytes: not certainly this command's


def take_out_stale(films: dict[str, str], out: str | os.PathLike, sheet: str | os.PathLike, filing: Filing,
                   classes: set[str] | None = None) -> Filing:
    """Each film the sheet names (filing.named) taken out of the class folders of ``out`` it is not filed in now,
    where this command filed it there (OUT/.filed.csv), then the record written with what is filed now. Run after a
    filing stopped part way too, taking nothing out then: a copy made before the stop and not recorded would never
    be taken out. ``sheet``: the sheet filed (its folder holds its films; each record line says which sheet filed
    it). ``classes``: the class folders of the sheet's labels, the only folders of OUT looked in without a
    record (a film's links taken out there, a file of its name that is no link said) and, with one, for a film's
    file the record does not name (said). A record that cannot be read whole is said (filing.record_unread) and left
    as it is: nothing taken out, nothing written."""
    try:
        record = read_record(out)
    except RecordUnreadable as e:  # kept, not rewritten: another sheet's lines in it would be lost
        filing.record_unread = f"{said_name(os.path.join(out, RECORD))} cannot be read whole ({e})"
        return filing
    placed = {filing.placed.get(f, f"{c}/{filing.names.get(f, os.path.basename(f))}") for f, c in films.items()}
    if not filing.stopped:
        sources = {_folder(f) for f in filing.named}
        folders = real_folders(out, set(classes or ()) | set(films.values()))  # never a link out of OUT
        if record is not None:
            recorded = set(record)
            _by_record(record, placed, out, filing, sources, sheet)
            say_unrecorded(recorded, placed, out, filing, folders,
                           lambda path, film: _spared(path, os.path.realpath(film), sources))
        else:
            _without_record(placed, out, filing, sources, folders)
        for folder in sorted({rel.split("/")[0] for rel in filing.moved}):
            remove_emptied(os.path.join(out, folder))  # only where this run left it empty
    record = record or {}
    for rel in [r for r, e in record.items() if still_filed(out, r, e) is None]:
        del record[rel]  # removed by hand since (as a run said to): its row of OUT/MANIFEST.csv dropped too
        filing.gone.append(rel)
    for folder in sorted({rel.split("/")[0] for rel in filing.gone}):  # a class folder the user emptied as a run
        remove_emptied(os.path.join(out, folder))  # said to (COVID/ beside the respelt Covid/): cxr-train refused OUT
    # the sheets whose lines this run files again: a gone one of them was renamed to this one (labels.csv made
    # labels_v2.csv), not another sheet of the folder renamed (test_labels.csv made test_v2.csv)
    filed_for = {e.sheet for rel in filing.placed.values() if (e := record.get(rel)) is not None}
    for film, rel in filing.placed.items():
        if (old := record.get(rel)) is not None and still_filed(out, rel, old):
            real = os.path.realpath(film)  # its paths as they are now, the sheet's with them: read together later
            if not other_sheets(old, sheet) or old.film == real and not named_by_sheet(rel, old):
                # no sheet known (an older record), moved, or this very film's filing by another sheet that names it
                # no more (its row moved to test_labels.csv): this one's from now on, else the other said it 'no row
                # names it now' on every run (exit 1). Where both name it, it stays the first's: handed to the second,
                # the second's row then removed said to remove a film the first still files (exit 1)
                record[rel] = with_fields(old, sheet=os.path.abspath(sheet), sheet_path=os.path.abspath(film),
                                          film=real, film_path=real)
            continue  # this film's filing from before, or another film's of the same bytes there first
        entry = filed_now(out, rel, film, sheet)
        if entry is not None and (film in filing.made_now or entry.how == "link"):
            record[rel] = entry  # made now, or the film's own second name: a copy there before is not known ours
        elif entry is not None and old is not None and old.film == entry.film and restored(os.path.join(out, rel), old,
                                                                                             film):
            # its filing copied back with its times (OUT restored from a backup): forgotten, the film relabelled left
            # it in its old class too, silently, exit 0. A copy of other times (the user's own `cp` after removing
            # the filing) is not known ours: never taken out (review 73f)
            record[rel] = entry
        elif not (entry is not None and old is not None and old.film == entry.film and copied_back(
                os.path.join(out, rel), old, film)):  # else copied back without its times (cp -R) or the user's own
            record.pop(rel, None)  # cp: its line kept as it was, said (never taken out) once the film is relabelled;
            # dropped, it was left in its old class silently, exit 0 (seed 150046 with FILING_FUZZ_RESTORE=4)
    # This sheet's other filings kept by the path it is read by now (current -> export): kept by the real one, a
    # filing no row names lost its sheet when the export moved, and was left in its class, exit 0.
    for rel, old in list(record.items()):
        if old.sheet != os.path.abspath(sheet) and same_sheet_by_folder(old, sheet):
            record[rel] = with_fields(old, sheet=os.path.abspath(sheet),
                                      sheet_path=same_sheet_place(old, old.sheet_path, sheet))
    root = Path(sheet).parent
    for rel, old in list(record.items()):  # a filing of a sheet proved moved here (train.rowless_filings) kept at
        if old.sheet in filing.moved_sheets and rel not in filing.unnamed:  # its place here, its own sheet's: else
            record[rel] = with_fields(old, sheet=moved_path(old, old.sheet, root),  # its film deleted, or renamed
                                      sheet_path=moved_path(old, old.sheet_path, root),  # in the moved export,
                                      film_path=moved_path(old, old.film_path, root))  # left it in its class, exit 0
    for rel in filing.unnamed:  # this sheet's filing no row names, its export moved here: its place here recorded,
        # else its film deleted or renamed next in the moved export left it in no sheet's folder, in its class, exit 0
        if (old := record.get(rel)) is None:
            continue
        if (place := moved_path(old, old.sheet_path, root)) != old.sheet_path:
            record[rel] = with_fields(old, sheet=os.path.abspath(sheet), sheet_path=place,
                                      film_path=moved_path(old, old.film_path, root))
    # A sheet renamed to this one: each of its lines this one's, not only those no row names now. A film not found
    # kept the old name; its row then removed and the export moved, it lay in no sheet's folder, in its class, exit 0.
    for rel, old in list(record.items()):
        if old.sheet in filed_for and _renamed_from(old, sheet):
            record[rel] = with_fields(old, sheet=os.path.abspath(sheet))
    if record or os.path.lexists(os.path.join(out, RECORD)):
        try:
            write_record(out, record)
        except OSError as e:
            filing.record_error = f"{said_name(os.path.join(out, RECORD))} cannot be written: {e.strerror or e}"
    return filing
