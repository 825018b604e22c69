"""Cases of edge.cgroup_room that hand mutation (session 72) showed no test pinned: the 32-bit 'no limit' and the
4 TiB line itself, a /proc/self/cgroup not in UTF-8 or with a short line, a mountinfo ROOT with a space, other v1
mounts listed before memory's, the deepest of several ROOTs, a path outside every ROOT read at the mount actually
listed, '..' never walking out of the mount, and a memory.stat with a value that is not a number. Fake trees under
tmp_path, with a mountinfo whose mount points are those tmp paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.cgroup_room import V1_NO_LIMIT, cgroup_room

MIB = 2**20
HOST = "22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n"


def _board(tmp_path: Path, cgroup: str | bytes, mounts: list[tuple[str, str, str, str]] | None,
           files: dict[str, object]) -> tuple[str, str]:
    """(proc, cgroup root): /proc/self/cgroup is ``cgroup``; mountinfo lists ``mounts`` (ROOT, mount point below
    tmp_path/mnt, fstype, super options), none: no mountinfo; ``files``' paths are below tmp_path/mnt."""
    proc, mnt = tmp_path / "proc", tmp_path / "mnt"
    (proc / "self").mkdir(parents=True)
    data = cgroup if isinstance(cgroup, bytes) else cgroup.encode()
    (proc / "self" / "cgroup").write_bytes(data)
    if mounts is not None:
        lines = [f"{40 + i} 22 0:{50 + i} {root} {mnt / point} rw,relatime shared:{i} - {fstype} {fstype} rw,{opts}\n"
                 for i, (root, point, fstype, opts) in enumerate(mounts)]
        (proc / "self" / "mountinfo").write_text(HOST + "".join(lines))
    mnt.mkdir()
    for name, value in files.items():
        (mnt / name).parent.mkdir(parents=True, exist_ok=True)
        (mnt / name).write_text(f"{value}\n")
    return str(proc), str(mnt)


def _v1(folder: str, limit: int, usage: int) -> dict[str, object]:
    return {f"{folder}/memory.limit_in_bytes": limit, f"{folder}/memory.usage_in_bytes": usage}


@pytest.mark.parametrize("limit", [2**43 - 4096, V1_NO_LIMIT])  # a 32-bit kernel's 'no limit'; 4 TiB exactly
def test_a_v1_limit_of_4_tib_or_more_is_none(tmp_path, limit):
    board = _board(tmp_path, "4:memory:/cxr\n", None, _v1("memory/cxr", limit, 100 * MIB))
    assert cgroup_room(*board) is None


def test_a_v1_limit_just_under_4_tib_is_a_limit(tmp_path):
    board = _board(tmp_path, "4:memory:/cxr\n", None, _v1("memory/cxr", V1_NO_LIMIT - MIB, 0))
    assert cgroup_room(*board) == V1_NO_LIMIT - MIB


def test_a_proc_self_cgroup_not_in_utf8_is_no_limit_not_an_error(tmp_path):
    board = _board(tmp_path, b"4:memory:/caf\xe9\n", None, _v1("memory", 512 * MIB, 0))
    assert cgroup_room(*board) is None


def test_a_short_line_in_proc_self_cgroup_is_passed_over(tmp_path):
    board = _board(tmp_path, "garbage:x\n4:memory:/cxr\n", None, _v1("memory/cxr", 512 * MIB, 300 * MIB))
    assert cgroup_room(*board) == 212 * MIB


def test_a_mountinfo_root_with_a_space_holds_the_path(tmp_path):
    files = {**_v1("memory", 1024 * MIB, 100 * MIB), **_v1("memory/sub", 512 * MIB, 300 * MIB)}
    board = _board(tmp_path, "4:memory:/my box/sub\n", [("/my\\040box", "memory", "cgroup", "memory")], files)
    assert cgroup_room(*board) == 212 * MIB  # unescaped ROOT: the sub folder read, not the root alone


def test_other_v1_mounts_listed_first_are_not_memorys(tmp_path):
    files = {**_v1("cpu/cxr", 64 * MIB, 0), **_v1("mem/cxr", 512 * MIB, 300 * MIB)}
    mounts = [("/", "cpu", "cgroup", "cpu,cpuacct"), ("/", "mem", "cgroup", "memory")]
    assert cgroup_room(*_board(tmp_path, "4:memory:/cxr\n", mounts, files)) == 212 * MIB


@pytest.mark.parametrize("order", [1, -1])
def test_of_two_roots_holding_the_path_the_deepest_is_read(tmp_path, order):
    """Both '/' (at a) and '/docker/abc' (at b) hold /docker/abc/sub; only b's tree has the files."""
    files = {**_v1("b", 1024 * MIB, 100 * MIB), **_v1("b/sub", 512 * MIB, 300 * MIB)}
    mounts = [("/", "a", "cgroup", "memory"), ("/docker/abc", "b", "cgroup", "memory")][::order]
    assert cgroup_room(*_board(tmp_path, "4:memory:/docker/abc/sub\n", mounts, files)) == 212 * MIB


def test_a_path_outside_the_only_root_reads_that_mount_not_the_usual_place(tmp_path):
    files = {**_v1("cg", 1024 * MIB, 100 * MIB), **_v1("memory", MIB, 0)}
    board = _board(tmp_path, "4:memory:/docker/other\n", [("/docker/abc", "cg", "cgroup", "memory")], files)
    assert cgroup_room(*board) == 924 * MIB


def test_dot_dot_never_walks_out_of_the_mount_even_to_a_folder_that_is_there(tmp_path):
    files = {**_v1("memory", 900 * MIB, 100 * MIB), **_v1("x", MIB, 0)}  # mnt/memory/../x is mnt/x: there
    assert cgroup_room(*_board(tmp_path, "4:memory:/../x\n", None, files)) == 800 * MIB


def test_a_memory_stat_value_not_a_number_counts_the_usage_whole(tmp_path):
    files = {"cxr/memory.max": 1024 * MIB, "cxr/memory.current": 300 * MIB, "cxr/memory.stat": "inactive_file lots"}
    assert cgroup_room(*_board(tmp_path, "0::/cxr\n", None, files)) == 724 * MIB
