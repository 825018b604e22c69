"""The memory a process's cgroups still leave it: the least room (limit less used) of its cgroup and every one
above it that has a limit, under cgroup v2 (memory.max, or memory.high where lower) and cgroup v1
(memory.limit_in_bytes), both where a host mounts both (systemd's hybrid layout).

cgroup v1 is still what Raspberry Pi OS Bullseye, older kernels and their Docker hosts run: `docker run --memory
512m` there sets memory.limit_in_bytes alone, and the budget came from the host's MemAvailable: gigabytes free in a
container of 512 MiB with 212 left. Used is what the kernel cannot hand back at once: memory.current (v2) or
memory.usage_in_bytes (v1) less the page cache it drops first (inactive_file in memory.stat; v1's
total_inactive_file, its cgroups below included), as the kubelet and `docker stats` count it. A service with
MemoryMax=1G that had read many films showed memory.current near 1G, nearly all of it cache, and decoded its films
one at a time.

Each hierarchy is read where /proc/self/mountinfo says it is mounted, not where a host usually mounts it: memory
mounted with cpu at /sys/fs/cgroup/cpu,memory (libcgroup's /cgroup/memory, a hand-made mount) has no `memory` folder
beside it, and a container without a cgroup namespace mounts its own cgroup (mountinfo's ROOT /docker/ID) where
/proc/self/cgroup names the host's /docker/ID/sub. Without mountinfo, or where it lists no such mount, the usual
places: cgroup_root/memory (v1) and cgroup_root (v2).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

# cgroup v1 writes 'no limit' as the most pages a counter holds times the page size: 9223372036854771712 on a 64-bit
# kernel with 4 KiB pages (a little less with larger pages), 2^43 - 4096 on a 32-bit one (Raspberry Pi OS armhf).
# A limit of 4 TiB or more is read as none (it is far above any board's memory, which bounds the room anyway).
V1_NO_LIMIT = 2**42


def cgroup_room(proc: str = "/proc", cgroup_root: str = "/sys/fs/cgroup") -> int | None:
    """Bytes this process may still take before a cgroup's limit (a container's, systemd's MemoryMax= on its service
    or slice) stops it: the least room over its cgroups, v2 and v1 alike, and those above them. None where none has
    a limit or none can be read (not Linux, no cgroup files): the caller goes by MemAvailable alone."""
    try:
        with open(os.path.join(proc, "self", "cgroup")) as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
    except (OSError, ValueError):  # a folder name not UTF-8: its room unknown, never an error
        return None
    mounts, root, rooms = _cgroup_mounts(proc), Path(cgroup_root), []
    for fields in lines:
        if len(fields) != 3:
            continue
        hierarchy, controllers, path = fields
        if hierarchy == "0" and not controllers:  # '0::/path': the v2 hierarchy
            mount, rel = _where(mounts, "cgroup2", path, root)
            rooms += _rooms(mount, rel, _room_v2)
        elif "memory" in controllers.split(","):  # 'N:memory:/path' (or memory mounted with others): v1's
            mount, rel = _where(mounts, "cgroup", path, root / "memory")
            rooms += _rooms(mount, rel, _room_v1)
    known = [r for r in rooms if r is not None]
    return min(known) if known else None


def _cgroup_mounts(proc: str) -> list[tuple[str, str, str, set[str]]]:
    """(fstype, ROOT, mount point, super options) of each cgroup and cgroup2 mount /proc/self/mountinfo lists; none
    where it cannot be read (the usual places are read then). A line: ID, parent ID, major:minor, ROOT, MOUNT POINT,
    options, optional fields, '-', fstype, source, super options; paths with '\\040' for a space and the like."""
    try:  # surrogateescape: a mount point elsewhere not in UTF-8 is no reason to lose the cgroup mounts
        with open(os.path.join(proc, "self", "mountinfo"), errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    mounts = []
    for line in lines:
        fields = line.split(" ")
        try:
            dash = fields.index("-", 6)
        except ValueError:
            continue
        if len(fields) > dash + 3 and fields[dash + 1] in ("cgroup", "cgroup2"):
            mounts.append((fields[dash + 1], _unescape(fields[3]), _unescape(fields[4]),
                           set(fields[dash + 3].split(","))))
    return mounts


def _unescape(field: str) -> str:
    """A mountinfo path as it is: the kernel writes a space, tab, newline and backslash as '\\' and three octal
    digits."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _where(mounts: list[tuple[str, str, str, set[str]]], fstype: str, path: str, usual: Path) -> tuple[Path, str]:
    """(mount point, the process's path below the mount's ROOT) of the hierarchy: v2's (``fstype`` 'cgroup2') or
    v1's memory ('cgroup' with 'memory' among its super options). Of several mounts of it, one whose ROOT holds the
    path, the deepest ROOT first; else the first (its root read alone, as a path outside it cannot be walked to).
    None listed: ``usual``, the path as /proc/self/cgroup names it."""
    found = [(r, point) for kind, r, point, options in mounts
             if kind == fstype and (kind == "cgroup2" or "memory" in options)]
    if not found:
        return usual, path
    parts = _parts(path.strip())
    holding = [(r, point) for r, point in found if _below(parts, r) is not None]
    if not holding:
        return Path(found[0][1]), ""  # not under the mount: its root alone
    r, point = max(holding, key=lambda rp: len(_parts(rp[0])))
    return Path(point), "/".join(_below(parts, r) or [])


def _parts(path: str) -> list[str]:
    """A cgroup path's folder names ('/a/./b/' -> ['a', 'b'])."""
    return [p for p in path.split("/") if p and p != "."]


def _below(parts: list[str], root: str) -> list[str] | None:
    """``parts`` less a mount's ROOT, where they lie under it (None where not: '..' in either never does)."""
    top = _parts(root)
    if ".." in parts or ".." in top or parts[:len(top)] != top:
        return None
    return parts[len(top):]


def _rooms(mount: Path, path: str, room: Callable[[Path], int | None]) -> list[int | None]:
    """The room of the process's cgroup folder (``path`` below ``mount``) and of each folder above it, up to the
    mount's root. Where the folder is not under the mount, the root's room alone: a cgroup namespace shows the
    cgroup above its root ('..'), and without mountinfo a container without one names the host's folder
    (/docker/ID) where its mount's root is its own cgroup; '..' would also walk out of the mount."""
    parts = _parts(path.strip())
    if ".." in parts or not mount.joinpath(*parts).is_dir():
        parts = []
    return [room(mount.joinpath(*parts[:depth])) for depth in range(len(parts), -1, -1)]


def _room_v2(folder: Path) -> int | None:
    """The lesser of memory.max and memory.high, less what is used in one v2 cgroup's folder; None where it has
    neither ('max') or none is read. Above memory.high the kernel does not kill but throttles and reclaims hard
    (systemd's MemoryHigh=, Kubernetes' memory QoS): films decoded past it crawl, so it bounds the room as well."""
    limits = [_v2_limit(folder / name) for name in ("memory.max", "memory.high")]
    known = [limit for limit in limits if limit is not None]
    if not known:
        return None
    try:
        return _left(min(known), folder / "memory.current", folder / "memory.stat", "inactive_file")
    except (OSError, ValueError):
        return None


def _v2_limit(path: Path) -> int | None:
    """A v2 limit file's bytes; None where it says 'max' (none), is missing (an older kernel has no memory.high) or
    cannot be read."""
    try:
        limit = path.read_text().strip()
        return None if limit == "max" else int(limit)
    except (OSError, ValueError):
        return None


def _room_v1(folder: Path) -> int | None:
    """memory.limit_in_bytes less what is used in one v1 cgroup's folder; None where it has no limit or none is
    read."""
    try:
        limit = int((folder / "memory.limit_in_bytes").read_text().strip())
        if limit >= V1_NO_LIMIT:
            return None
        return _left(limit, folder / "memory.usage_in_bytes", folder / "memory.stat", "total_inactive_file")
    except (OSError, ValueError):
        return None


def _left(limit: int, usage: Path, stat: Path, cache_key: str) -> int:
    """The limit less the usage the kernel cannot drop at once (the usage less its inactive page cache); never
    below 0, however far over its limit a cgroup is."""
    used = max(0, int(usage.read_text().strip()) - _stat_value(stat, cache_key))
    return max(0, limit - used)


def _stat_value(stat: Path, key: str) -> int:
    """A value of memory.stat ('inactive_file 123'); 0 where the file or the key is missing (the usage counted
    whole, as before)."""
    try:
        for line in stat.read_text().splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[0] == key:
                return int(fields[1])
    except (OSError, ValueError):
        pass
    return 0
