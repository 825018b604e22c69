"""The room a process's cgroups leave it (edge.cgroup_room), as edge.decode_budget.free_memory reads it: cgroup v1's
limit was ignored (a container of 512 MiB on a v1 host was paced by the host's gigabytes free), and page cache the
kernel drops first was counted as used (a MemoryMax=1G service that had read many films decoded one at a time).
Read from /proc and /sys/fs/cgroup trees written to tmp_path as the kernel writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

MIB = 2**20
MEMINFO_KB = 7000000  # the host's MemAvailable: 6835 MiB


def _board(tmp_path: Path, cgroup: str, files: dict[str, object]) -> tuple[str, str]:
    """(proc, cgroup root) of a host whose /proc/self/cgroup is ``cgroup`` and whose cgroup files (relative to
    /sys/fs/cgroup: 'memory/docker/abc/memory.limit_in_bytes' for v1) hold ``files``' values."""
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 8000000 kB\nMemAvailable: {MEMINFO_KB} kB\n")
    (proc / "self" / "cgroup").write_text(cgroup)
    root.mkdir()
    for name, value in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{value}\n")
    return str(proc), str(root)


def _v1(folder: str, limit: int, usage: int, stat: str = "") -> dict[str, object]:
    base = f"memory/{folder}/".replace("//", "/")
    return {base + "memory.limit_in_bytes": limit, base + "memory.usage_in_bytes": usage, base + "memory.stat": stat}


def _free_mib(board: tuple[str, str]) -> float:
    from edge.decode_budget import free_memory

    return free_memory(*board) / MIB


@pytest.mark.parametrize("cgroup, folder", [
    ("4:memory:/docker/abc\n0::/\n", "docker/abc"),  # docker --memory 512m on a v1 host, seen from the host
    ("4:memory:/docker/abc\n0::/\n", ""),  # inside that container: no cgroup namespace, its own cgroup the mount's root
    ("12:cpu,memory:/cxr\n", "cxr"),  # memory mounted with another controller
    ("9:memory:/system.slice/cxr.service\n1:name=systemd:/system.slice/cxr.service\n0::/system.slice/cxr.service\n",
     "system.slice/cxr.service"),  # systemd's hybrid layout, MemoryLimit= on the service
])
def test_a_cgroup_v1_limit_is_what_is_free(tmp_path, cgroup, folder):
    board = _board(tmp_path, cgroup, {**_v1("", 2**63 - 4096, 5000 * MIB), **_v1(folder, 512 * MIB, 300 * MIB)})
    assert _free_mib(board) == 212  # was the host's 6835


@pytest.mark.parametrize("no_limit", [
    9223372036854771712,  # 64-bit kernel, 4 KiB pages
    9223372036854710272,  # 64-bit kernel, 64 KiB pages
    8796093018112,  # 32-bit kernel (Raspberry Pi OS armhf): 2^31 - 1 pages
])
def test_a_cgroup_v1_without_a_limit_leaves_memavailable(tmp_path, no_limit):
    board = _board(tmp_path, "4:memory:/user.slice\n", {**_v1("", no_limit, 5000 * MIB), **_v1("user.slice", no_limit, 10)})
    assert _free_mib(board) == MEMINFO_KB / 1024


def test_a_cgroup_v1_limit_above_the_processs_own_binds_it_too(tmp_path):
    files = {**_v1("system.slice", 1024 * MIB, 300 * MIB), **_v1("system.slice/cxr.service", 2**63 - 4096, 100 * MIB)}
    assert _free_mib(_board(tmp_path, "4:memory:/system.slice/cxr.service\n", files)) == 724


@pytest.mark.parametrize("v1_mib, v2_mib, expected_mib", [
    ((512, 300), (1024, 100), 212),  # v1's room the smaller
    ((1024, 100), (512, 300), 212),  # v2's
])
def test_a_host_with_both_hierarchies_takes_the_smaller_room(tmp_path, v1_mib, v2_mib, expected_mib):
    files = {**_v1("cxr", v1_mib[0] * MIB, v1_mib[1] * MIB),
             "cxr/memory.max": v2_mib[0] * MIB, "cxr/memory.current": v2_mib[1] * MIB}
    assert _free_mib(_board(tmp_path, "4:memory:/cxr\n0::/cxr\n", files)) == expected_mib


def test_page_cache_the_kernel_drops_first_is_not_counted_as_used_v2(tmp_path):
    """MemoryMax=1G on a service whose memory.current is 1000 MiB, 700 of it inactive file cache: 724 MiB free."""
    stat = f"anon {280 * MIB}\nfile {720 * MIB}\nactive_file {20 * MIB}\ninactive_file {700 * MIB}\n"
    files = {"system.slice/cxr.service/memory.max": 1024 * MIB, "system.slice/cxr.service/memory.current": 1000 * MIB,
             "system.slice/cxr.service/memory.stat": stat}
    assert _free_mib(_board(tmp_path, "0::/system.slice/cxr.service\n", files)) == 724  # was 24


def test_page_cache_is_not_counted_as_used_v1_with_the_cgroups_below_included(tmp_path):
    """v1's inactive_file is the cgroup's own pages alone; total_inactive_file counts those below it too."""
    stat = f"cache {720 * MIB}\ninactive_file {10 * MIB}\ntotal_cache {720 * MIB}\ntotal_inactive_file {700 * MIB}\n"
    board = _board(tmp_path, "4:memory:/docker/abc\n", _v1("docker/abc", 1024 * MIB, 1000 * MIB, stat))
    assert _free_mib(board) == 724


def test_a_stat_claiming_more_cache_than_is_used_leaves_the_whole_limit(tmp_path):
    files = {"cxr/memory.max": 1024 * MIB, "cxr/memory.current": 100 * MIB, "cxr/memory.stat": f"inactive_file {MIB * 200}"}
    assert _free_mib(_board(tmp_path, "0::/cxr\n", files)) == 1024


def test_a_v1_path_climbing_out_of_the_mount_reads_its_root_alone(tmp_path):
    files = {**_v1("", 900 * MIB, 100 * MIB), "memory.limit_in_bytes": MIB, "memory.usage_in_bytes": 0}
    assert _free_mib(_board(tmp_path, "4:memory:/../x\n", files)) == 800  # files above v1's mount: never read
