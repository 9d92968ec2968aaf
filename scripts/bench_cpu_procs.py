"""CPU time of process groups, read from ``/proc``, and py-spy flame graphs of their Python processes.

Every process of production mode runs through ``/bin/sh`` in its own session (process
group), as does the stock bot's ``rasa run``: a group is one service. Its CPU time is the
sum, over the processes of the group alive now, of ``utime + stime`` (every thread) and
``cutime + cstime`` (children that ended and were waited for), from ``/proc/<pid>/stat``.
CPU time, not wall time: the machine is shared, so only what each process itself spent
is comparable from one run to the next.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (field 3 first); None if gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def group_members(group: int) -> list[int]:
    """The live processes whose process group is ``group``."""
    members = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[2]) == group:
                members.append(int(entry.name))
    return members


def group_cpu_seconds(group: int) -> float:
    """CPU seconds spent by the group's processes (children included) since they started."""
    ticks = 0
    for pid in group_members(group):
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / TICKS_PER_SECOND


def cpu_snapshot(groups: Mapping[str, int]) -> dict[str, float]:
    """Every group's CPU seconds now, by name."""
    return {name: group_cpu_seconds(group) for name, group in groups.items()}


def python_of(group: int) -> int | None:
    """The group's Python interpreter (the service itself, not the ``/bin/sh`` that started it)."""
    for pid in sorted(group_members(group)):
        try:
            command = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if b"python" in Path(command.decode(errors="replace")).name.encode():
            return pid
    return None


def py_spy() -> str | None:
    """py-spy from env B (requirements/actions.in), or one on the PATH."""
    local = ROOT / ".venv" / "actions" / "bin" / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def _record(binary: str, pid: int, seconds: float, form: str, out: Path) -> subprocess.Popen[bytes]:
    command = [binary, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100"]
    # --nonblocking: the target is never paused; --gil: only samples holding the GIL (CPU, not waits).
    command += ["--nonblocking", "--gil", "--format", form, "--output", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def flame_graphs(targets: Mapping[str, int], out: Mapping[str, Path], seconds: float) -> Iterator[list[str]]:
    """py-spy records each target pid for ``seconds`` while the block runs load; yields the names
    started. Each SVG goes to ``out[name]``, the same samples as collapsed stacks next to it
    (``.txt``, for ``top_functions``)."""
    binary = py_spy()
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    if binary is not None:
        for name, pid in targets.items():
            running.append((name, _record(binary, pid, seconds, "flamegraph", out[name])))
            running.append((name, _record(binary, pid, seconds, "raw", out[name].with_suffix(".txt"))))
    try:
        yield sorted({name for name, _ in running})
    finally:
        for name, process in running:
            try:
                _, errors = process.communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                process.kill()
                _, errors = process.communicate()
            if process.returncode != 0:
                print(f"py-spy {name}: {errors.decode(errors='replace')[-400:]}", flush=True)


def top_functions(collapsed: Path, count: int = 12) -> list[tuple[str, float]]:
    """The functions where the samples were taken (self time), as shares of all samples."""
    seen: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if samples.isdigit():
            total += int(samples)
            seen[re.sub(r":\d+\)$", ")", stack.split(";")[-1])] += int(samples)
    return [(frame, round(100 * n / total, 1)) for frame, n in seen.most_common(count)] if total else []
