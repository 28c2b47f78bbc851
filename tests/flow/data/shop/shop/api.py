"""The shop's WebSocket routes, on a router mounted under /api."""

import asyncio
import os
import time

from fastapi import APIRouter, WebSocket

from shop.hub import hub
from shop.tasks import read_orders, read_stock

router = APIRouter(prefix="/ws")


@router.websocket("/orders")
async def orders_socket(websocket: WebSocket) -> None:
    await hub.connect(websocket)
    await websocket.send_json({"type": "orders_update", "orders": read_orders()})
    while True:
        await websocket.receive_text()


@router.websocket("/stock/{store_id}")
async def stock_socket(websocket: WebSocket, store_id: str) -> None:
    await hub.connect(websocket)
    await websocket.send_json({"type": "stock_update", "stock": read_stock()})
    while True:
        try:
            await asyncio.wait_for(websocket.receive_text(), timeout=1.0)
        except asyncio.TimeoutError:
            await websocket.send_json({"type": "ping"})


@router.websocket("/clock")
async def clock_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"type": "clock_update", "now": time.time()})
    while True:
        await asyncio.sleep(1)
        await websocket.send_json({"type": "clock_update", "now": time.time()})


@router.websocket(os.environ.get("FEED_PATH", "/feed"))
async def feed_socket(websocket: WebSocket) -> None:
    await hub.connect(websocket)
    await websocket.send_json({"type": os.environ["FEED_TYPE"]})
    while True:
        await websocket.receive_text()
