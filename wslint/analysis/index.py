"""The project index: modules loaded on demand, calls resolved across them, facts joined.

"Broadcasts (transitively)" and "started" are questions about the whole
project; the index answers them, memoised and recursion-safe. Modules are
parsed only when a question needs them: a byte-level scan of the project's
files finds the few that can mention a given name.
"""

from __future__ import annotations

import ast
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from wslint.analysis.calls import (
    Target,
    attribute_target,
    broadcasts_in,
    call_target,
    name_target,
)
from wslint.analysis.fanouts import client_hand_offs, client_parameter, sends_on
from wslint.analysis.module import ClassInfo, FunctionInfo, ModuleInfo, is_test_path
from wslint.analysis.names import module_name_for
from wslint.core.options import Settings
from wslint.core.source import read_or_empty

ModuleLoader = Callable[[Path, bytes], "ModuleInfo | None"]
# Parsed modules kept at once, counted in source bytes (trees cost ~30x their source). Generous on
# purpose: project questions revisit modules, and a budget smaller than the project's relevant
# source makes them parse the same modules again and again.
MODULE_CACHE_BYTES = 32_000_000
MAX_BASE_DEPTH = 8
WORD_INDEX_AFTER = 32  # distinct byte searches before the project's words are indexed
# A maximal run of ASCII word bytes: exactly what ``\b...\b`` delimits in a bytes pattern, so
# the word index answers whole-word questions as the regular expression would.
WORD = re.compile(rb"[A-Za-z0-9_]+")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# Every other byte made a space: ``split()`` then gives the WORD runs, twice as fast as findall.
_APART = bytes(byte if byte in _WORD_BYTES else 0x20 for byte in range(256))


def words_of(data: bytes) -> set[bytes]:
    """The distinct :data:`WORD` runs of ``data``."""
    return set(data.translate(_APART).split())


@dataclass(frozen=True)
class Resolved:
    """A call resolved to a function of the project."""

    module: ModuleInfo
    function: FunctionInfo


# Per-module answers, shareable between processes: (kind, name) -> the module's records.
ModuleTable = dict[tuple[str, str], list[Any]]
REFERENCES = "references"  # where each reference to a function's name goes
T = TypeVar("T")

UNKNOWN = "unknown"  # a call that might go anywhere in the project
OUTSIDE = "outside"  # a call that certainly leaves the project (or constructs a class)


class ProjectIndex:
    """Everything the project-wide questions need, computed lazily and memoised."""

    def __init__(
        self,
        root: Path,
        files: Callable[[], Iterable[Path]] | Iterable[Path],
        settings: Settings,
        loader: ModuleLoader,
        sources: Mapping[Path, bytes] | None = None,
        definitions: Mapping[str, bool] | None = None,
    ):
        self.root = root
        # Names a production module is known (from the bytes, by the prefilter) to define or not.
        self._production_definitions = dict(definitions or {})
        self.settings = settings
        self._loader = loader
        # The project is walked only when a question needs it.
        self._files = files if callable(files) else (lambda: files)
        self._known: dict[str, Path] = {}
        self._every: dict[str, Path] | None = None
        self._modules: OrderedDict[str, ModuleInfo | None] = OrderedDict()  # least recent first
        self._current: ModuleInfo | None = None  # the module being checked
        self._suffix_matches: dict[str, str | None] = {}  # dotted suffix -> the one module ending so
        self._words: dict[bytes, list[str]] | None = None  # word -> modules holding it
        self._cached_bytes = 0
        self._broadcasts: dict[str, bool] = {}
        self._may_broadcast: dict[str, bool] = {}
        # Bytes of project files: those the run has read, then of checked files (stdin has no
        # file) and of files read for a question.
        self._sources: dict[Path, bytes] = dict(sources or {})
        self._matches: dict[bytes, list[str]] = {}  # byte pattern -> modules holding it
        self._named_broadcasters: dict[str, bool] = {}
        self._answers: dict[tuple[str, str], list[Any]] = {}  # (kind, name) -> every module's
        self._referenced: dict[str, frozenset[str | None]] = {}  # name -> where references go
        self._shared: dict[str, ModuleTable] = {}  # module -> answers another worker computed
        self._shared_names: dict[str, frozenset[str]] = {}  # kind -> the names they cover
        self._test_paths: dict[str, bool] = {}

    # -- modules ----------------------------------------------------------------------------
    def _bytes(self, path: Path) -> bytes:
        """A project file's bytes, read once (queries scan them again and again)."""
        data = self._sources.get(path)
        if data is None:
            data = self._sources[path] = read_or_empty(path)
        return data

    @property
    def _paths(self) -> dict[str, Path]:
        if self._every is None:
            every = {module_name_for(path, self.root): path for path in self._files()}
            self._every = {**every, **self._known}
        return self._every

    def remember(self, path: Path, data: bytes) -> None:
        """Register a file being checked and its bytes (stdin has no file to read them from)."""
        known = self._sources.get(path)
        self._sources[path] = data
        name = module_name_for(path, self.root)
        listed = self._known.get(name) == path or (self._every is not None and self._every.get(name) == path)
        if listed and (known is None or known == data):
            self._known[name] = path
            return  # nothing new: what was found in the project still holds
        self._known[name] = path
        self._test_paths.pop(name, None)
        if self._every is not None:
            self._every[name] = path
        self._suffix_matches.clear()
        self._words = None  # rebuilt with this file on the next question

    def add(self, module: ModuleInfo, data: bytes) -> None:
        """Register the module being checked (parsed elsewhere) and its bytes.

        It is kept only while it is being checked, unless a project question asks for it:
        most checked modules are never asked about, and their trees are the bulk of memory.
        """
        self.remember(Path(module.path), data)
        self._current = module

    def parsed(self, path: Path) -> ModuleInfo | None:
        """The module at ``path`` if a question already parsed it (None otherwise, or unparsable)."""
        name = module_name_for(path, self.root)
        module = self._modules.get(name)
        return module if module is not None and Path(module.path) == path else None

    def module(self, dotted: str) -> ModuleInfo | None:
        """The parsed module of that dotted name, parsed on first use and kept while recent."""
        name = dotted if dotted in self._modules else self._module_name(dotted)
        if name is None:
            return None
        current = self._current
        if current is not None and current.name == name and name not in self._modules:
            self._keep(name, current)  # asked about: worth keeping
            return current
        if name in self._modules:
            self._modules.move_to_end(name)
            return self._modules[name]
        path = self._paths[name]
        module = self._loader(path, self._bytes(path))
        self._keep(name, module)
        return module

    def _keep(self, name: str, module: ModuleInfo | None) -> None:
        """Cache ``module``, forgetting the least recently used ones beyond the byte budget."""
        if name in self._modules:
            self._cached_bytes -= self._size(name)
        self._modules[name] = module
        self._cached_bytes += self._size(name)
        while self._cached_bytes > MODULE_CACHE_BYTES and len(self._modules) > 1:
            oldest, _ = next(iter(self._modules.items()))
            self._cached_bytes -= self._size(oldest)
            del self._modules[oldest]

    def _size(self, name: str) -> int:
        path = self._paths.get(name) if self._every is not None else self._known.get(name)
        return len(self._sources.get(path, b"")) if path is not None else 0

    def _module_name(self, dotted: str) -> str | None:
        paths = self._paths
        if dotted in paths:
            return dotted
        if not self._suffix_matches:
            # src layouts and scripts run from a subfolder: match on the dotted suffix.
            by_suffix: dict[str, list[str]] = {}
            for name in sorted(paths):
                parts = name.split(".")
                for start in range(1, len(parts)):
                    by_suffix.setdefault(".".join(parts[start:]), []).append(name)
            self._suffix_matches = {
                suffix: names[0] if len(names) == 1 else None for suffix, names in by_suffix.items()
            }
        return self._suffix_matches.get(dotted)

    def is_project_module(self, dotted: str) -> bool:
        return self._module_name(dotted) is not None

    def production_modules_mentioning(self, word: str) -> Iterator[ModuleInfo]:
        """Non-test modules whose bytes contain ``word`` as a whole word."""
        literal = word.encode()
        for name in self._production_names(self._names_with_word(literal)):
            module = self.module(name)
            if module is not None and not module.is_test:
                yield module

    def production_modules_mentioning_any(self, words: Iterable[str]) -> Iterator[ModuleInfo]:
        """Non-test modules whose bytes contain any of ``words`` as a whole word (one scan)."""
        for name in self._production_names(self.names_mentioning_any(words)):
            module = self.module(name)
            if module is not None and not module.is_test:
                yield module

    def names_mentioning_any(self, words: Iterable[str]) -> list[str]:
        """Names of the modules whose bytes contain any of ``words`` as a whole word (none parsed)."""
        literals = tuple(sorted({word.encode() for word in words}))
        return self._names_with_word(*literals)

    def _names_with_word(self, *literals: bytes) -> list[str]:
        """Modules (sorted) whose bytes hold one of ``literals`` as a whole word."""
        if self._words is not None and all(WORD.fullmatch(literal) for literal in literals):
            return self._holding_any(literals)  # exact: no need to search the bytes again
        alternatives = b"|".join(re.escape(literal) for literal in literals)
        return self._names_matching(rb"\b(?:" + alternatives + rb")\b", literals)

    def answers(self, name: str, kind: str, compute: Callable[[ModuleInfo], list[T]]) -> list[T]:
        """``compute(module)`` for each non-test module mentioning ``name`` as a whole word, in
        module order, concatenated; once per (kind, name) for the run. A module's answer that
        another worker shared (:meth:`share`) is taken as is."""
        key = (kind, name)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = []  # recursion guard: a question asked inside itself
            shared = self._shared if name in self._shared_names.get(kind, ()) else {}
            for module_name in self._production_names(self._names_with_word(name.encode())):
                table = shared.get(module_name)
                if table is not None:
                    found.extend(table.get(key, ()))
                    continue
                module = self.module(module_name)
                if module is not None and not module.is_test:
                    found.extend(compute(module))
        return found

    def share(self, tables: dict[str, ModuleTable], names: dict[str, frozenset[str]]) -> None:
        """Answers about other modules, computed by the workers that hold them (see
        :mod:`wslint.speed.tables`): ``tables[module][(kind, name)]`` for every kind and
        name of ``names``; a module's table holds no key for a name it does not mention."""
        self._shared = tables
        self._shared_names = names

    def production_modules_defining(self, name: str) -> Iterator[ModuleInfo]:
        """Non-test modules whose bytes hold ``def name``."""
        for module_name in self.production_names_defining(name):
            module = self.module(module_name)
            if module is not None and not module.is_test:
                yield module

    def defines_in_production(self, name: str) -> bool:
        """Whether some non-test module's bytes hold ``def name``."""
        known = self._production_definitions.get(name)
        return bool(self.production_names_defining(name)) if known is None else known

    def production_names_defining(self, name: str) -> list[str]:
        """Names of the non-test modules whose bytes hold ``def name`` (none parsed)."""
        literal = name.encode()
        pattern = rb"\bdef\s+" + re.escape(literal) + rb"\b"
        return self._production_names(self._names_matching(pattern, (literal,)))

    def _production_names(self, names: list[str]) -> list[str]:
        """``names`` but those of test modules, told by their paths (so never parsed to tell)."""
        return [name for name in names if not self._is_test_path(name)]

    def _is_test_path(self, name: str) -> bool:
        found = self._test_paths.get(name)
        if found is None:
            path = self._paths.get(name)
            try:
                found = path is not None and is_test_path(path.relative_to(self.root))
            except ValueError:
                found = False  # outside the root: the module tells once parsed
            self._test_paths[name] = found
        return found

    def _names_matching(self, pattern: bytes, literals: tuple[bytes, ...]) -> list[str]:
        if pattern not in self._matches:
            search = re.compile(pattern).search
            self._matches[pattern] = [
                name for name in self._holding_any(literals) if search(self._bytes(self._paths[name]))
            ]
        return self._matches[pattern]

    def _holding_any(self, literals: tuple[bytes, ...]) -> list[str]:
        """Modules (sorted) whose bytes may hold one of ``literals``, each a whole word.

        The first questions scan every file; a project asked many questions gets a word index
        (one pass), so that each later question costs what it finds, not the project's size.
        """
        if self._words is None and len(self._matches) >= WORD_INDEX_AFTER:
            self._words = {}
            for name, path in sorted(self._paths.items()):
                for word in words_of(self._bytes(path)):
                    self._words.setdefault(word, []).append(name)
        if self._words is not None and all(WORD.fullmatch(literal) for literal in literals):
            if len(literals) == 1:
                return self._words.get(literals[0], [])
            return sorted({name for literal in literals for name in self._words.get(literal, [])})
        return [
            name
            for name, path in sorted(self._paths.items())
            if any(literal in self._bytes(path) for literal in literals)
        ]

    # -- resolution -------------------------------------------------------------------------
    def resolve(self, target: Target) -> Resolved | str:
        kind = target[0]
        if kind == "func":
            return self._resolve_function(target[1], target[2])
        if kind == "method":
            found = self._class_by_key(target[1])
            return self._resolve_method(found, target[2], 0) if found else UNKNOWN
        if kind == "instance":
            found = self._class_by_dotted(target[1])
            if found is None:
                return UNKNOWN if self._inside(target[1]) else OUTSIDE
            return self._resolve_method(found, target[2], 0)
        if kind in ("class", "external"):
            return OUTSIDE
        return UNKNOWN

    def _inside(self, dotted: str) -> bool:
        head = dotted.rpartition(".")[0]
        return bool(head) and self.is_project_module(head)

    def _resolve_function(self, module_name: str, name: str, depth: int = 0) -> Resolved | str:
        module = self.module(module_name)
        if module is None:
            if self.is_project_module(module_name):
                return UNKNOWN
            parent, _, attribute = module_name.rpartition(".")
            # ``manager.broadcast()`` where ``manager`` is a module-level object of a project module
            if not parent or not self.is_project_module(parent):
                return OUTSIDE
            return self._resolve_instance_method(parent, attribute, name)
        function = module.functions.get(name)
        if function is not None:
            return Resolved(module, function)
        if name in module.classes:
            return OUTSIDE
        target = module.aliases.get(name)
        if target and depth < MAX_BASE_DEPTH:  # re-exported through an import
            head, _, last = target.rpartition(".")
            return self._resolve_function(head, last, depth + 1) if head else OUTSIDE
        return UNKNOWN

    def _resolve_instance_method(self, module_name: str, instance: str, name: str) -> Resolved | str:
        """``name`` called on a module-level instance of a project module, through its class
        (``notifier = Notifier()`` in ``module_name``, then ``notifier.ping_all()`` elsewhere)."""
        holder = self.module(module_name)
        built_by = holder.instance_type(instance) if holder is not None else None
        if built_by is None:
            return UNKNOWN
        found = self._class_by_dotted(built_by)
        return self._resolve_method(found, name, 0) if found is not None else UNKNOWN

    def _class_by_key(self, key: str) -> tuple[ModuleInfo, ClassInfo] | None:
        module_name, _, qualname = key.partition("::")
        module = self.module(module_name)
        if module is None or qualname not in module.classes:
            return None
        return module, module.classes[qualname]

    def _class_by_dotted(self, dotted: str, depth: int = 0) -> tuple[ModuleInfo, ClassInfo] | None:
        module_name, _, name = dotted.rpartition(".")
        module = self.module(module_name) if module_name else None
        if module is None:
            return None
        if name in module.classes:
            return module, module.classes[name]
        target = module.aliases.get(name)
        if target and depth < MAX_BASE_DEPTH:
            return self._class_by_dotted(target, depth + 1)
        return None

    def _resolve_method(self, found: tuple[ModuleInfo, ClassInfo], name: str, depth: int) -> Resolved | str:
        module, info = found
        if name in info.methods:
            return Resolved(module, info.methods[name])
        if depth >= MAX_BASE_DEPTH:
            return UNKNOWN
        verdict = OUTSIDE
        for base in info.bases:
            if base in ("?",):
                verdict = UNKNOWN
                continue
            base_found = self._class_by_dotted(base)
            if base_found is None:
                if self._inside(base):
                    verdict = UNKNOWN
                continue
            result = self._resolve_method(base_found, name, depth + 1)
            if isinstance(result, Resolved):
                return result
            if result == UNKNOWN:
                verdict = UNKNOWN
        return verdict

    # -- broadcasting -----------------------------------------------------------------------
    def calls_of(self, module: ModuleInfo, function: FunctionInfo) -> Iterator[tuple[ast.Call, Target]]:
        for node in function.body_nodes():
            if isinstance(node, ast.Call):
                yield node, call_target(node, function, module)

    def broadcasts(self, module: ModuleInfo, function: FunctionInfo) -> bool:
        """Whether ``function`` holds a broadcast or calls (resolved) a function that does."""
        key = function.key
        if key not in self._broadcasts:
            self._broadcasts[key] = False  # recursion guard: a cycle adds nothing
            self._broadcasts[key] = self._compute_broadcasts(module, function)
        return self._broadcasts[key]

    def _compute_broadcasts(self, module: ModuleInfo, function: FunctionInfo) -> bool:
        if any(True for _ in broadcasts_in(function.body_nodes(), self.settings)):
            return True
        if any(self.call_broadcasts(target) for _, target in self.calls_of(module, function)):
            return True
        return self.fans_out_through_helper(module, function, function.body_nodes())

    def fans_out_through_helper(
        self, module: ModuleInfo, function: FunctionInfo, nodes: list[ast.AST]
    ) -> bool:
        """A loop over clients among ``nodes`` hands each to a project helper that sends to it."""
        for hand_off in client_hand_offs(nodes):
            resolved = self.resolve(call_target(hand_off.call, function, module))
            if not isinstance(resolved, Resolved):
                continue
            parameter = client_parameter(hand_off, resolved.function)
            if parameter is not None and sends_on(resolved.function, parameter):
                return True
        return False

    def call_broadcasts(self, target: Target) -> bool:
        resolved = self.resolve(target)
        return isinstance(resolved, Resolved) and self.broadcasts(resolved.module, resolved.function)

    def may_broadcast(self, module: ModuleInfo, function: FunctionInfo) -> bool:
        """Whether ``function`` might broadcast: definitely, or through a callee that can't be resolved."""
        key = function.key
        if key not in self._may_broadcast:
            self._may_broadcast[key] = False
            self._may_broadcast[key] = self.broadcasts(module, function) or any(
                self.call_may_broadcast(target) for _, target in self.calls_of(module, function)
            )
        return self._may_broadcast[key]

    def call_may_broadcast(self, target: Target) -> bool:
        resolved = self.resolve(target)
        if isinstance(resolved, Resolved):
            return self.may_broadcast(resolved.module, resolved.function)
        if resolved == OUTSIDE:
            return False
        if target[0] in ("attr", "method", "instance", "func"):
            return self._some_function_named_broadcasts(target[-1])
        return True  # a dynamic callee: anything could happen

    def _some_function_named_broadcasts(self, name: str) -> bool:
        if name in self.settings.broadcast_methods:
            return True
        if name not in self._named_broadcasters:
            self._named_broadcasters[name] = any(
                function.name == name and self.broadcasts(module, function)
                for module in self.production_modules_defining(name)
                for function in module.iter_functions()
            )
        return self._named_broadcasters[name]

    # -- starting ---------------------------------------------------------------------------
    def is_referenced(self, function: FunctionInfo) -> bool:
        """Whether production code refers to ``function`` other than by a discarded call.

        A reference that resolves to another function of the same name does not count.
        """
        targets = self._referenced.get(function.name)
        if targets is None:  # every function of that name asks: one set for all of them
            targets = self._referenced[function.name] = frozenset(self._reference_targets(function.name))
        return None in targets or function.key in targets

    def _reference_targets(self, name: str) -> list[str | None]:
        """Where each production reference to ``name`` goes (a function's key; None: unknown)."""
        return self.answers(name, REFERENCES, partial(self.reference_targets_in, name=name))

    def reference_targets_in(self, module: ModuleInfo, name: str) -> list[str | None]:
        """Where each reference to ``name`` in ``module`` goes (a function's key; None: unknown)."""
        found: list[str | None] = []
        for node, scope in _references(module, name):
            target = _reference_target(node, scope, module)
            resolved = self.resolve(target) if target is not None else UNKNOWN
            found.append(resolved.function.key if isinstance(resolved, Resolved) else None)
        return found


def _reference_target(node: ast.AST, scope: FunctionInfo | None, module: ModuleInfo) -> Target | None:
    if isinstance(node, ast.Attribute):
        return attribute_target(node, scope, module)
    if isinstance(node, ast.Name):
        return name_target(node.id, scope, module)
    return None


def _references(module: ModuleInfo, name: str) -> Iterator[tuple[ast.AST, FunctionInfo | None]]:
    """Nodes naming ``name`` that are not a discarded call, each with its enclosing function."""
    discarded = module.discarded_callees()
    mentions = [node for node in module.mentions(name) if id(node) not in discarded]
    if mentions:
        scopes = module.scope_map()
        for node in mentions:
            yield node, scopes.get(id(node))
