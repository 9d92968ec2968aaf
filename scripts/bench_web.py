"""Load on the web tier: 100 simultaneous connections, as an attacker tried on the old server.

The old standard-library server had a listen backlog of 5: 100 simultaneous
connections gave a 27 s p95 and 16 failures (issue #9). This script starts the web
tier alone through the launcher (``./sesame run web``, as ``make run`` does), then
opens ``CONNECTIONS`` connections at once, each asking for the demo page and then
posting one refused ``/chat`` message (no Rasa behind: a French 503, which is the
web tier's own work), and reports failures and latencies. Run with ``make bench``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.background import free_port, in_background

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 100
ROUNDS = 3


async def _one(base: str, index: int) -> float | None:
    """Seconds for page + chat on a fresh connection, or None on any failure."""
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
            page = await client.get(f"{base}/")
            chat = await client.post(
                f"{base}/chat",
                json={"sender": f"charge-{index:04d}-aaaaaaaaaaaa", "message": "bonjour"},
                headers={"Origin": base},
            )
    except httpx.HTTPError:
        return None
    if page.status_code != 200 or chat.status_code != 503:
        return None
    return time.perf_counter() - started


async def _burst(base: str) -> list[float | None]:
    return list(await asyncio.gather(*(_one(base, i) for i in range(CONNECTIONS))))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sesame-bench-web-") as tmp:
        workdir = Path(tmp)
        web_port = free_port()
        env = {
            "DATABASE_URL": f"sqlite:///{workdir / 'sesame.db'}",
            "WEB_PORT": str(web_port),
            "RASA_PORT": str(free_port()),  # nothing listens there: /chat answers 503
        }
        with in_background(workdir / "run", env, ["web"], ROOT / "models" / "sesame.tar.gz"):
            base = f"http://127.0.0.1:{web_port}"
            results: list[float | None] = []
            for _ in range(ROUNDS):
                results += asyncio.run(_burst(base))
    times = sorted(t for t in results if t is not None)
    failures = len(results) - len(times)
    p95 = times[int(len(times) * 0.95) - 1] if times else float("nan")
    report = {
        "connections_at_once": CONNECTIONS,
        "rounds": ROUNDS,
        "failures": failures,
        "median_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(p95 * 1000, 1),
    }
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench-web.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"Pages web, {CONNECTIONS} connexions simultanées × {ROUNDS} : {failures} échec(s), "
        f"médiane {report['median_ms']} ms, p95 {report['p95_ms']} ms"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
