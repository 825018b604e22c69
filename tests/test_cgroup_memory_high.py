"""cgroup v2's memory.high bounds the decode budget as memory.max does: above it the kernel throttles the cgroup and
reclaims hard rather than killing it (systemd's MemoryHigh=, Kubernetes' memory QoS), so films decoded past it
crawl. A service with MemoryHigh=512M and no MemoryMax= was paced by the host's MemAvailable (6,835 MiB here)."""

from __future__ import annotations

from pathlib import Path

import pytest

MIB = 2**20
MEMINFO_KB = 7000000  # the host's MemAvailable: 6835 MiB


def _board(tmp_path: Path, files: dict[str, object]) -> tuple[str, str]:
    """(proc, cgroup root) of a cgroup v2 host whose process runs in /system.slice/cxr.service."""
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 8000000 kB\nMemAvailable: {MEMINFO_KB} kB\n")
    (proc / "self" / "cgroup").write_text("0::/system.slice/cxr.service\n")
    for name, value in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{value}\n")
    return str(proc), str(root)


def _free_mib(board: tuple[str, str]) -> float:
    from edge.decode_budget import free_memory

    return free_memory(*board) / MIB


SERVICE = "system.slice/cxr.service/"


@pytest.mark.parametrize("high, limit, expected", [
    (512 * MIB, "max", 212),  # MemoryHigh=512M alone: was the host's 6835
    (512 * MIB, 1024 * MIB, 212),  # the lower of the two
    (2048 * MIB, 1024 * MIB, 724),  # memory.max lower: unchanged
    ("max", 1024 * MIB, 724),  # no memory.high: unchanged
])
def test_memory_high_bounds_the_room_where_lower(tmp_path, high, limit, expected):
    board = _board(tmp_path, {SERVICE + "memory.high": high, SERVICE + "memory.max": limit,
                              SERVICE + "memory.current": 300 * MIB, SERVICE + "memory.stat": "inactive_file 0"})
    assert _free_mib(board) == expected


def test_memory_high_of_a_slice_above_bounds_the_service(tmp_path):
    board = _board(tmp_path, {"system.slice/memory.high": 1024 * MIB, "system.slice/memory.max": "max",
                              "system.slice/memory.current": 1000 * MIB, SERVICE + "memory.max": "max",
                              SERVICE + "memory.high": "max", SERVICE + "memory.current": 10 * MIB})
    assert _free_mib(board) == 24


def test_a_kernel_without_memory_high_reads_memory_max_alone(tmp_path):
    board = _board(tmp_path, {SERVICE + "memory.max": 1024 * MIB, SERVICE + "memory.current": 300 * MIB})
    assert _free_mib(board) == 724


def test_an_unreadable_memory_high_leaves_memory_max(tmp_path):
    board = _board(tmp_path, {SERVICE + "memory.max": 1024 * MIB, SERVICE + "memory.high": "garbage",
                              SERVICE + "memory.current": 300 * MIB})
    assert _free_mib(board) == 724


def test_without_either_limit_the_host_memavailable_paces(tmp_path):
    board = _board(tmp_path, {SERVICE + "memory.max": "max", SERVICE + "memory.high": "max",
                              SERVICE + "memory.current": 300 * MIB})
    assert _free_mib(board) == MEMINFO_KB / 1024
