"""One fixer per fixable rule: from a finding and its file's tree, a rewritten file, or None
where the repair is not obvious (then the finding has no fix)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from wslint.core.findings import Finding
from wslint.fixes import FIXABLE, Fix
from wslint.fixes.edits import edits_between
from wslint.fixes.loops import fix_change_check, fix_loop_exception
from wslint.fixes.tasks import fix_dropped_task, fix_never_started
from wslint.fixes.tree import FixTarget, Plan, add_import, module_alias, names_in, top_level_names

# A fixer plans its rewrite and says what it does; None: no obvious repair.
Fixer = Callable[[Finding, FixTarget, Plan], "str | None"]


def fix_for(finding: Finding, target: FixTarget) -> Fix | None:
    """The fix of ``finding``, unverified (see :mod:`wslint.fixes.verify`)."""
    fixer = FIXERS.get(finding.code)
    if fixer is None:
        return None
    plan = Plan()
    try:
        message = fixer(finding, target, plan)
        if message is None:
            return None
        fixed = plan.apply(target.module).code
    except Exception:  # noqa: BLE001 - a fixer that cannot cope offers nothing
        return None
    return Fix(FIXABLE[finding.code], message, edits_between(target.source, fixed))


def fix_not_awaited(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """WSL007: ``await`` the broadcast."""
    call = target.call_at(finding)
    if call is None or not target.is_expression_statement(call):
        return None
    plan.replace(call, lambda updated: cst.Await(expression=updated))
    return "Await the broadcast"


def fix_blocking_sleep(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """WSL011: ``time.sleep(x)`` -> ``await asyncio.sleep(x)``, importing asyncio if needed."""
    call = target.call_at(finding)
    if call is None or not target.is_expression_statement(call):
        return None
    function = target.enclosing_function(call)
    if function is None or function.asynchronous is None:
        return None
    alias = module_alias(target, "asyncio")
    if alias is None:
        if "asyncio" in top_level_names(target.tree):
            return None  # the name means something else here
        add_import(plan, target.module, "asyncio")
        alias = "asyncio"
    if alias in _parameters(function) or _assigns(function, alias):
        return None
    sleep = cst.Attribute(value=cst.Name(alias), attr=cst.Name("sleep"))
    plan.replace(call, lambda updated: cst.Await(expression=updated.with_changes(func=sleep)))
    return "Replace the blocking sleep with `await asyncio.sleep(...)`"


def _parameters(function: cst.FunctionDef) -> set[str]:
    params = function.params
    every = (*params.posonly_params, *params.params, *params.kwonly_params)
    names = {p.name.value for p in every}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def _assigns(function: cst.FunctionDef, name: str) -> bool:
    """Whether ``name`` is bound in ``function``'s body (an assignment, import, for target...)."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal found
            found = found or name in names_in(node.target)

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            nonlocal found
            bound = node.asname.name if node.asname else node.name
            found = found or (isinstance(bound, cst.Name) and bound.value == name)

        def visit_For(self, node: cst.For) -> None:
            nonlocal found
            found = found or name in names_in(node.target)

    function.body.visit(Finder())
    return found


FIXERS: dict[str, Fixer] = {
    "WSL002": fix_loop_exception,
    "WSL004": fix_change_check,
    "WSL005": fix_never_started,
    "WSL007": fix_not_awaited,
    "WSL008": fix_dropped_task,
    "WSL011": fix_blocking_sleep,
}
