"""Worker processes that each keep their own share of the files for the whole run.

A general pool hands a task to whichever worker is free; wslint's workers instead keep state
between steps (the modules of their share, parsed once, and the answers about them), so each
step is sent to every worker at once and each answers for its own share. Workers are forked
where the platform allows (nothing to import again), spawned elsewhere.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

# Whether workers are forked (they then inherit the parent's memory) or spawned.
FORKS = sys.platform != "win32"


class WorkerFailed(RuntimeError):
    """A worker raised (the message holds its traceback) or died."""


class Workers:
    """``count`` processes; :meth:`each` runs one step in all of them and gathers the answers.

    Each worker holds its own copy of ``state`` (where forked, the parent's object, shared until
    either writes) and every step it runs is handed that state first: ``step(state, *args)``.
    """

    def __init__(self, count: int, state: object = None) -> None:
        method = "fork" if FORKS else "spawn"
        context: Any = multiprocessing.get_context(method)  # typeshed's context lacks Process
        self._connections: list[Connection] = []
        self._processes = []
        self._busy: dict[int, int] = {}  # worker -> steps sent and not answered yet
        # What the workers were forked with (the parent need not send it): name -> object.
        self.inherited: dict[str, object] = {}
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, state), daemon=True)
            process.start()
            theirs.close()
            self._connections.append(ours)
            self._processes.append(process)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._connections)

    def each(self, step: Callable[..., Any], arguments: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``step(state, *arguments[i])`` in worker ``i``, all at once; the answers in worker order.
        Arguments given as one object for several workers are pickled once."""
        pickled: dict[int, bytes] = {}
        for number, args in enumerate(arguments):
            if id(args) not in pickled:
                pickled[id(args)] = bytes(ForkingPickler.dumps((step, args)))
            self._connections[number].send_bytes(pickled[id(args)])
            self._busy[number] = self._busy.get(number, 0) + 1
        answers = dict(self.next_answer() for _ in arguments)
        return [answers[number] for number in range(len(arguments))]

    def send(self, number: int, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Start ``step(state, *args)`` in worker ``number``, once the steps sent to it before are done
        (their answers come first)."""
        self._connections[number].send((step, args))
        self._busy[number] = self._busy.get(number, 0) + 1

    def next_answer(self) -> tuple[int, Any]:
        """The first answer of a busy worker: (its number, the answer)."""
        if not self._busy:
            raise RuntimeError("no worker is busy")
        waiting = {self._connections[number]: number for number in self._busy}
        ready = wait(list(waiting))
        number = min(waiting[connection] for connection in ready)  # type: ignore[index]
        self._busy[number] -= 1
        if not self._busy[number]:
            del self._busy[number]
        return number, self._answer(self._connections[number])

    def _answer(self, connection: Connection) -> Any:
        try:
            ok, value = connection.recv()
        except (EOFError, OSError) as error:
            raise WorkerFailed(f"a worker process ended unexpectedly ({error!r})") from None
        if not ok:
            raise WorkerFailed(value)
        return value

    def close(self) -> None:
        for connection in self._connections:
            try:
                connection.send(None)
                connection.close()
            except OSError:
                pass
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        self._connections, self._processes = [], []


def _serve(connection: Connection, state: object) -> None:
    """A worker's loop: run each step it is sent on its ``state``, answer, until told to stop."""
    gc.disable()  # a worker lives for one run and its trees hold no reference cycles
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        step, args = message
        try:
            answer = (True, step(state, *args))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            answer = (False, traceback.format_exc())
        connection.send(answer)
