"""Background broadcasters: orders are polled and broadcast; stock is polled but only logged."""

import asyncio
import logging

from shop.hub import hub

logger = logging.getLogger(__name__)


def read_orders() -> list:
    return []


def read_stock() -> dict:
    return {}


class Tasks:
    def __init__(self) -> None:
        self.last_orders = None
        self._tasks: set[asyncio.Task] = set()

    async def _broadcast_orders(self) -> None:
        while True:
            try:
                orders = read_orders()
                if orders != self.last_orders:
                    await hub.broadcast({"type": "orders_update", "orders": orders})
                    self.last_orders = orders
                    logger.debug("orders broadcast")
            except Exception:
                logger.exception("orders poll failed")
            await asyncio.sleep(10)

    async def _broadcast_stock(self) -> None:
        while True:
            logger.info("stock: %s", read_stock())
            await hub.broadcast({"type": "stock_level", "stock": read_stock()})
            await asyncio.sleep(2)

    def start(self) -> None:
        for job in (self._broadcast_orders(), self._broadcast_stock()):
            task = asyncio.create_task(job)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


tasks = Tasks()
