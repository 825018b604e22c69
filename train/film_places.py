"""Where train.file_by_label puts each film in OUT/LABEL/ and putting it there: the film's name in its class folder
(names two films of the sheet share made apart), and a hard link or copy never over a file there. The films this
command filed earlier in another class folder (a label corrected since) are taken out by train.stale_films."""

from __future__ import annotations

import errno
import filecmp
import os
import shutil

from edge.output import said_name
from train.filing import Filing

# a hard link that the disk refuses for good (another disk, FAT/exFAT, a share without links): copies from then on
NO_LINKS = {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EACCES}


def joined_name(film: str, root: str) -> str:
    """``film``'s path under ``root`` in one name, its folders joined by '_' (site1/p1.jpeg: site1_p1.jpeg)."""
    parts = [p for p in os.path.relpath(film, root).replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "_".join(parts) or os.path.basename(film)


def dest_names(films: list[str], root: str) -> tuple[dict[str, str], list[str]]:
    """(film -> its name in its class folder, the films left without one) of every film the sheet names.

    A film keeps its own name unless another film of the sheet has it too (in any case: a disk that ignores case
    holds one of P1.png and p1.png): a DICOM export repeats IM-0001.dcm in each series' folder, and filing one of
    them left the other out. Those take their path under the sheet's folder as their name (site1_p1.jpeg). Not
    always: NIH's 00000001_000.png filed as images_001_images_00000001_000.png no longer reads as the sheet's name,
    and a folder filed by an earlier version would be filed twice. The names are made over the whole sheet, not per
    class, so that a label corrected later moves a film without renaming it. Two joined names alike again
    (a_b/c.png and a/b/c.png) give neither a name: said, never one film over the other."""
    by_name: dict[str, list[str]] = {}
    for film in films:
        by_name.setdefault(os.path.basename(film).casefold(), []).append(film)
    names = {f: os.path.basename(f) if len(group) == 1 else joined_name(f, root)
             for group in by_name.values() for f in group}
    taken: dict[str, list[str]] = {}
    for film, name in names.items():
        taken.setdefault(name.casefold(), []).append(film)
    clashing = sorted(f for group in taken.values() if len(group) > 1 for f in group)
    return {f: n for f, n in names.items() if f not in clashing}, clashing


def put_film(film: str, dest: str, filing: Filing) -> None:
    """``film`` at ``dest``: a hard link, else (the disk refuses them) a copy; never over a file there
    (FileExistsError where one is, say made meanwhile by a second run of the command, which is left as it is)."""
    film = os.path.realpath(film)  # the film a link leads to: a relative link moved to OUT/LABEL/ led nowhere
    if not filing.copied:
        try:
            os.link(film, dest)
            return
        except OSError as e:
            if e.errno not in NO_LINKS:
                raise
            filing.copied = e.strerror or str(e)
    made = False
    try:
        with open(film, "rb") as src, open(dest, "xb") as dst:  # "x": never over a file made meanwhile
            made = True
            shutil.copyfileobj(src, dst, 1 << 20)
        shutil.copystat(film, dest)
    except OSError:
        if made and os.path.exists(dest):
            os.remove(dest)  # no half film left to be read as a whole one; only this run's own
        raise


def _alike(film: str, there: str) -> bool:
    """Whether ``there`` is ``film`` or holds its bytes; False where it leads nowhere (a symbolic link left dangling
    in OUT stopped the whole run as a disk error, filing nothing)."""
    if not os.path.exists(there):
        return False
    return os.path.samefile(film, there) or filecmp.cmp(film, there, shallow=False)


def linked_folder(out: str | os.PathLike, folder: str) -> bool:
    """Whether OUT/``folder`` is there but is no real folder of OUT's (a symbolic link, to a folder elsewhere): a film
    filed through it lay beyond OUT/.filed.csv (train.filed_record drops such lines), so a label corrected later left
    it in two classes."""
    path = os.path.join(out, folder)
    return os.path.lexists(path) and os.path.realpath(path) != os.path.join(os.path.realpath(out), folder)


def file_films(films: dict[str, str], out: str | os.PathLike, filing: Filing) -> Filing:
    """Each film of ``films`` put in ``out``/its class folder/ under its name (filing.names, else its own); one
    there already (an earlier run's: the same file or the same bytes) counted as filed, another file kept; none
    through a class folder that is a link (filing.linked_out)."""
    for film, folder in sorted(films.items(), key=lambda kv: (kv[1], kv[0])):
        name = filing.names.get(film, os.path.basename(film))
        dest = os.path.join(out, folder, name)
        if folder in filing.linked_out or linked_folder(out, folder):
            filing.linked_out.setdefault(folder, []).append(name)  # said, never filed through it
            continue
        if os.path.lexists(os.path.join(out, folder)) and not os.path.isdir(os.path.join(out, folder)):
            filing.stopped = (f"{said_name(os.path.join(out, folder))} is a file, not a class folder: move it aside "
                              "or rename it")  # makedirs said 'File exists' of the film, as if the disk were at fault
            break
        try:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            try:
                if os.path.lexists(dest):
                    raise FileExistsError(errno.EEXIST, "there already")
                put_film(film, dest, filing)
                filing.made += 1
                filing.made_now.add(film)
            except FileExistsError:  # there before, or made meanwhile by a second run at once
                if not _alike(film, dest):
                    filing.kept.append(os.path.join(folder, name))
                    continue
        except OSError as e:
            filing.stopped = f"{said_name(dest)}: {e.strerror or e}"
            break
        filing.filed[folder] = filing.filed.get(folder, 0) + 1
        filing.placed[film] = f"{folder}/{name}"
    return filing
