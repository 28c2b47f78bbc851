"""Sample sources shared by the command-line, discovery and robustness tests."""

import textwrap

# A broadcaster that compares state and handles errors but polls every 0.1 s: WSL003 only.
FAST_POLLER = textwrap.dedent(
    """\
    import asyncio


    class PriceFeed:
        def __init__(self, websocket_manager):
            self.websocket_manager = websocket_manager
            self._tasks = []
            self._last = None

        async def _broadcast_prices(self):
            while True:
                try:
                    prices = await self.fetch()
                    if prices != self._last:
                        self._last = prices
                        await self.websocket_manager.broadcast({"type": "prices_update", "data": prices})
                except Exception:
                    pass
                await asyncio.sleep(0.1)

        async def fetch(self):
            return {}

        async def start(self):
            self._tasks.append(asyncio.create_task(self._broadcast_prices()))
    """
)
FAST_LINE = 19  # the asyncio.sleep(0.1) line
FAST_COLUMN = 19
