"""A visitor's page time while an anonymous websocket client sends Streamlit's
``clear_cache`` message before each of the visitor's reruns (the attack of issue 22), against
the same reruns without the message. With ``streamlit_compat.refuse_client_cache_clearing``
both stay at the cached time; without it, every rerun after the message recomputes
everything (the attack measured 0.7 s -> 7.5 s median on 330k reports).

Builds a synthetic demo store of ``--rows`` reports, serves the dashboard on a free loopback
port and talks to it over the websocket, as a browser would. Run by hand:
`.venv/bin/python bench/bench_clear_cache.py [--rows 20000] [--runs 7]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from demo import build_demo
from reports.storage.store import Store
from tests.helpers import dashboard_server, shipped_geography

QUERY = "zeit=365"


async def rerun(ws) -> float:
    """Seconds from the rerun request to the end of the page run."""
    msg = BackMsg()
    msg.rerun_script.query_string = QUERY
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        answer = ForwardMsg()
        answer.ParseFromString(await ws.recv())
        if answer.WhichOneof("type") == "script_finished":
            return time.perf_counter() - started


async def clear_cache(uri: str) -> None:
    """An anonymous session that only sends ``clear_cache`` and waits until it is handled."""
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None) as ws:
        await ws.send(BackMsg(clear_cache=True).SerializeToString())
        await ws.send(BackMsg(app_heartbeat=True).SerializeToString())
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await ws.recv())
            if answer.WhichOneof("type") == "heartbeat_ack":
                return


async def measure(base: str, runs: int) -> dict[str, list[float]]:
    uri = base.replace("http://", "ws://") + "/_stcore/stream"
    times: dict[str, list[float]] = {"ohne Nachricht": [], "nach clear_cache": []}
    async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None) as victim:
        await rerun(victim)  # first run fills the caches
        for _ in range(runs):
            times["ohne Nachricht"].append(await rerun(victim))
            await clear_cache(uri)
            times["nach clear_cache"].append(await rerun(victim))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-clear-cache-"))
    url = f"sqlite:///{work / 'demo.sqlite'}"
    store = Store.open(url)
    build_demo(store, shipped_geography(), rows=args.rows, workdir=work / "demo")
    reports = store.count_reports()
    store.close()
    with dashboard_server(url, log_dir=work) as base:
        times = asyncio.run(measure(base, args.runs))
    print(f"{reports:,} reports, Überblick ?{QUERY}, {args.runs} reruns each (s)")
    print(f"{'case':<18} {'median':>7} {'min':>6} {'max':>6}")
    for case, values in times.items():
        print(f"{case:<18} {statistics.median(values):7.2f} {min(values):6.2f} "
              f"{max(values):6.2f}")


if __name__ == "__main__":
    main()
