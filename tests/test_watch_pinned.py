"""edge.watch pinned where a change would leave a film unanswered or a word unsaid (found by hand mutation testing:
each test here failed with one small change to Watcher._scan, Watcher.poll or Watcher._changed_failures in place,
which the fast tests of tests/test_watch.py, test_watch_restarts.py, test_watch_refusals.py and
test_watch_service.py let through)."""

from __future__ import annotations

import os
from pathlib import Path

from edge.watch import Watcher
from tests.test_watch import _quiet, _settled


def test_a_watched_folder_gone_away_holds_back_no_other_watched_folder_whose_name_starts_as_its_own(tmp_path):
    """--watch /srv/in /srv/in2: /srv/in unmounted keeps its films in mind, and only its own: /srv/in2's
    arrivals are still answered (kept by a prefix of the name, in2 was never read again)."""
    one, two = tmp_path / "in", tmp_path / "in2"
    one.mkdir(), two.mkdir()
    w = Watcher([one, two], full_every=1000)
    assert w.poll() == [] and w.poll() == []
    one.rename(tmp_path / "away")
    (two / "b.png").write_bytes(b"x" * 10)
    assert w.poll() == [] and w.poll() == [str(two / "b.png")]


def test_films_in_a_sub_folder_made_after_the_watch_began_are_said(tmp_path):
    """Without --recursive, a study's folder copied in after the start (the usual PACS export) is said once: its
    films are not answered, and only the first listing was looked at for them."""
    said = []
    w = Watcher([tmp_path], say=said.append)
    assert w.poll() == [] and w.poll() == [] and said == []
    (tmp_path / "study-1").mkdir()
    (tmp_path / "study-1" / "IM0001.dcm").write_bytes(b"x" * 10)
    assert w.poll() == [] and said == [f"warning: {tmp_path} has sub-folders with films, which --watch does not "
                                       "look into without --recursive"]


def test_as_many_failed_films_as_are_few_are_still_looked_at_every_poll(tmp_path, monkeypatch):
    """FEW_FAILURES failed films are few (looked at on every poll, not only on the full check): one over is many."""
    import edge.watch as watch_module

    monkeypatch.setattr(watch_module, "FEW_FAILURES", 1)
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    _quiet(tmp_path)
    w = Watcher([tmp_path], full_every=10)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]
    w.failed(str(tmp_path / "a.png"), "cannot identify image file")
    assert [w.poll() for _ in range(12)] == [[]] * 12        # polls 3-14: failed over 10 polls ago
    os.chmod(tmp_path / "a.png", 0o600)                      # its permissions fixed
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")]  # polls 15-16, the full check at 20


def test_a_film_rewritten_while_its_watched_folder_was_away_is_answered_on_its_return(tmp_path):
    """A share away while a film on it was rewritten in place (same name: its folder's stamp does not move): its
    return is a full check, as what changed meanwhile is not told by the folder, not the 30th poll after."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    w, film = _settled(incoming, "a.png")
    incoming.rename(tmp_path / "away")
    assert w.poll() == []
    (tmp_path / "away" / "a.png").write_bytes(b"y" * 20)   # rewritten in place
    (tmp_path / "away").rename(incoming)
    assert w.poll() == [] and w.poll() == [film]


def test_a_dicom_copy_stalled_before_its_magic_is_answered_once_the_rest_arrives(tmp_path):
    """A PACS export's IM000001 settled at 100 bytes (too few to tell DICOM by) is looked at as a failed film is:
    once its copy goes on, under the same inode in a folder whose stamp does not move, it is answered then, not at
    the full check 30 polls later."""
    from tests.test_dicom import make_dicom, ramp

    data = make_dicom(ramp(48, 40))
    film = tmp_path / "IM000001"
    film.write_bytes(data[:100])
    _quiet(tmp_path)
    w = Watcher([tmp_path])
    assert [w.poll() for _ in range(3)] == [[]] * 3
    with film.open("ab") as f:
        f.write(data[100:])
    assert w.poll() == [] and w.poll() == [str(film)]


def test_linked_and_mask_sub_folders_are_said_once_however_often_their_folder_is_read(tmp_path):
    """--recursive: a linked sub-folder and a masks/ one are said once, not again each time a film arrives beside
    them (their folder read again) or on each full check."""
    said = []
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "in" / "masks").mkdir(parents=True)
    (tmp_path / "in" / "linked").symlink_to(tmp_path / "elsewhere")
    w = Watcher([tmp_path / "in"], recursive=True, full_every=2, say=said.append)
    assert w.poll() == [] and len(said) == 2
    assert said[0].startswith("note: linked sub-folders are not entered") and said[1].startswith("note: mask sub")
    (tmp_path / "in" / "a.png").write_bytes(b"x" * 10)
    assert [w.poll() for _ in range(4)] == [[], [str(tmp_path / "in" / "a.png")], [], []] and len(said) == 2


def test_a_film_that_failed_for_want_of_memory_goes_out_again_the_quiet_span_after_it_failed(tmp_path, monkeypatch):
    """Its retry is timed from its failure: 3 s later it goes out, not 3 s after the next poll saw it (at
    --interval 2, one more poll)."""
    import edge.watch as watch_module

    clock = [10**18]
    monkeypatch.setattr(watch_module, "QUIET_NS", 3_000_000_000)
    monkeypatch.setattr(watch_module.time, "monotonic_ns", lambda: clock[0])
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    w = Watcher([tmp_path])
    assert w.poll() == []
    clock[0] += 3_000_000_000
    assert w.poll() == [str(tmp_path / "a.png")]
    w.failed(str(tmp_path / "a.png"), "out of memory while decoding")
    clock[0] += 1_000_000_000
    assert w.poll() == []
    clock[0] += 2_000_000_000
    assert w.poll() == [str(tmp_path / "a.png")]


def test_without_recursive_a_linked_sub_folder_is_not_said_to_be_passed_over(tmp_path):
    """Without --recursive no sub-folder is entered: a note that a linked one is not 'even with --recursive' would
    be noise on every start beside a folder of links (a PACS export's 'latest' link)."""
    said = []
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "in" / "masks").mkdir(parents=True)
    (tmp_path / "in" / "latest").symlink_to(tmp_path / "elsewhere")
    w = Watcher([tmp_path / "in"], say=said.append)
    assert w.poll() == [] and w.poll() == [] and said == []


def test_a_link_loop_with_a_films_name_is_handed_out_for_its_error_line_not_taken_for_a_folder(tmp_path):
    """A link that leads to itself cannot say whether it is a folder: with a film's name it is a film that cannot
    be read, answered with its error as a batch answers it, never a linked sub-folder passed over in silence."""
    said = []
    (tmp_path / "a.png").symlink_to(tmp_path / "a.png")
    w = Watcher([tmp_path], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png")] and said == []


def test_a_disks_system_folders_are_passed_over_without_a_word(tmp_path):
    """--recursive over a disk's root: lost+found and the Recycle Bin are no films' folders, and no mask folders:
    a note that they were not entered as masks would be wrong."""
    said = []
    for name in ("lost+found", "$RECYCLE.BIN", "System Volume Information"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.png").write_bytes(b"x" * 10)
    w = Watcher([tmp_path], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == [] and said == []


def test_a_watched_folder_given_again_under_another_path_is_watched_once(tmp_path, monkeypatch):
    """'incoming /srv/incoming' (or a link to the folder, or under --recursive a folder inside one given): each film
    that arrived was answered twice, under two names."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "in")
    for n in ("a.png", "sub/b.png"):
        (tmp_path / "in" / n).write_bytes(b"x" * 10)
    monkeypatch.chdir(tmp_path)
    said = []
    w = Watcher([Path("in"), tmp_path / "in", Path("link"), Path("in/sub")], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == ["in/a.png", "in/sub/b.png"]
    assert said == [f"note: {tmp_path / 'in'} is the watched folder in under another path: watched once, as in, so "
                    "that no film is answered twice",
                    "note: link is the watched folder in under another path: watched once, as in, so that no film is "
                    "answered twice",
                    "note: in/sub is inside the watched folder in (--recursive): watched once, as part of it, so that no "
                    "film is answered twice"], said
    said.clear()
    w = Watcher([Path("in/sub"), Path("link/sub")], say=said.append)
    assert w.poll() == [] and w.poll() == ["in/sub/b.png"] and len(said) == 1


def test_a_sub_folder_given_before_its_parent_under_recursive_is_watched_once(tmp_path, monkeypatch):
    """'--watch --recursive /abs/in/sub in': the sub-folder, given first under another spelling, was listed on its own
    and again inside in/, so each film that arrived in it was answered twice (watched_once looked only at folders given
    before). It is now watched as part of in/, its films named under in/, and the note says so once."""
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for n in ("a.png", "sub/b.png"):
        (tmp_path / "in" / n).write_bytes(b"x" * 10)
    monkeypatch.chdir(tmp_path)
    said = []
    w = Watcher([tmp_path / "in" / "sub", Path("in")], recursive=True, say=said.append)
    assert w.folders == [Path("in")]
    assert w.poll() == [] and w.poll() == ["in/a.png", "in/sub/b.png"]
    assert said == [f"note: {tmp_path / 'in' / 'sub'} is inside the watched folder in (--recursive): watched once, as "
                    "part of it, so that no film is answered twice"], said
    said.clear()  # without --recursive each is listed on its own: in/ does not list sub/'s films
    w = Watcher([tmp_path / "in" / "sub", Path("in")], say=said.append)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "in" / "sub" / "b.png"), "in/a.png"]
    assert not [s for s in said if s.startswith("note:")], said
