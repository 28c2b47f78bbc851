"""Where the dashboard's data comes from (stand-ins for database and metrics queries)."""

from __future__ import annotations

import random


def get_worker_status() -> dict:
    return {"workers": 4, "busy": random.randint(0, 4)}


def get_queue_state() -> dict:
    return {"pending": random.randint(0, 20)}


def get_system_metrics() -> dict:
    return {"cpu": random.random(), "alerts": []}


def get_workflow_runs() -> list:
    return [{"id": 1, "state": random.choice(["running", "done"])}]
