"""What edge.decode_budget reads as the memory free: MemAvailable, less where the process's cgroup allows less.
Read from the files a board (or a container) has, written to tmp_path as the kernel writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

MIB = 2**20
MEMINFO = "MemTotal:        3884096 kB\nMemFree:          512000 kB\nMemAvailable:    3584000 kB\nBuffers:   1 kB\n"


def _board(tmp_path: Path, meminfo: str | None = MEMINFO, cgroup_line: str | None = "0::/system.slice/cxr.service",
           limit: str | None = None, current: int = 0) -> tuple[str, str]:
    """(proc, cgroup root) of a board: /proc/meminfo, /proc/self/cgroup and the cgroup's memory files."""
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    if meminfo is not None:
        (proc / "meminfo").write_text(meminfo)
    if cgroup_line is not None:
        (proc / "self" / "cgroup").write_text(cgroup_line + "\n")
        folder = root / cgroup_line.split(":", 2)[2].lstrip("/")
        folder.mkdir(parents=True)
        if limit is not None:
            (folder / "memory.max").write_text(limit + "\n")
            (folder / "memory.current").write_text(f"{current}\n")
    return str(proc), str(root)


def test_memavailable_is_the_free_memory_in_bytes_not_memfree(tmp_path):
    from edge.decode_budget import free_memory

    assert free_memory(*_board(tmp_path, limit="max")) == 3584000 * 1024


@pytest.mark.parametrize("limit_mib, current_mib, expected_mib", [
    (1024, 256, 768),     # a container of 1 GiB, 256 MiB of it taken: 768 MiB, not the board's 3.4 GiB
    (8192, 0, 3500),      # a limit above what the board has free: the board's free memory
    (512, 600, 0),        # over its limit already: nothing
])
def test_a_cgroup_limit_below_the_free_memory_is_what_is_free(tmp_path, limit_mib, current_mib, expected_mib):
    from edge.decode_budget import free_memory

    board = _board(tmp_path, limit=str(limit_mib * MIB), current=current_mib * MIB)
    assert free_memory(*board) == expected_mib * MIB


def test_a_cgroup_without_a_limit_leaves_memavailable(tmp_path):
    """(cgroup v1's limits: tests/test_cgroup_room.py)"""
    from edge.decode_budget import free_memory

    assert free_memory(*_board(tmp_path / "v2", limit="max", current=10**12)) == 3500 * MIB
    # a v1 line's folder holding v2's files (no v1 mount): nothing read as a limit
    assert free_memory(*_board(tmp_path / "v1", cgroup_line="1:memory:/user.slice", limit=str(MIB))) == 3500 * MIB


def test_a_container_without_meminfo_is_paced_by_its_cgroup_and_nothing_read_is_none(tmp_path):
    from edge.decode_budget import free_memory

    assert free_memory(*_board(tmp_path / "c", meminfo=None, cgroup_line="0::/", limit=str(900 * MIB),
                               current=100 * MIB)) == 800 * MIB
    assert free_memory(*_board(tmp_path / "n", meminfo=None, cgroup_line=None)) is None


def test_films_decoding_together_take_an_eighth_of_the_free_memory(monkeypatch):
    import edge.decode_budget

    monkeypatch.setattr(edge.decode_budget, "free_memory", lambda: 3500 * MIB)
    assert edge.decode_budget.decode_budget() == 3500 * MIB // 8
    monkeypatch.setattr(edge.decode_budget, "free_memory", lambda: None)
    assert edge.decode_budget.decode_budget() is None


def test_this_machines_free_memory_is_read():
    from edge.decode_budget import free_memory

    if not Path("/proc/meminfo").exists():
        pytest.skip("no /proc (not Linux)")
    free = free_memory()
    assert free is not None and 0 < free <= 1024 * 2**40


def _limit(folder: Path, limit: str, current_mib: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memory.max").write_text(limit + "\n")
    (folder / "memory.current").write_text(f"{current_mib * MIB}\n")


@pytest.mark.parametrize("own, slice_, expected_mib", [
    ("max", (1024, 300), 724),            # systemd's MemoryMax=1G on the slice, none on the service: the slice's room
    (str(2048 * MIB), (1024, 300), 724),  # the service allows more than its slice holds: the slice's
    (str(512 * MIB), (1024, 300), 412),   # the service's own room is the smaller: its own
    (str(512 * MIB), (1024, 1100), 0),    # the slice is over its limit: nothing, whatever the service allows
])
def test_a_limit_on_a_cgroup_above_the_processs_own_binds_it_too(tmp_path, own, slice_, expected_mib):
    from edge.decode_budget import free_memory

    proc, root = _board(tmp_path, limit=own, current=100 * MIB)
    _limit(Path(root) / "system.slice", str(slice_[0] * MIB), slice_[1])
    assert free_memory(proc, root) == expected_mib * MIB


def test_a_containers_limit_two_levels_up_is_found_and_a_root_without_memory_files_is_passed(tmp_path):
    """A container's process in /kubepods/pod1/ctr: the pod's limit holds it, its own cgroup and the top have none."""
    from edge.decode_budget import free_memory

    proc, root = _board(tmp_path, cgroup_line="0::/kubepods/pod1/ctr", limit="max")
    _limit(Path(root) / "kubepods" / "pod1", str(900 * MIB), 250)
    _limit(Path(root) / "kubepods", "max", 5000)
    assert free_memory(proc, root) == 650 * MIB
