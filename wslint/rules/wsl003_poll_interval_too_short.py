"""## What it does
Checks the timer of a broadcaster's polling loop: the sleep (or `asyncio.wait_for(stop.wait(),
timeout=...)`) between two broadcasts must last at least `min-interval` seconds (default 1.0;
exactly 1.0 passes). A broadcaster loop that awaits nothing between broadcasts, or sleeps only
when an error occurred (a hot loop), is reported too.

The interval is inferred: literals and arithmetic on them, module and class constants,
`self.interval` set in `__init__`, parameter defaults and imported constants.

## Why is this bad?
A loop that broadcasts every 100 ms sends ten messages a second to every client, whether
anything changed or not: CPU, bandwidth and client rendering all pay for it. A loop that never
awaits starves the event loop and every other connection with it.

## Example
```python
async def _broadcast_metrics(self):
    while True:
        ...
        await asyncio.sleep(0.1)  # every 100 ms is too fast
```

## Use instead
```python
class MetricsFeed:
    async def _broadcast_metrics(self):
        while True:
            try:
                metrics = read_metrics()
                if metrics != self.last_metrics:
                    await self.manager.broadcast({"type": "metrics_update", "data": metrics})
                    self.last_metrics = metrics
            except Exception:
                logger.exception("metrics broadcast failed")
            await asyncio.sleep(5)  # 5-60 s for most data

    def start(self):
        self._task = asyncio.create_task(self._broadcast_metrics())
```

## Options
- `min-interval`
- `sleep-functions`

## Known problems
An interval that cannot be inferred (a value read from configuration at run time, a random
jitter) is not reported. Where the interval can take several values (a parameter default that
callers may override), the rule reports only when every known value is too short. Sleeps in
`except` branches are backoff, not the polling interval, and are not checked here. A loop that
awaits no timer but calls a blocking `time.sleep(x)` is a polling loop of interval x (WSL011
reports the call), not a hot loop. A loop whose every broadcast sends what a non-blocking read
of a message source just returned (`note = subscription.get_message()`, then `if note:` fan it
out) waits for events by polling its source: its interval is not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from wslint.analysis.calls import broadcasts_in, call_target, timer_interval
from wslint.analysis.context import FileContext
from wslint.analysis.intervals import CONSTRUCTIONS, Interval, constructed_intervals, interval_values
from wslint.analysis.loops import Loop, LoopKind, drains_a_source
from wslint.analysis.module import FunctionInfo
from wslint.analysis.roles import loop_broadcasts
from wslint.core.findings import Finding
from wslint.rules.base import Rule


class PollIntervalTooShort(Rule):
    code = "WSL003"
    name = "poll-interval-too-short"
    summary = "A broadcaster polls faster than min-interval, or spins without awaiting"
    fix = "sleep at least min-interval seconds between polls (5-60 s for most data)"
    options = ("min-interval", "sleep-functions")
    project_questions = ((CONSTRUCTIONS, True),)  # the constructions passing an interval

    def check(self, context: FileContext) -> Iterator[Finding]:
        for function, loops in context.broadcasters():
            for loop in loops:
                if loop.kind is LoopKind.HOT:
                    yield self.finding(
                        context,
                        _while_keyword(loop.node),
                        f"the loop of broadcaster `{function.name}` awaits nothing between "
                        "iterations and spins the event loop: sleep between polls",
                    )
                    continue
                if loop.kind is not LoopKind.POLLING:
                    continue
                if not loop_broadcasts(loop, context.module, function, context.index):
                    continue
                sends = _sends(loop, function, context)
                if drains_a_source(loop, sends, context.module):
                    continue  # an event loop that polls its subscription: events, not data
                for timer in loop.timers:
                    interval = too_short(timer, function, context)
                    if interval is not None:
                        where = f" (as constructed at {interval.site})" if interval.site else ""
                        yield self.finding(
                            context,
                            timer,
                            f"broadcaster `{function.name}` polls every {_seconds(interval.seconds)}"
                            f"{where}, shorter than min-interval "
                            f"{_seconds(context.settings.min_interval)}: sleep longer between polls",
                        )


def _sends(loop: Loop, function: FunctionInfo, context: FileContext) -> list[ast.AST]:
    """The loop's broadcasts and the calls in it that broadcast (transitively)."""
    sends = [site.node for site in broadcasts_in(loop.body_nodes, context.settings)]
    sends += [
        node
        for node in loop.body_nodes
        if isinstance(node, ast.Call)
        and context.index.call_broadcasts(call_target(node, function, context.module))
    ]
    return sends


def too_short(timer: ast.Call, function: FunctionInfo, context: FileContext) -> Interval | None:
    """The interval to report for ``timer``, or None when it is long enough or unknown.

    With construction sites, one instance built with a short interval is enough; otherwise
    every value the expression can take must be short.
    """
    minimum = context.settings.min_interval
    expression = timer_interval(timer, context.module)
    if expression is None:
        return None
    constructed = constructed_intervals(
        expression, function, context.module, context.index, context.inference
    )
    if constructed is not None:
        short = [interval for interval in constructed if interval.seconds < minimum]
        return min(short, key=lambda interval: interval.seconds) if short else None
    values = interval_values(expression, context.inference, context.module, context.index)
    if values and max(values) < minimum:
        return Interval(max(values))
    return None


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _while_keyword(node: ast.AST) -> ast.AST:
    marker = ast.Pass()
    marker.lineno = marker.end_lineno = node.lineno  # type: ignore[attr-defined]
    marker.col_offset = node.col_offset  # type: ignore[attr-defined]
    marker.end_col_offset = marker.col_offset + len("while")
    return marker
