"""Files that another platform's tools left in a form discovery cannot take, said rather than lost in silence.

A film that lost its suffix (``film.png.1`` from wget, a de-identification tool's bare name) or a phone's
``.HEIC`` photo of one is no film to discovery, and a figure over fewer films than the folder holds looked
complete. A Windows zip unpacked by a tool that keeps its backslashes (Python's zipfile) leaves files named
``COVID\\img.png`` and no class folder, and the advice to give the folder's parent could not help.
"""

from __future__ import annotations

from pathlib import Path

# what a download is packed in: left unpacked in or beside the class folders, its films were never read, unsaid
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".tar.gz", ".tgz")


def is_archive_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(ARCHIVE_SUFFIXES)


def archives_in(folder: Path) -> list[str]:
    """The names of the archives (.zip, .7z, ...) directly in ``folder``, sorted."""
    try:
        return sorted(p.name for p in Path(folder).iterdir() if is_archive_name(p.name) and p.is_file())
    except OSError:
        return []


def archives_warning(data_dir: Path, paths: list[str]) -> str | None:
    """'warning: COVID.zip in DATA: an archive, not read; unpack it' for the archives in or beside the class folders
    (``paths``: from data_dir), or None."""
    if not paths:
        return None
    from edge.output import said_name

    if len(paths) == 1:
        return f"warning: {said_name(paths[0])} in {said_name(str(data_dir))}: an archive, not read; unpack it"
    return (f"warning: {len(paths)} archives in {said_name(str(data_dir))} (e.g. {said_name(paths[0])}) were not read; unpack them")


def passed_over_warning(data_dir: Path, passed: list[tuple[str, str, str]]) -> str | None:
    """'warning: 4 files in the class folders of ns were passed over (COVID 4): ...' for the images of the classes
    used that have no image suffix (``passed``: (path from data_dir, class, image format) each), or None."""
    if not passed:
        return None
    from edge.output import said_name

    counts: dict[str, int] = {}
    for _, label, _ in passed:
        counts[label] = counts.get(label, 0) + 1
    n, each = len(passed), ", ".join(f"{label} {k}" for label, k in sorted(counts.items()))
    path, _, what = passed[0]
    # the name quoted where it holds a control character: a raw \r (macOS's Icon\r) erased the line on a terminal
    many = n > 1
    return (f"warning: {n} file{'s' if many else ''} in the class folders of {said_name(str(data_dir))} {'were' if many else 'was'} "
            f"passed over ({each}): {'images' if many else 'an image'} with no image suffix such as .png, .jpg, .dcm "
            f"({'e.g. ' if many else ''}a {what} named {said_name(path)}); no figure counts "
            f"{'them: give each' if many else 'it: give it'} its image suffix to use it")


def backslash_names(data_dir: Path, folders: list[str]) -> str | None:
    """Why ``data_dir`` has no class folders but files named ``COVID\\img.png`` (a Windows archive unpacked
    with its backslashes kept in the names), or None. ``folders``: its class folders' names (an images/
    folder alone is no class folder)."""
    if any(f.lower() != "images" for f in folders):
        return None
    from edge.output import said_name

    try:
        named = sorted(p.name for p in Path(data_dir).iterdir() if "\\" in p.name.strip("\\") and p.is_file())
    except OSError:
        return None
    if not named:
        return None
    tops = sorted({n.strip("\\").split("\\")[0] for n in named})
    shown = ", ".join(tops[:6]) + (", ..." if len(tops) > 6 else "")
    return (f"{said_name(str(data_dir))} holds no class folders but {len(named)} files whose names hold backslashes (e.g. {said_name(named[0])}): "
            f"an archive made on Windows was unpacked with its backslashes kept in the names, so its folders ({shown}) "
            "were never made; unpack it again with unzip or 7-Zip, or move each file into the folder its name begins "
            "with")


def _top_folder(archive: Path) -> str | None:
    """The one folder a zip or tar holds everything in (Kaggle's COVID-19_Radiography_Dataset/), or None."""
    import tarfile
    import zipfile

    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                names = z.namelist()
        else:
            with tarfile.open(archive) as t:
                names = t.getnames()
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError):
        return None
    members = [m for m in map(_member_path, names) if m]
    tops = {m.split("/")[0] for m in members}
    top = tops.pop() if len(tops) == 1 else None
    return top if top and any(m.startswith(top + "/") for m in members) else None


def _member_path(name: str) -> str:
    """An archive member's path without a leading './' (tar's), so that '.cxr/COVID/a.png' keeps its folder's dot."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return "" if name in (".", "/") else name.lstrip("/")


def archive_given(data_dir: Path) -> str | None:
    """Why --data ARCHIVE.zip (a download not yet unpacked) is refused, with the command that unpacks it and the
    folder to give then, or None where ``data_dir`` names no archive. Python unpacks a zip or tar on any system
    (python -m zipfile -e), so the command works where unzip is not installed (Windows' cmd.exe)."""
    import sys

    from edge.output import said_name
    from edge.shell_words import command_text

    data_dir = Path(data_dir)
    if not (is_archive_name(data_dir.name) and data_dir.is_file()):
        return None
    lower = data_dir.name.lower()
    stem = data_dir.name[:-len(next(s for s in ARCHIVE_SUFFIXES if lower.endswith(s)))] or "data"
    into = data_dir.with_name(stem)
    # by the suffix it ends in: a 7-Zip'd tar (scans.tar.7z) is no tar to Python ('.t' in its end once said it was)
    module = "zipfile" if lower.endswith(".zip") else "tarfile" if lower.endswith((".tar", ".tar.gz", ".tgz")) else None
    if module is None:  # .7z, .rar: no unpacker in Python's library
        return (f"data folder {said_name(str(data_dir))} is an archive, not read: unpack it (7-Zip, unar) and give "
                "the folder in it that holds a sub-folder per class")
    top = _top_folder(data_dir)
    give = into / top if top else into
    return (f"data folder {said_name(str(data_dir))} is an archive, not read: unpack it: "
            f"{command_text(sys.executable or 'python3', '-m', module, '-e', str(data_dir), str(into))}; then give "
            f"{said_name(str(give))}" + ("" if top else " (or the folder in it that holds a sub-folder per class)"))
