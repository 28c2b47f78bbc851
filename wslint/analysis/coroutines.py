"""Whether a call's callee is a coroutine function, as far as the project and astroid can tell.

The verdict is one of ``COROUTINE`` (an ``async def``), ``PLAIN`` (a plain ``def``, a class,
a lambda: calling it runs it) or ``UNKNOWN``.
"""

from __future__ import annotations

import ast
from typing import Any

from wslint.analysis.calls import call_target
from wslint.analysis.index import OUTSIDE, ProjectIndex, Resolved
from wslint.analysis.inference import InferenceView
from wslint.analysis.module import FunctionInfo, ModuleInfo
from wslint.analysis.names import dotted_name

COROUTINE = "coroutine"
PLAIN = "plain"
UNKNOWN = "unknown"
PLAIN_PACKAGES = frozenset({"websockets"})  # websockets.broadcast() is a plain function
METHOD_KINDS = frozenset({"staticmethod", "classmethod", "abstractmethod", "override"})


def callee_kind(
    call: ast.Call,
    function: FunctionInfo | None,
    module: ModuleInfo,
    index: ProjectIndex,
    inference: InferenceView,
) -> tuple[str, str]:
    """The callee's verdict and where its target points (``project``, ``outside``, ``unknown``)."""
    if _from_plain_package(call.func, module):
        return PLAIN, "outside"
    target = call_target(call, function, module)
    resolved = index.resolve(target)
    if isinstance(resolved, Resolved):
        if _decorated(resolved.function):
            return UNKNOWN, "project"  # a decorator may change what the call returns
        return (COROUTINE if resolved.function.is_async else PLAIN), "project"
    where = "outside" if resolved == OUTSIDE and target[0] in ("func", "external") else "unknown"
    if target[0] == "dynamic":
        where = "dynamic"
    inferred = inferred_kind(call.func, inference)
    if inferred != UNKNOWN:
        return inferred, where
    if where == "unknown":
        return _project_namesakes(target[-1], module, index), where
    return UNKNOWN, where


def _from_plain_package(func: ast.expr, module: ModuleInfo) -> bool:
    """``websockets.broadcast`` (any module of the package), through the module's imports."""
    dotted = dotted_name(func)
    qualified = module.qualified(func)
    if dotted is None or qualified is None:
        return False
    return dotted.split(".")[0] in module.aliases and qualified.split(".")[0] in PLAIN_PACKAGES


def inferred_kind(func: ast.expr, inference: InferenceView) -> str:
    """What astroid makes of the callee: every value a coroutine function, or every one plain."""
    values = inference.infer(func)
    if not values:
        return UNKNOWN
    kinds = {_value_kind(value) for value in values}
    return kinds.pop() if len(kinds) == 1 else UNKNOWN


def _value_kind(value: Any) -> str:
    kind = type(value).__name__
    for _ in range(3):  # BoundMethod -> UnboundMethod -> FunctionDef
        if kind not in ("BoundMethod", "UnboundMethod"):
            break
        value = getattr(value, "_proxied", None)
        kind = type(value).__name__
    if kind == "AsyncFunctionDef":
        return COROUTINE if not _astroid_decorated(value) else UNKNOWN
    if kind == "FunctionDef":
        return PLAIN if not _astroid_decorated(value) else UNKNOWN
    if kind in ("Lambda", "ClassDef"):
        return PLAIN
    return UNKNOWN


def _astroid_decorated(value: Any) -> bool:
    decorators = getattr(value, "decorators", None)
    if decorators is None:
        return False
    return any(
        getattr(node, "name", getattr(node, "attrname", None)) not in METHOD_KINDS
        for node in decorators.nodes
    )


def _decorated(function: FunctionInfo) -> bool:
    """A decorator other than the method kinds may change what calling it returns."""
    for decorator in function.node.decorator_list:
        name = decorator.id if isinstance(decorator, ast.Name) else getattr(decorator, "attr", None)
        if name not in METHOD_KINDS:
            return True
    return False


def _project_namesakes(name: str, module: ModuleInfo, index: ProjectIndex) -> str:
    """An unresolved method, judged by the project's functions of that name.

    The module's own functions count too (a test module's included). Plain when any of them
    is a plain ``def`` (the receiver may be that one), a coroutine
    when all of them are ``async def``, unknown when the project defines none.
    """
    modules = [module, *index.production_modules_defining(name)]
    kinds = {
        function.is_async
        for candidate in modules
        for function in candidate.iter_functions()
        if function.name == name
    }
    if False in kinds:
        return PLAIN  # the receiver may be that plain def: say nothing
    return COROUTINE if kinds else UNKNOWN
