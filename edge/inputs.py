"""What edge-classify is asked to classify: the paths given, and those read from standard input ('-')."""

from __future__ import annotations

import codecs
import os
import sys
from bisect import bisect_left
from typing import TextIO

from edge.batch import Result, expand_inputs
from edge.film_files import is_image_file, walked_into
from edge.figures import counted
from edge.input_order import Placed, after_repeats_left_out
from edge.no_images import why_no_images
from edge.links import films_below, linked_text, masks_text, sub_folder_films_text


def stdin_paths(text: str) -> list[str]:
    """The paths in standard input's text: one a line (a Windows line's \\r is no part of the
    name; blank lines are skipped), or NUL-separated (``find -print0``) when the text holds a NUL."""
    if "\0" in text:
        return [p for p in text.split("\0") if p]
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n") if line.strip()]


def read_names(stdin: TextIO | None = None) -> str:
    """Standard input as file names: its bytes decoded as the file system decodes names (os.fsdecode),
    so that a name that is not valid UTF-8 (an old camera's Latin-1 name, as find -print0 passes it)
    reaches open() as the same bytes, as it does from the command line, instead of one undecodable
    byte stopping the whole batch."""
    s = stdin or sys.stdin
    if s is None:  # started with <&- (some cron and service setups): Python then has no sys.stdin
        raise ValueError("standard input is closed: no image paths to read from '-' (give them a file or a pipe)")
    raw = getattr(s, "buffer", None)
    try:
        return list_text(raw.read()) if raw is not None else s.read().removeprefix("\ufeff")
    except OSError as e:  # open for writing only (0>file): EBADF
        reason = e.strerror or str(e)
        raise ValueError(f"standard input cannot be read: {reason[:1].lower()}{reason[1:]}; "
                         "no image paths to read from '-'") from None


def list_text(data: bytes) -> str:
    """A list of names as text. A list saved by Windows tools starts with a byte-order mark: UTF-8's
    (Notepad's "UTF-8 with BOM") was kept as part of the first name, whose film then failed under a name
    that looked right; UTF-16's (Notepad's "Unicode", PowerShell 5's ``dir -Name > list.txt``) has a NUL
    in every other byte, so the list was read as NUL-separated, one letter a name, and each '.' in a
    name classified the current folder; so has UTF-16 without the mark (``cmd /u``), known by its NULs."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError("standard input starts as a UTF-16 list of names but is not one: save the list as "
                             "UTF-8") from None
    text = _utf16_without_bom(data)
    if text is not None and data.endswith(b"\0") and _print0_rather(data, text):
        text = None
    return text if text is not None else os.fsdecode(data.removeprefix(codecs.BOM_UTF8))


def _print0_rather(data: bytes, utf16: str) -> bool:
    """Whether bytes that read both as a UTF-16 list and as a ``find -print0`` list are the latter: its names
    are there and the UTF-16 reading's are not. A name ending in a newline, of even length (b"ab\n\0"),
    decodes as UTF-16 ("扡\n"); the bytes alone cannot tell, the folder can. Where neither or both readings
    name what is there, UTF-16 as before (a genuine list splits at each NUL into letters, "\r" and "\n")."""
    def there(names: list[str]) -> bool:
        return bool(names) and all(os.path.lexists(n) for n in names)

    return there(stdin_paths(os.fsdecode(data))) and not there(stdin_paths(utf16))


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of a list saved as UTF-16 without a byte-order mark (``cmd /u /c dir /b`` writes one), else
    None: known by a line end that is a whole UTF-16 character, and no NUL character once decoded. A
    ``find -print0`` list has a NUL after each name and no line end. (A NUL in every other byte is no test:
    一 and Ā have a NUL as their low byte, and such names read as one letter a name.)"""
    if len(data) < 4 or len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\n" in text and "\0" not in text:
            return text
    return None


def with_stdin(args: list[str], stdin: TextIO | None = None) -> list[str]:
    """``args`` with each '-' replaced by the paths on standard input."""
    out: list[str] = []
    for a in args:
        out.extend(stdin_paths(read_names(stdin)) if a == "-" else [a])
    return out


def gather(images: list[str], recursive: bool) -> tuple[list[str], list[Placed], str | None]:
    """(files to classify, error Results each with its place among them, why nothing at all can be classified or None).

    A folder that holds no image is an error Result among the others (counted, reported, exit
    code 1), whether it was named as an argument or on standard input; inputs that give nothing
    at all are one reason for the whole batch (the caller's error line). Each error's place is where its
    name was given (edge.input_order): a program reading --json or --csv beside its list of inputs."""
    args = with_stdin(images)
    paths: list[str] = []
    errors: list[tuple[int, Result | str]] = []  # a str: a folder without images, its reason worked out below
    linked: list[str] = []
    masks: list[str] = []
    topped: list[str] = []  # folders whose own films were listed without --recursive: their sub-folders' are not
    named: set[tuple[str, str]] = set()  # (real folder, name) of each file given by name (a shell's scans/p2/*.png)
    for a in args:
        files, gone = expand_inputs([a], recursive=recursive, linked=linked, masks=masks)
        # a sub-folder it could not read goes where its films would sort among the folder's (files: in name order),
        # not after them all
        errors.extend((len(paths) + bisect_left(files, os.path.join(r.file, "")), r) for r in gone)
        paths.extend(files)
        if not files and not gone:  # a folder with no image in it
            errors.append((len(paths), a))
        elif files == [a]:  # a file gives itself
            named.add((os.path.realpath(os.path.dirname(a) or "."), os.path.basename(a)))
        elif files and not recursive:  # a folder's films: no stat per name
            topped.append(a)
    if linked and paths:  # their films are not answered: said once, never a silent skip (else said in the error)
        print(f"edge-classify: note: {linked_text(linked)}", file=sys.stderr, flush=True)
    if masks and paths:  # lung masks beside the films (Kaggle's CLASS/masks/) were answered and counted as films
        print(f"edge-classify: note: {masks_text(masks)}", file=sys.stderr, flush=True)
    given = {os.path.realpath(a) for a in topped}  # a sub-folder given too has its films classified
    said_of: set[str] = set()  # each folder once (scans and scans/ given)
    for a in topped:  # films one level down (a folder per patient) went without a word: 21 of 31 classified
        if os.path.realpath(a) not in said_of and (said := films_not_entered(a, given, named)):
            said_of.add(os.path.realpath(a))
            print(f"edge-classify: warning: {said}", file=sys.stderr, flush=True)
    if not paths and all(isinstance(r, str) for _, r in errors):  # nothing classified must not look like success
        named = [a for a in images if a != "-"]
        return [], [], why_no_images(args, recursive, "-" in images and len(args) == len(named))
    placed = [(at, r if isinstance(r, Result) else _no_images(r, recursive)) for at, r in errors]
    firsts = first_names(paths)
    placed, repeats = after_repeats_left_out(placed, firsts), firsts.count(False)
    paths = [p for p, first in zip(paths, firsts) if first]
    if repeats:  # answered twice, a film was counted twice in the summary a site compares with its own rate
        print(f"edge-classify: note: {counted(repeats, 'name')} given again by the inputs (a folder given twice, a "
              f"folder and its sub-folder, a file and its folder) "
              f"{'is left out: it' if repeats == 1 else 'are left out: each'} is answered once, where first named",
              file=sys.stderr, flush=True)
    return paths, placed, None


def _no_images(folder: str, recursive: bool) -> Result:
    from edge.output import said_name

    reason = why_no_images([folder], recursive, False)
    return Result(folder, error=reason.replace(f"no images found in {said_name(folder)}", "no images found in this folder", 1))


def films_not_entered(folder: str, given: set[str], named: set[tuple[str, str]] = frozenset()) -> str | None:
    """What a batch without --recursive says of the films in ``folder``'s sub-folders (as a watch says it:
    edge.links.sub_folder_films_text), or None where they hold none. One listing of ``folder`` and of each sub-folder
    a recursive walk would enter (not hidden, a disk's system folder, a mask folder, a link, nor one in ``given``:
    the real paths of the folders given), a film's type told by its name or, without a suffix, its first bytes
    (DICOM); films given by name (``named``: real folder, name) are classified. Where no sub-folder holds films
    itself but some hold folders (a PACS export's PATIENT/STUDY/), the tree below is walked to its first film."""
    films, folders, deeper = 0, [], []
    try:
        with os.scandir(folder) as entries:
            subs = sorted(e.path for e in entries if _real_folder(e) and walked_into(e.name))
    except OSError:
        return None
    for sub in subs:
        if (real := os.path.realpath(sub)) in given:
            continue
        try:
            with os.scandir(sub) as entries:
                found, below = 0, False
                for e in entries:
                    if _real_folder(e):
                        below = below or walked_into(e.name)
                    elif (real, e.name) not in named and is_image_file(e.path, e.name):
                        found += 1
        except OSError:
            continue
        if found:
            films, folders = films + found, folders + [sub]
        if below:
            deeper.append(sub)
    if films:
        return sub_folder_films_text(folder, "edge-classify", films, folders, bool(deeper))
    return sub_folder_films_text(folder, "edge-classify") if films_below(deeper) else None


def _real_folder(entry: os.DirEntry) -> bool:
    """Whether a listed entry is a folder and no link to one (a recursive walk does not follow links)."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def first_names(paths: list[str]) -> list[bool]:
    """Whether each of ``paths`` is its film's first name there (the others are left out: each film answered once, at
    its first place). A name is one where its folder's real path and its own name are (w3/a.png, ./w3/a.png,
    w3/sub/../a.png, a link to w3/ given beside it); a link to a film inside a folder is a name of its own, answered
    as a watch answers it (resolved, it hid the film's own name where it sorted first). A folder's real path is
    looked up once, not once a film: an export folder holds tens of thousands of films, on a network share."""
    folders: dict[str, str] = {}
    seen: set[str] = set()
    firsts: list[bool] = []
    for p in paths:
        folder, name = os.path.split(p)
        real_folder = folders.get(folder)
        if real_folder is None:
            real_folder = folders[folder] = os.path.realpath(folder or ".")
        key = os.path.join(real_folder, name)
        firsts.append(key not in seen)
        seen.add(key)
    return firsts
