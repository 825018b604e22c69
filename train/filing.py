"""What one run of ``python -m train.file_by_label`` did and left out (Filing), and the lines that say it (summary):
kept apart from the filing itself, which was at the 300-line limit."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from edge.output import said_name
from edge.shell_words import command_text

SHOWN = 3  # names shown of each kind of row left out


@dataclass
class Filing:
    """What one run of the command did and left out: the lines of its summary."""
    filed: dict[str, int] = field(default_factory=dict)  # class folder -> films filed there (or there already)
    made: int = 0  # links or copies made by this run (the rest were there from an earlier one)
    copied: str = ""  # why the films were copied, not linked ('' while linked)
    not_found: list[str] = field(default_factory=list)  # rows' file names found nowhere under the sheet's folder
    ambiguous: list[str] = field(default_factory=list)  # names two films or more there share
    twice: list[str] = field(default_factory=list)  # films named by two rows or more (filed once if alike)
    conflicting: list[str] = field(default_factory=list)  # ... of them, the ones given different labels
    multi: list[str] = field(default_factory=list)  # rows with several labels, 'A|B'
    no_label: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # label -> its folder's name ('Pneumonia/Viral' -> ..._Viral)
    respelt: dict[str, str] = field(default_factory=dict)  # normal -> Normal: the first row's spelling (train.label_spellings)
    respelt_out: set[str] = field(default_factory=set)  # of those, the spellings of a class folder OUT had already
    kept: list[str] = field(default_factory=list)  # OUT/LABEL/FILM already another file: not overwritten
    stopped: str = ""  # why filing stopped part way (a full disk)
    named: set[str] = field(default_factory=set)  # every film a row names, filed or not (train.film_places)
    names: dict[str, str] = field(default_factory=dict)  # film -> its name in its class folder
    clashing: list[str] = field(default_factory=list)  # films two of which would take one name there: not filed
    moved: list[str] = field(default_factory=list)  # CLASS/FILM an earlier run filed that the sheet no longer gives
    stale_left: list[str] = field(default_factory=list)  # ... of them, ones that could not be taken out
    unsure: list[str] = field(default_factory=list)  # ... files of the film's name left: not known to be its filing
    made_now: set[str] = field(default_factory=set)  # films linked or copied by this run (train.stale_films records)
    record_error: str = ""  # why OUT/.filed.csv was not written (train.filed_record)
    record_unread: str = ""  # why OUT/.filed.csv, there, could not be read whole: kept, nothing taken out by it
    lost: list[str] = field(default_factory=list)  # CLASS/FILM recorded from a film found nowhere now: left, said
    replaced: list[str] = field(default_factory=list)  # CLASS/FILM recorded, now another file: said once, line dropped
    gone: list[str] = field(default_factory=list)  # CLASS/FILM recorded, removed by hand since: its MANIFEST.csv row too
    left_cells: list[str] = field(default_factory=list)  # file cells of rows left out ('todo', L) whose film is not found
    unplaced: list[str] = field(default_factory=list)  # CLASS/FILM recorded from the film of one of them: left, said
    unnamed: list[str] = field(default_factory=list)  # CLASS/FILM recorded from a film of the sheet's folder no row names
    other_label: list[str] = field(default_factory=list)  # CLASS/FILM of a film of the sheet's another sheet files there
    other_names: list[str] = field(default_factory=list)  # no record: the film itself under a name not this command's
    linked_out: dict[str, list[str]] = field(default_factory=dict)  # class folder that is a link -> films not filed
    placeholder: dict[str, int] = field(default_factory=dict)  # 'todo', 'Unknown' -> rows: a label not known yet
    other_modality: dict[str, int] = field(default_factory=dict)  # 'CT' -> rows of the sheet's modality column
    other_view: dict[str, int] = field(default_factory=dict)  # 'L' -> rows of its view column (train.sheet_views)
    not_films: list[str] = field(default_factory=list)  # rows naming a file that is no film (volumes/x.nii.gz)
    row_of: dict[str, int] = field(default_factory=dict)  # film -> the first row naming it (its other columns)
    found: dict[str, list[str]] = field(default_factory=dict)  # every file under the sheet's folder by its name, lower case
    moved_sheets: set[str] = field(default_factory=set)  # recorded sheets moved here (train.rowless_filings)
    placed: dict[str, str] = field(default_factory=dict)  # film -> LABEL/NAME, filed there (or there already)
    moved_to: dict[str, str] = field(default_factory=dict)  # CLASS/FILM taken out (moved) -> the film
    manifest: str = ""  # what OUT/MANIFEST.csv was written with (train.sheet_manifest)
    manifest_error: str = ""  # why it was not

    def left_out(self) -> int:
        """Rows (or films) not filed: any makes the exit code 1, as the docstring of main says. Rows left out on
        purpose are none of them: a label not known yet (ieee8023's 'todo', which every copy of its sheet holds, so
        that it always exited 1), another modality, a lateral view, a file that is no film (:meth:`on_purpose`)."""
        return (len(self.not_found) + len(self.ambiguous) + len(self.conflicting) + len(self.multi) + self.no_label
                + len(self.kept) + len(self.clashing) + len(self.stale_left) + len(self.unsure)
                + len(self.lost) + len(self.replaced) + len(self.unplaced) + len(self.unnamed) + len(self.other_label)
                + len(self.other_names) + sum(map(len, self.linked_out.values()))
                + bool(self.record_error) + bool(self.record_unread))

    def on_purpose(self) -> int:
        """Rows left out because they give no film of a class to file: said, and no failure (exit 0)."""
        return (sum(self.placeholder.values()) + sum(self.other_modality.values()) + sum(self.other_view.values())
                + len(self.not_films))


def _some(names: list[str]) -> str:
    return ", ".join(map(said_name, names[:SHOWN])) + (", ..." if len(names) > SHOWN else "")


def summary(filing: Filing, sheet: Path, out: Path) -> list[str]:
    """The lines the command prints: what it filed where, then each kind of row it left out and why."""
    from train.class_choice import twins_remedy
    from train.class_folders import case_twins

    total = sum(filing.filed.values())
    classes = sorted(filing.filed.items(), key=lambda kv: (-kv[1], kv[0]))
    how = f"copies: hard links refused here ({filing.copied}); " if filing.copied else "hard links; " * bool(filing.made)
    lines = [f"filed {total} film{'s' * (total != 1)} of {said_name(sheet.name)} in {said_name(str(out))} ({how}"
             f"{filing.made} new, {total - filing.made} there already): "
             + (", ".join(f"{said_name(c)} {n}" for c, n in classes[:20]) + (", ..." if len(classes) > 20 else "") or "none")]
    if filing.stopped:
        lines.append(f"stopped part way: {filing.stopped}")
    if filing.not_found:
        lines.append(f"{len(filing.not_found)} row(s) name no film found under {said_name(str(sheet.parent))}: "
                     f"{_some(filing.not_found)}")
    if filing.ambiguous:
        lines.append(f"{len(filing.ambiguous)} name(s) are those of two films or more in different folders, so which "
                     f"one a row means is not known: filed neither (ambiguous): {_some(filing.ambiguous)}")
    if filing.twice:
        lines.append(f"{len(filing.twice)} film(s) named by two rows or more: {_some(filing.twice)}; "
                     + (f"{len(filing.conflicting)} of them with different labels, filed in no class: "
                        f"{_some(filing.conflicting)}" if filing.conflicting else "each with one label, filed once"))
    if filing.multi:
        lines.append(f"{len(filing.multi)} row(s) give several labels ({said_name(filing.multi[0])}), left out: a folder "
                     "per class holds films of one label each")
    if filing.no_label:
        lines.append(f"{filing.no_label} row(s) give no label, left out")
    if filing.placeholder:
        lines.append(f"{sum(filing.placeholder.values())} row(s) give a label not known yet "
                     f"({', '.join(f'{said_name(k)} {n}' for k, n in sorted(filing.placeholder.items()))}), left out "
                     "on purpose (no failure): label them and run the same command again to file them")
    if filing.other_modality:
        lines.append(f"{sum(filing.other_modality.values())} row(s) are of another modality than X-ray "
                     f"({', '.join(f'{said_name(k)} {n}' for k, n in sorted(filing.other_modality.items()))}), "
                     "left out: no films")
    if filing.other_view:
        lines.append(f"{sum(filing.other_view.values())} row(s) are of a lateral or oblique view "
                     f"({', '.join(f'{said_name(k)} {n}' for k, n in sorted(filing.other_view.items()))}), left out on "
                     "purpose: the model is trained on frontal films (cxr-train warns of, and edge-classify flags, a "
                     "DICOM film whose header says lateral; a PNG says nothing); --all-views files them too")
    if filing.not_films:
        lines.append(f"{len(filing.not_films)} row(s) name a file that is no film (no image suffix), left out: "
                     f"{_some(filing.not_films)}")
    for label, folder in sorted(filing.renamed.items())[:SHOWN]:
        lines.append(f"label {said_name(label)} filed as {said_name(folder)} ('/', '\\' and control characters cannot be "
                     "in a folder's name; a name starting with '.', or such as masks or lost+found, is a folder cxr-train "
                     "passes over)")
    for folder, first in sorted(filing.respelt.items())[:SHOWN]:
        whose = "the class folder there already" if first in filing.respelt_out else "the first row's spelling"
        lines.append(f"label {said_name(folder)} filed in {said_name(first)}, {whose}: labels that "
                     "differ only in case or spaces are one class to cxr-train, which refuses two folders for it")
    if filing.kept:
        lines.append(f"{len(filing.kept)} film(s) not filed, a file of that name not filed by this command being there "
                     f"already, with other bytes (not overwritten): {_some(filing.kept)}")
    if filing.clashing:
        lines.append(f"{len(filing.clashing)} film(s) of the sheet would take one name in OUT even as their paths "
                     f"joined (a_b/c.png, a/b/c.png), so none of them was filed: {_some(filing.clashing)}; rename one")
    if filing.moved:
        lines.append(f"{len(filing.moved)} film(s) filed by an earlier run in a class folder the sheet no longer gives "
                     f"them, taken out there (each a hard link to the film or a copy of its same bytes: the film itself "
                     f"stays): {_some(filing.moved)}")
    if filing.stale_left:
        lines.append(f"{len(filing.stale_left)} film(s) filed by an earlier run in a class folder the sheet no longer "
                     f"gives them could not be taken out: {_some(filing.stale_left)}; remove them by hand")
    if filing.unsure:
        lines.append(f"{len(filing.unsure)} file(s) of a film's name left in a class folder the sheet no longer gives it, "
                     f"not known to be the film this command filed there (not in {said_name('.filed.csv')}, the record "
                     "of what it filed, which 0.54.0 did not keep; or changed since it was filed, or copied back without its "
                     "times, cp -R; a copy is never taken out "
                     f"unknown): {_some(filing.unsure)}; remove each by hand where it is the film's old filing")
    if filing.lost:
        lines.append(f"{len(filing.lost)} file(s) left in OUT that {said_name('.filed.csv')} says were filed from a film "
                     f"found nowhere now (OUT moved since, or the export): {_some(filing.lost)}; remove each by hand "
                     "where its film is filed elsewhere now, or its line in the record to keep it")
    if filing.replaced:
        lines.append(f"{len(filing.replaced)} file(s) where {said_name('.filed.csv')} says this command filed a film "
                     f"now hold another file, put there since: {_some(filing.replaced)}; left as they are, and their "
                     "lines dropped from the record (no filing of this command now; said this once)")
    if filing.other_names:
        lines.append(f"{len(filing.other_names)} file(s) in OUT's class folders that are a film of the sheet (a hard "
                     "link or symbolic link to it) under a name this command never gives it, not known to be its filing "
                     f"(OUT holds no {said_name('.filed.csv')}, the record of what it filed: a new OUT, or one 0.54.0 "
                     "filed): "
                     f"{_some(filing.other_names)}; left as they are: remove each by hand, or move it out of OUT's "
                     "class folders (cxr-train would train on the film twice)")
    if filing.unplaced:
        lines.append(f"{len(filing.unplaced)} file(s) left in OUT that {said_name('.filed.csv')} says were filed from "
                     "the film of a row that now leaves it out (a label not known yet, no label or several, a lateral "
                     "view, another modality), that film not found or its name now two films': "
                     f"{_some(filing.unplaced)}; remove each by hand (no film of a class now), or its line in the record "
                     "to keep it")
    if filing.unnamed:
        lines.append(f"{len(filing.unnamed)} file(s) left in OUT that {said_name('.filed.csv')} says were filed from a "
                     f"film of the sheet (in its folder, or named by its path) that no row of the sheet names now "
                     f"(its row removed): "
                     f"{_some(filing.unnamed)}; remove each by hand, or its line in the record to keep it (a second "
                     "sheet in that folder filed them into the same OUT, by an older cxr-edge whose record says no "
                     "sheet: run that sheet once, and they are its own from then on)")
    if filing.other_label:
        lines.append(f"{len(filing.other_label)} film(s) of the sheet filed in another class by another sheet that "
                     f"still names them there: {_some(filing.other_label)}; left there, so each film is now under two "
                     "labels: give it one label in both sheets (or name it in one) and run both again")
    for folder, names in sorted(filing.linked_out.items()):
        lines.append(f"class folder {said_name(str(out / folder))} is a link to "
                     f"{said_name(os.path.realpath(out / folder))}, not a folder of {said_name(str(out))} itself: "
                     f"{len(names)} film(s) not filed there ({_some(names)}), since a film filed through it is beyond "
                     "this command's record (a label corrected later would leave it in two classes); replace the link "
                     "with a real folder of that name (moving into it what belongs there) or give another --out, and "
                     "run the same command again")
    if filing.record_unread:
        lines.append(f"{filing.record_unread}: kept as it is, not rewritten, and nothing taken out by it (another "
                     "sheet's lines in it would be lost); mend it, or move it aside (then only a film's own hard links are "
                     "taken out of other class folders), and run the same command again")
    if filing.record_error:
        lines.append(f"the record of what was filed is not kept: {filing.record_error}; a label corrected later will "
                     "leave the film in its old class")
    for twins in case_twins(list(filing.filed)):
        lines.append(f"labels {', '.join(map(said_name, twins))} differ only in case or punctuation: cxr-train takes "
                     f"them for one class and refuses their folders; in the sheet, {twins_remedy(twins)}")
    if filing.manifest:
        lines.append(filing.manifest)
    if total and not filing.stopped:  # part of the films filed: no data folder to train on yet
        lines.append(f"then give {said_name(str(out))} as the data folder: "
                     f"{command_text('cxr-train', '--data', str(out), '--out', 'RUN')}, or to score a model on these "
                     f"films: {command_text('cxr-evaluate', 'MODEL', str(out))}")
    return lines
