"""Background broadcasters for the dashboard. Each one carries one checklist mistake."""

from __future__ import annotations

import asyncio
import logging

from .data import get_queue_state, get_system_metrics, get_workflow_runs, get_worker_status

logger = logging.getLogger(__name__)

METRICS_INTERVAL = 0.1  # seconds


class BackgroundTasks:
    def __init__(self, websocket_manager, status_interval: float = 10.0) -> None:
        self.websocket_manager = websocket_manager
        self.status_interval = status_interval
        self.last_queue_state = None
        self.last_workflow_state = None
        self._tasks: list[asyncio.Task] = []

    # Mistake 1: the state is fetched but never broadcast.
    async def _broadcast_worker_status(self):
        while True:
            try:
                status = get_worker_status()
                logger.debug("worker status: %s", status)
            except Exception:
                logger.exception("worker status failed")
            await asyncio.sleep(self.status_interval)

    # Mistake 2: no try/except inside the loop: the first error ends it.
    async def _broadcast_queue_updates(self):
        while True:
            current_state = get_queue_state()
            if current_state != self.last_queue_state:
                await self.websocket_manager.broadcast({"type": "queue_update", "data": current_state})
                self.last_queue_state = current_state
            await asyncio.sleep(5)

    # Mistake 3: polls every 100 ms.
    async def _broadcast_metrics(self):
        while True:
            try:
                metrics = get_system_metrics()
                if metrics != self.last_metrics:
                    await self.websocket_manager.broadcast({"type": "metrics_update", "data": metrics})
                    self.last_metrics = metrics
            except Exception:
                logger.exception("metrics broadcast failed")
            await asyncio.sleep(METRICS_INTERVAL)

    # Mistake 4: broadcasts every tick, changed or not.
    async def _broadcast_workflows(self):
        while True:
            try:
                runs = get_workflow_runs()
                await self.websocket_manager.broadcast({"type": "workflows_update", "data": runs})
            except Exception:
                logger.exception("workflow broadcast failed")
            await asyncio.sleep(5)

    # Mistake 5: a working broadcaster that start() never starts.
    async def _broadcast_alerts(self):
        while True:
            try:
                alerts = get_system_metrics().get("alerts")
                if alerts != self.last_alerts:
                    await self.websocket_manager.broadcast({"type": "alerts_update", "data": alerts})
                    self.last_alerts = alerts
            except Exception:
                logger.exception("alerts broadcast failed")
            await asyncio.sleep(10)

    async def start(self) -> None:
        self.last_metrics = None
        self.last_alerts = None
        for broadcaster in (
            self._broadcast_worker_status,
            self._broadcast_queue_updates,
            self._broadcast_metrics,
            self._broadcast_workflows,
        ):
            self._tasks.append(asyncio.create_task(broadcaster()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
