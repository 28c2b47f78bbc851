"""What a rule sees of one file: its module, the project index, the settings, inference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from wslint.analysis.index import ProjectIndex
from wslint.analysis.inference import InferenceView
from wslint.analysis.loops import Loop
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.roles import broadcaster_loops
from wslint.core.options import Settings


@dataclass
class FileContext:
    """One file under check. Shared computations (broadcasters, loops) are memoised here."""

    path: str
    module: ModuleInfo
    index: ProjectIndex
    inference: InferenceView
    _broadcasters: list[tuple[FunctionInfo, list[Loop]]] | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.index.settings

    def broadcasters(self) -> Iterator[tuple[FunctionInfo, list[Loop]]]:
        """Every broadcaster of the module with its polling, event and hot loops."""
        if self._broadcasters is None:
            found = []
            for function in self.module.iter_functions():
                loops = broadcaster_loops(function, self.module, self.index)
                if loops is not None:
                    found.append((function, loops))
            self._broadcasters = found
        return iter(self._broadcasters)
