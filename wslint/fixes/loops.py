"""Unsafe fixes of a broadcaster's loop: keep it alive through errors (WSL002), broadcast only
what changed (WSL004). Both change what the program does beyond the finding."""

from __future__ import annotations

import ast

import libcst as cst

from wslint.analysis.calls import is_sleep_call, timer_interval
from wslint.analysis.loops import Loop, LoopKind, is_timer
from wslint.analysis.module import FunctionInfo, local_nodes
from wslint.core.findings import Finding
from wslint.fixes.tree import (
    FixTarget,
    Plan,
    add_import,
    add_module_statement,
    body_statements,
    methods_of,
    module_alias,
    self_attribute,
    statement,
    top_level_names,
)

# Names an imported logger goes by (``from app.log import logger``; loguru's too). Not ``log``:
# ``from math import log`` is no logger.
LOGGER_NAMES = ("logger", "_logger", "LOGGER")
DEFAULT_BACKOFF = "1"


# --- WSL002 --------------------------------------------------------------------------------


def fix_loop_exception(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """Wrap the loop's body in ``try: ... except Exception: logger.exception(...)``, the
    timers that lead or end the body left outside; the handler sleeps itself where none is."""
    from wslint.rules.wsl002_loop_exception_unhandled import first_unprotected_call

    context = target.context
    found = None
    for function, loops in context.broadcasters():
        for loop in loops:
            call = first_unprotected_call(loop, function, context)
            if call is not None and (call.lineno, call.col_offset + 1) == (finding.line, finding.column):
                found = function, loop
    if found is None:
        return None
    function, loop = found
    node = target.node_at(
        loop.node.lineno, loop.node.col_offset + 1, cst.While if isinstance(loop.node, ast.While) else cst.For
    )
    if node is None or not isinstance(node.body, cst.IndentedBlock):
        return None
    statements = list(node.body.body)
    timers = [_is_timer_statement(s, loop, target) for s in statements]
    first = next((i for i, timer in enumerate(timers) if not timer), None)
    if first is None:
        return None
    last = max(i for i, timer in enumerate(timers) if not timer)
    logger = _logger(target, plan)
    if logger is None:
        return None
    handler = [f'{logger}.exception("{function.name} failed; retrying")']
    if first == 0 and last == len(statements) - 1:  # no timer outside the try: the handler sleeps
        sleep = _handler_sleep(loop, target, plan)
        if sleep is None:
            return None
        handler.append(sleep)
    lines = "".join(f"    {line}\n" for line in handler)
    template = statement(f"try:\n    pass\nexcept Exception:\n{lines}")
    assert isinstance(template, cst.Try)

    def wrapped(block: cst.IndentedBlock) -> cst.IndentedBlock:
        moved = list(block.body[first : last + 1])
        body = template.body.with_changes(body=moved)  # type: ignore[attr-defined]
        attempt = template.with_changes(body=body)
        return block.with_changes(body=[*block.body[:first], attempt, *block.body[last + 1 :]])

    plan.replace(node.body, wrapped)
    return "Catch, log and retry the loop body's errors inside the loop"


def _is_timer_statement(node: cst.BaseStatement, loop: Loop, target: FixTarget) -> bool:
    """``await asyncio.sleep(...)`` (or another timer) alone on its line."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return False
    line = target.positions[node].start.line
    for candidate in loop.node.body:
        if candidate.lineno == line:
            value = candidate.value if isinstance(candidate, ast.Expr) else None
            if isinstance(value, ast.Await) and isinstance(value.value, ast.Call):
                return is_timer(value.value, target.context.module, target.settings)
    return False


def _logger(target: FixTarget, plan: Plan) -> str | None:
    """The module's logger, created after the imports where there is none."""
    for node in target.tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func).endswith("getLogger"):
                return node.targets[0].id
    bound = top_level_names(target.tree)
    for node in target.tree.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) in LOGGER_NAMES:
                    return alias.asname or alias.name
    if "logger" in bound:
        return None
    logging = module_alias(target, "logging")
    if logging is None:
        if "logging" in bound:
            return None
        add_import(plan, target.module, "logging")
        logging = "logging"
    add_module_statement(plan, target.module, statement(f"logger = {logging}.getLogger(__name__)\n"))
    return "logger"


def _handler_sleep(loop: Loop, target: FixTarget, plan: Plan) -> str | None:
    """``await <sleep>(<interval>)``: the loop's own sleep and interval where the handler can
    reuse them, else ``asyncio.sleep(1)``."""
    module = target.context.module
    assigned = {
        node.id
        for node in local_nodes(loop.node.body)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    interval = DEFAULT_BACKOFF
    sleep = None
    for timer in loop.timers:
        expression = timer_interval(timer, module)
        if expression is not None and not any(
            isinstance(n, ast.Name) and n.id in assigned for n in ast.walk(expression)
        ):
            interval = ast.get_source_segment(target.source, expression) or DEFAULT_BACKOFF
            if "\n" in interval:
                interval = DEFAULT_BACKOFF
        if is_sleep_call(timer, module, target.settings):
            sleep = ast.get_source_segment(target.source, timer.func)
        break
    if sleep is None:
        alias = module_alias(target, "asyncio")
        if alias is None:
            if "asyncio" in top_level_names(target.tree):
                return None
            add_import(plan, target.module, "asyncio")
            alias = "asyncio"
        sleep = f"{alias}.sleep"
    return f"await {sleep}({interval})"


# --- WSL004 --------------------------------------------------------------------------------


def fix_change_check(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """Broadcast only when the state differs from a remembered ``self._last_<state>``, set in
    ``__init__`` and updated after each broadcast."""
    found = _broadcast_at(finding, target)
    if found is None:
        return None
    function, loop, node = found
    if function.owner is None:
        return None
    state = _state_name(node, loop)
    if state is None:
        return None
    if isinstance(node, ast.Call):
        call = target.node_at(node.lineno, node.col_offset + 1, cst.Call)
        line = target.statement_of(call) if call is not None else None
    elif isinstance(node, (ast.For, ast.AsyncFor)):  # a fan-out
        line = target.node_at(node.lineno, node.col_offset + 1, cst.For)
    else:
        return None
    if line is None:
        return None
    method = target.enclosing_function(line)
    klass = target.owning_class(method) if method is not None else None
    if klass is None:
        return None
    init = methods_of(klass).get("__init__")
    remembered = f"_last_{state.lstrip('_')}"
    if init is None or not body_statements(init) or remembered in _self_names(klass):
        return None
    statements = body_statements(init)
    anchor = statements[-1]
    plan.insert_after(anchor, statement(f"self.{remembered} = None\n"))
    template = statement(f"if {state} != self.{remembered}:\n    pass\n    self.{remembered} = {state}\n")
    assert isinstance(template, cst.If)

    def guarded(updated: cst.SimpleStatementLine | cst.For) -> cst.If:
        block = template.body
        assert isinstance(block, cst.IndentedBlock)
        inner = updated.with_changes(leading_lines=())
        body = block.with_changes(body=[inner, block.body[1]])
        return template.with_changes(body=body, leading_lines=updated.leading_lines)

    plan.replace(line, guarded)
    return f"Broadcast only when `{state}` changed since the last broadcast"


def _broadcast_at(finding: Finding, target: FixTarget) -> tuple[FunctionInfo, Loop, ast.AST] | None:
    from wslint.rules.wsl004_broadcast_without_change_check import _unconditional_broadcasts

    context = target.context
    for function, loops in context.broadcasters():
        for loop in loops:
            if loop.kind not in (LoopKind.POLLING, LoopKind.HOT):
                continue
            for node in _unconditional_broadcasts(loop.body_nodes, function, context):
                if (getattr(node, "lineno", 0), getattr(node, "col_offset", -1) + 1) == (
                    finding.line,
                    finding.column,
                ):
                    return function, loop, node
    return None


def _state_name(node: ast.AST, loop: Loop) -> str | None:
    """The one local name the broadcast sends that the loop assigns (its state)."""
    if isinstance(node, ast.Call):
        sent: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
    else:  # a fan-out: what its last call sends
        calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)][-1:]
        sent = [argument for call in calls for argument in call.args]
    names = set()
    for value in sent:
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if not (isinstance(key, ast.Constant) and key.value == "type") and isinstance(item, ast.Name):
                    names.add(item.id)
        elif isinstance(value, ast.Name):
            names.add(value.id)
    assigned = {
        n.id for n in local_nodes(loop.node.body) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    candidates = names & assigned
    return next(iter(candidates)) if len(candidates) == 1 else None


def _self_names(klass: cst.ClassDef) -> set[str]:
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            name = self_attribute(node)
            if name is not None:
                found.add(name)

    klass.visit(Finder())
    return found
