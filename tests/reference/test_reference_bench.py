"""``python -m bench.runtime`` works end to end, at its smallest (no timing is asserted)."""

from __future__ import annotations

import argparse
import asyncio
import math

import pytest

from bench import runtime  # not installed: found through sys.path (conftest.py)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def test_isolation_measures_every_case_and_reports_them() -> None:
    results = {"isolation": asyncio.run(runtime.bench_isolation(6, 3, 0.05, 1))}
    assert set(results["isolation"]) == {"manager/none", "manager/slow", "awaiting/none", "awaiting/slow"}
    assert all(value > 0 for value in results["isolation"].values())
    args = argparse.Namespace(broadcasts=3, isolation_clients=6, slow_delay=0.05, repeat=1)
    table = runtime.report(results, args)
    assert "`ConnectionManager` (queue per client)" in table and "<= 2x:" in table


def test_latency_goes_through_both_backplanes_of_two_workers() -> None:
    pytest.importorskip("broadcaster", reason="the peer is in the bench extra")
    results = asyncio.run(runtime.bench_latencies(["2:2"], rounds=1, per_round=3))
    rows = results["2:2"]
    assert set(rows) == {"wslint RedisBackplane", "encode/broadcaster"}
    for row in rows.values():
        assert row["receipts"] == 2 * 2 * 3  # every client of both workers got every message
        assert not math.isnan(row["other worker p50"])
