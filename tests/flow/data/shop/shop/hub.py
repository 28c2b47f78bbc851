"""The connection hub every broadcast of the shop goes through."""

from fastapi import WebSocket


class Hub:
    def __init__(self) -> None:
        self.sockets: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.sockets.append(websocket)

    async def broadcast(self, message: dict) -> None:
        for socket in list(self.sockets):
            await socket.send_json(message)


hub = Hub()
