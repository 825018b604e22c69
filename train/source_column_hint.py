"""What to do about a MANIFEST.csv without a ``source`` column whose other column plainly is one.

A hospital's export names the column for where a film comes from ``site``, ``Hospital``, ``Standort``,
``Klinik`` or ``Data source``: the note that the file "has no source column" listed those columns and said
what is lost (the per-source figures, --holdout-source), but not that renaming one header fixes it,
so a person with a ``site`` column of every film's hospital was left to guess.

A physicist's spreadsheet names instead the machine each film came from (``Scanner``, ``Modality vendor``,
``Manufacturer``): no source (renamed ``source`` it would be judged against the training films' archives), but
the per-scanner figures a site validating a model wants, which ``--by`` gives and the note never said.

The note names the --by of the command that prints it (cxr-compare has one too; cxr-train has none, so it names
cxr-evaluate's), and leaves it out where that command already groups by the column: pointing there was noise.
"""

from __future__ import annotations

from typing import NamedTuple

from edge.output import said_name
from edge.shell_words import command_words, pasteable
from train.class_names import same_class_key

# names (ignoring case and punctuation) that say where a film comes from: a site, a hospital, an archive;
# English first, then the words of the sites that write semicolon CSVs (German, French, Spanish, Italian, Dutch)
_LIKE_A_SOURCE = {same_class_key(w) for w in (
    "site", "site_id", "site_name", "sites", "hospital", "hospital_name", "clinic", "centre", "center",
    "institution", "institute", "origin", "archive", "dataset", "data_source", "datasource", "source_name",
    "source_site", "provenance", "repository", "repo",
    "standort", "klinik", "klinikum", "krankenhaus", "quelle", "herkunft", "einrichtung",
    "hopital", "hôpital", "origine", "établissement", "etablissement", "centro", "hospital_de_origen",
    "origen", "fuente", "sitio", "ospedale", "sede", "ziekenhuis", "bron", "locatie", "herkomst")}

# names that say which machine took a film: a scanner, its maker or model (DICOM's own attribute names among them)
_LIKE_A_DEVICE = {same_class_key(w) for w in (
    "scanner", "scanner_model", "scanner_name", "device", "device_name", "machine", "equipment", "detector",
    "vendor", "modality_vendor", "manufacturer", "manufacturer_model_name", "model_name", "station_name",
    "x_ray_unit", "xray_unit", "geraet", "gerät", "hersteller", "appareil", "fabricant", "equipo", "fabricante",
    "apparecchio", "produttore", "apparaat", "fabrikant")}


class ByCommand(NamedTuple):
    """The command whose --by the note points to, and the columns its --by already groups by."""
    command: str = "cxr-evaluate"  # cxr-train has no --by: its note names cxr-evaluate's
    grouped: tuple[str, ...] = ()


def source_column_hint(columns: list[str], by: ByCommand = ByCommand()) -> str:
    """'; its column 'site' looks like one: ...' where a column's name says where films come from, with a 'Scanner'
    column's --by after it (once site is renamed source, the file gets no note at all), else ''. The column is named as the file has it; --by with it is shell-quoted so it can be pasted
    (edge.shell_words.command_words: a name that cannot be pasted is escaped, said to be typed by hand)."""
    like = [c for c in columns if c and same_class_key(c) in _LIKE_A_SOURCE]
    if not like:
        return _device_column_hint(columns, by)
    col = like[0]
    # one line whatever the name holds: a header's quoted line break was pasted raw into the note, splitting it
    named = repr(col) if pasteable(col) else said_name(col)
    return (f"; its column {named} looks like one: name it source in the file's first line to have "
            "per-source figures" + ("" if col in by.grouped else  # what is lost stays; where --by is, it is no news
                                    f" ({command_words(by.command, '--by', col)} groups by it as it is"
                                    + ("" if pasteable(col) else
                                       "; type the name by hand: a line break or control character cannot be pasted")
                                    + ")")) + _device_column_hint(columns, by)  # renamed source, no note would say it


def _device_column_hint(columns: list[str], by: ByCommand) -> str:
    """'; its column 'Scanner' names the machine ...' where a column's name says which scanner or vendor took
    each film, and --by does not group by it already, else ''. Not to be named source: a source is where films
    come from, judged against the model's training archives; a scanner is a group to score apart (--by)."""
    like = [c for c in columns if c and same_class_key(c) in _LIKE_A_DEVICE and c not in by.grouped]
    if not like:
        return ""
    col = like[0]
    named = repr(col) if pasteable(col) else said_name(col)
    does = ("compares the two models within each one" if by.command == "cxr-compare" else
            "gives each one's own figures")
    return (f"; its column {named} names the machine that took each film, not a source: "
            f"{command_words(by.command, '--by', col)} {does}"
            + ("" if pasteable(col) else " (type the name by hand: a line break or control character cannot be pasted)"))
