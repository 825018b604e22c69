"""Whether a cxr-edge model file still holds the members its metadata says it has.

The checksum covers the flatbuffer only, and the metadata is read as it is; the members beside it
(the self-test, the fingerprints of the films the model learnt from) can go missing without either
noticing: a zip tool that drops entries, or a script that re-attaches the metadata alone
(edge.metadata.attach with no files). A file that lost its fingerprints had cxr-evaluate score its
training films and its report say none were found; one that lost its self-test classified with
labels swapped in its metadata and said nothing. So such a file is damaged, for every tool alike.
"""

from __future__ import annotations

from typing import Any

from edge.stamped_by import converter_version

SELFTEST = "selftest.json"  # lists the reference images (selftest/*.png) and their expected probabilities
# cxr-convert writes selftest.json in every file from cxr-edge 0.2.0 on (0.1.0 wrote selftest.npz, which
# edge.selftest_arrays runs; files made by hand or by other tools carry none): such files keep working as before.
FIRST_WITH_SELFTEST = (0, 2, 0)
KEY_BYTES = 8  # bytes of a film's SHA-256 in seen/<part>.bin (convert.seen_lists.PREFIX)
CODE_BYTES = 32  # bytes of a film's copy code in seen/<part>.near (train.code_distance.CODE)
SEEN_PARTS = ("train", "val")


def members_problem(meta: dict[str, Any], files: dict[str, bytes]) -> str | None:
    """Which members the file lacks or holds cut short, against what its metadata records, or None
    (pure function). Files that never had them pass: converted with --no-fingerprints (no 'seen'),
    by cxr-edge 0.9.0 or older (no 'seen'), or before 0.2.0 (no self-test)."""
    missing, short = [], []
    version = converter_version(meta, stamped=False)  # the maker's: a re-stamp of figures adds no member
    if version is not None and version >= FIRST_WITH_SELFTEST and SELFTEST not in files:
        missing.append(SELFTEST)
    seen = meta.get("seen")
    if isinstance(seen, dict):
        for part in SEEN_PARTS:
            n = seen.get(part)
            if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
                continue  # a part with no films has no keys; a wrong type is the card's to refuse
            name = f"seen/{part}.bin"
            if name not in files:
                missing.append(name)
            elif len(files[name]) != n * KEY_BYTES:
                short.append(f"{name} holds {len(files[name]) / KEY_BYTES:g} of its {n} fingerprints")
        near = [name for name in files if name.startswith("seen/") and name.endswith(".near")]
        short += [f"{name} is {len(files[name])} bytes, not a whole number of {CODE_BYTES}-byte copy codes"
                  for name in near if len(files[name]) % CODE_BYTES]
        if "copy_code" in seen and not near:  # written only beside at least one .near (convert.seen_lists.fingerprints)
            missing.append("seen/*.near")
    if not missing and not short:
        return None
    what = [f"it lacks {', '.join(missing)}, which its metadata says it carries"] if missing else []
    return "; ".join(what + short)


def damaged_members(path: Any, meta: dict[str, Any], files: dict[str, bytes]) -> str | None:
    """The one-line refusal for a file whose members are not all there (members_problem), naming it; or None."""
    from edge.output import said_name  # a newline in the path forged a line of the error, an ESC ran on the terminal

    problem = members_problem(meta, files)
    return None if problem is None else (f"{said_name(str(path))}: {problem}: the file may be damaged (or re-packed without them): "
                                         "copy it again from the workstation")
