"""Draw reports/bench.png from reports/bench.json: p95 and messages per second vs users.

Runs in env A (``.venv/rasa/bin/python``), the environment with matplotlib;
``scripts/bench_prod.py`` calls it. Usage: ``plot_bench.py BENCH_JSON OUT_PNG``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def series(run: dict[str, Any], key: str) -> tuple[list[int], list[float]]:
    levels = [level for level in run.get("levels", []) if level.get("messages")]
    return [level["users"] for level in levels], [float(level[key]) for level in levels]


def main(source: Path, target: Path) -> int:
    results = json.loads(source.read_text(encoding="utf-8"))
    runs = [
        ("Sésame ×2 (production)", results["production"].get("2", {}), "tab:blue", "o"),
        ("Sésame ×1 (production)", results["production"].get("1", {}), "tab:green", "s"),
        ("rasa init (stock)", results["stock"], "tab:gray", "^"),
    ]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, run, colour, marker in runs:
        users, p95 = series(run, "p95_ms")
        latency.plot(users, p95, marker=marker, color=colour, label=name)
        users, rate = series(run, "messages_per_second")
        throughput.plot(users, rate, marker=marker, color=colour, label=name)
    latency.set(title="Per-message latency, p95", xlabel="simultaneous members", ylabel="ms", xscale="log")
    throughput.set(
        title="Throughput", xlabel="simultaneous members", ylabel="answered messages / s", xscale="log"
    )
    for axes in (latency, throughput):
        axes.set_xticks([1, 10, 50], labels=["1", "10", "50"])
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    load = " / ".join(str(x) for x in results["machine"]["load_average"])
    figure.suptitle(
        f"make bench, {results['date']} — {results['machine']['cores']} cores, load before {load}",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    print(f"plot: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
