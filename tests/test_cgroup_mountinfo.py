"""Where edge.cgroup_room finds a cgroup hierarchy: where /proc/self/mountinfo says it is mounted. Read only at
/sys/fs/cgroup/memory before, a v1 memory controller mounted with cpu (/sys/fs/cgroup/cpu,memory, no `memory`
link beside it) gave no limit at all, and a container without a cgroup namespace (its mount's ROOT /docker/ID,
/proc/self/cgroup naming /docker/ID/sub) was read at its mount's root alone. Trees written to tmp_path, with a
mountinfo whose mount points are those tmp paths."""

from __future__ import annotations

from pathlib import Path

from edge.cgroup_room import cgroup_room

MIB = 2**20
NO_LIMIT = 9223372036854771712
HOST_LINES = ("22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n"
              "31 22 0:28 / /sys/fs/cgroup rw,relatime shared:9 - tmpfs tmpfs rw,mode=755\n")


def _board(tmp_path: Path, cgroup: str, mounts: list[tuple[str, str, str, str]] | None,
           files: dict[str, object]) -> tuple[str, str]:
    """(proc, cgroup root): /proc/self/cgroup is ``cgroup``; mountinfo lists ``mounts`` (ROOT, mount point below
    tmp_path/mnt, fstype, super options) after a host's / and /sys/fs/cgroup (none: no mountinfo); ``files``' paths
    are below tmp_path/mnt, the cgroup root read without mountinfo (v1's memory at mnt/memory)."""
    proc, mnt = tmp_path / "proc", tmp_path / "mnt"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text(cgroup)
    if mounts is not None:
        lines = [f"{40 + i} 31 0:{50 + i} {root} {mnt / point} rw,nosuid,nodev,noexec,relatime shared:{i} - {fstype}"
                 f" {fstype} rw,{options}\n" for i, (root, point, fstype, options) in
                 enumerate(mounts)]
        (proc / "self" / "mountinfo").write_text(HOST_LINES + "".join(lines))
    mnt.mkdir()
    for name, value in files.items():
        (mnt / name).parent.mkdir(parents=True, exist_ok=True)
        (mnt / name).write_text(f"{value}\n")
    return str(proc), str(mnt)


def _v1(folder: str, limit: int, usage: int) -> dict[str, object]:
    return {f"{folder}/memory.limit_in_bytes": limit, f"{folder}/memory.usage_in_bytes": usage}


def test_memory_mounted_with_cpu_and_no_memory_link_is_found(tmp_path):
    files = {**_v1("cpu,memory", NO_LIMIT, 5000 * MIB), **_v1("cpu,memory/cxr", 512 * MIB, 300 * MIB)}
    board = _board(tmp_path, "4:cpu,memory:/cxr\n", [("/", "cpu,memory", "cgroup", "cpu,memory")], files)
    assert cgroup_room(*board) == 212 * MIB  # was None: the host's MemAvailable


def test_a_container_without_a_cgroup_namespace_reads_its_own_folder_below_its_mounts_root(tmp_path):
    """The mount shows /docker/abc (mountinfo's ROOT); the process is in /docker/abc/sub, limited to 512 MiB there,
    the container to 1 GiB."""
    files = {**_v1("memory", 1024 * MIB, 100 * MIB), **_v1("memory/sub", 512 * MIB, 300 * MIB)}
    board = _board(tmp_path, "4:memory:/docker/abc/sub\n0::/\n", [("/docker/abc", "memory", "cgroup", "memory")],
                   files)
    assert cgroup_room(*board) == 212 * MIB  # was 924: the mount's root alone


def test_cgroup_v2_is_read_where_it_is_mounted_below_its_root(tmp_path):
    files = {"cg2/memory.max": 1024 * MIB, "cg2/memory.current": 100 * MIB,
             "cg2/sub/memory.max": 512 * MIB, "cg2/sub/memory.current": 300 * MIB}
    board = _board(tmp_path, "0::/system.slice/docker-abc.scope/sub\n",
                   [("/system.slice/docker-abc.scope", "cg2", "cgroup2", "nsdelegate")], files)
    assert cgroup_room(*board) == 212 * MIB


def test_a_mount_point_with_a_space_and_other_mounts_of_the_hierarchy(tmp_path):
    """The kernel writes a space as '\\040'; of two mounts of the memory hierarchy, the one whose ROOT holds the
    process's path is read (the other, elsewhere, holds nothing)."""
    files = {**_v1("my cgroups/memory", NO_LIMIT, 0), **_v1("my cgroups/memory/cxr", 512 * MIB, 300 * MIB)}
    mounts = [("/other", "elsewhere", "cgroup", "memory"), ("/", "my\\040cgroups/memory", "cgroup", "memory,cpu"),
              ("/", "pids", "cgroup", "pids")]
    assert cgroup_room(*_board(tmp_path, "4:memory:/cxr\n", mounts, files)) == 212 * MIB


def test_a_path_outside_the_mounts_root_reads_that_root_alone(tmp_path):
    files = {**_v1("memory", 1024 * MIB, 100 * MIB), **_v1("memory/x", MIB, 0)}
    board = _board(tmp_path, "4:memory:/docker/other/x\n", [("/docker/abc", "memory", "cgroup", "memory")], files)
    assert cgroup_room(*board) == 924 * MIB


def test_without_mountinfo_or_a_cgroup_mount_in_it_the_usual_places_are_read(tmp_path):
    files = {**_v1("memory/cxr", 512 * MIB, 300 * MIB), "cxr/memory.max": 1024 * MIB, "cxr/memory.current": 0}
    assert cgroup_room(*_board(tmp_path / "none", "4:memory:/cxr\n0::/cxr\n", None, files)) == 212 * MIB
    assert cgroup_room(*_board(tmp_path / "empty", "4:memory:/cxr\n0::/cxr\n", [], files)) == 212 * MIB
    v2_only = _board(tmp_path / "v2", "0::/cxr\n", [("/", "pids", "cgroup", "pids")], files)
    assert cgroup_room(*v2_only) == 1024 * MIB


def test_a_mount_point_not_in_utf8_elsewhere_loses_nothing(tmp_path):
    files = {**_v1("memory", NO_LIMIT, 0), **_v1("memory/cxr", 512 * MIB, 300 * MIB)}
    proc, root = _board(tmp_path, "4:memory:/cxr\n", [("/", "memory", "cgroup", "memory")], files)
    mountinfo = Path(proc, "self", "mountinfo")
    mountinfo.write_bytes(b"23 22 8:1 / /media/caf\xe9 rw - vfat /dev/sda1 rw\n" + mountinfo.read_bytes())
    assert cgroup_room(proc, root) == 212 * MIB
