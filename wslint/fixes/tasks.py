"""Fixes about tasks: keep a dropped task (WSL008), start a broadcaster from the class's start
method the way it starts the others (WSL005)."""

from __future__ import annotations

import libcst as cst

from wslint.core.findings import Finding
from wslint.fixes.tree import (
    FixTarget,
    Plan,
    add_module_statement,
    body_statements,
    final_name,
    fresh_name,
    is_docstring,
    is_plain_method,
    is_spawn,
    methods_of,
    module_alias,
    names_in,
    required_parameters,
    self_attribute,
    statement,
    top_level_names,
    without_comment,
)

TASK_SETS = ("_tasks", "_background_tasks")
TASK_VARIABLES = ("task", "new_task", "spawned_task")
MODULE_TASK_SET = "_background_tasks"


# --- WSL008 --------------------------------------------------------------------------------


def fix_dropped_task(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """Keep the task in a set that lets go of it when done (``self._tasks`` in a method, a
    module-level set elsewhere), or append it to the class's existing list of tasks."""
    call = target.call_at(finding)
    line = target.statement_of(call) if call is not None else None
    if call is None or line is None or target.parent(call) is not line.body[0]:
        return None
    function = target.enclosing_function(call)
    method = _method_of(target, function)
    if method is not None:
        kept = _class_collection(target, *method, plan, line)
        if kept is not None:
            collection, kind = kept
            return _keep(plan, line, call, function or method[1], target, collection, kind)
    in_module = _module_collection(target, plan)
    if in_module is None:
        return None
    return _keep(plan, line, call, function, target, in_module, "set")


def _method_of(
    target: FixTarget, function: cst.FunctionDef | None
) -> tuple[cst.ClassDef, cst.FunctionDef] | None:
    """The class and method whose ``self`` the code at hand sees (a nested def sees its
    method's ``self``)."""
    current = function
    while current is not None:
        klass = target.owning_class(current)
        if klass is not None:
            return (klass, current) if is_plain_method(current) else None
        current = target.enclosing_function(current)
    return None


def _keep(
    plan: Plan,
    line: cst.SimpleStatementLine,
    call: cst.Call,
    function: cst.FunctionDef | None,
    target: FixTarget,
    collection: str,
    kind: str,
) -> str | None:
    if kind == "list":
        holder = cst.parse_expression(f"{collection}.append(x)")
        plan.replace(
            line.body[0],
            lambda updated: updated.with_changes(
                value=holder.with_changes(args=[cst.Arg(updated.value)])  # type: ignore[attr-defined]
            ),
        )
        return f"Keep the task in `{collection}`"
    scope: cst.CSTNode = function if function is not None else target.module
    variable = fresh_name(names_in(scope), TASK_VARIABLES)
    if variable is None:
        return None
    assign = cst.parse_statement(f"{variable} = x\n")
    added = (
        statement(f"{collection}.add({variable})\n"),
        statement(f"{variable}.add_done_callback({collection}.discard)\n"),
    )

    def assigned(updated: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        value = updated.body[0].value  # type: ignore[attr-defined]
        first = assign.body[0].with_changes(value=value)  # type: ignore[attr-defined,index]
        return updated.with_changes(body=[first])

    plan.replace(line, assigned)
    plan.insert_after(line, *added)
    return f"Keep the task in `{collection}` until it is done"


def _class_collection(
    target: FixTarget,
    klass: cst.ClassDef,
    method: cst.FunctionDef,
    plan: Plan,
    line: cst.SimpleStatementLine,
) -> tuple[str, str] | None:
    """``self.<set>`` (or an existing list) the class keeps its tasks in, created in
    ``__init__`` where needed; None where there is no ``__init__`` to create it in (or
    ``__init__`` itself spawns the task before making the existing one)."""
    init = methods_of(klass).get("__init__")
    for name in TASK_SETS:
        kinds = _assigned_kinds(klass, name)
        in_init = init is not None and _assigned_kinds(init, name)
        if kinds and in_init and method is init and not _assigned_before(target, init, name, line):
            return None
        if kinds and in_init and set(kinds) == {"set"}:
            return f"self.{name}", "set"
        if kinds and in_init and set(kinds) == {"list"}:
            return f"self.{name}", "list"
        if not kinds and name not in _self_attributes(klass):
            if init is None or not body_statements(init):
                return None
            alias = module_alias(target, "asyncio")
            annotation = f": set[{alias}.Task]" if alias else ""
            first = _first_after_docstring(init)
            plan.insert_before(first, statement(f"self.{name}{annotation} = set()\n"))
            return f"self.{name}", "set"
    return None


def _assigned_before(
    target: FixTarget, init: cst.FunctionDef, name: str, line: cst.SimpleStatementLine
) -> bool:
    """Whether ``__init__`` assigns ``self.<name>`` on a line above ``line``."""
    spawned_at = target.positions[line].start.line
    for node in _statements_within(init):
        small = node.body[0] if len(node.body) == 1 else None
        bound = (
            [t.target for t in small.targets]
            if isinstance(small, cst.Assign)
            else [small.target]
            if isinstance(small, cst.AnnAssign)
            else []
        )
        if any(self_attribute(b) == name for b in bound) and target.positions[node].start.line < spawned_at:
            return True
    return False


def _module_collection(target: FixTarget, plan: Plan) -> str | None:
    """The module-level set of tasks, created after the imports where needed."""
    name = MODULE_TASK_SET
    for node in target.module.body:
        if _assigns_set(node, name):
            return name
    if name in top_level_names(target.tree):
        return None
    alias = module_alias(target, "asyncio")
    annotation = f": set[{alias}.Task]" if alias else ""
    add_module_statement(plan, target.module, statement(f"{name}{annotation} = set()\n"))
    return name


def _assigns_set(node: cst.CSTNode, name: str) -> bool:
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return False
    small = node.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        bound, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        bound, value = small.target, small.value
    else:
        return False
    return isinstance(bound, cst.Name) and bound.value == name and _kind(value, None) == "set"


def _first_after_docstring(function: cst.FunctionDef) -> cst.BaseStatement:
    """Where ``__init__``'s own attributes start: after its docstring and a leading
    ``super().__init__(...)`` (which might otherwise reset them)."""
    statements = list(body_statements(function))
    start = 1 if len(statements) > 1 and is_docstring(statements[0]) else 0
    if start + 1 < len(statements) and _calls_base_init(statements[start]):
        start += 1
    return statements[start]


def _calls_base_init(node: cst.BaseStatement) -> bool:
    """``super().__init__(...)`` or ``Base.__init__(self, ...)`` alone on its line."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return False
    small = node.body[0]
    call = small.value if isinstance(small, cst.Expr) else None
    return isinstance(call, cst.Call) and final_name(call.func) == "__init__"


def _assigned_kinds(scope: cst.CSTNode, name: str) -> list[str]:
    """The kinds ("set", "list", "other") of every value ``self.<name>`` is assigned."""
    kinds: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for assign_target in node.targets:
                if self_attribute(assign_target.target) == name:
                    kinds.append(_kind(node.value, None))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if self_attribute(node.target) == name:
                kinds.append(_kind(node.value, node.annotation.annotation))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if self_attribute(node.target) == name:
                kinds.append("other")

    scope.visit(Finder())
    return kinds


def _kind(value: cst.BaseExpression | None, annotation: cst.BaseExpression | None) -> str:
    if annotation is not None:
        head = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        named = (
            head.value
            if isinstance(head, cst.Name)
            else head.attr.value
            if isinstance(head, cst.Attribute)
            else ""
        )
        if named.lower() in ("set", "list"):
            return named.lower()
        return "other"
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and not value.args:
        return value.func.value if value.func.value in ("set", "list") else "other"
    if isinstance(value, cst.List) and not value.elements:
        return "list"
    return "other"


def _self_attributes(scope: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            name = self_attribute(node)
            if name is not None:
                found.add(name)

    scope.visit(Finder())
    return found


# --- WSL005 --------------------------------------------------------------------------------


def fix_never_started(finding: Finding, target: FixTarget, plan: Plan) -> str | None:
    """Start the broadcaster in the class's start method, the way that method already starts
    the other broadcasters: one more task appended the same way, or one more method in the
    tuple it loops over."""
    broadcaster = _function_named_at(target, finding.line)
    if broadcaster is None or broadcaster.asynchronous is None:
        return None
    klass = target.owning_class(broadcaster)
    if klass is None or not is_plain_method(broadcaster) or required_parameters(broadcaster) != ["self"]:
        return None
    methods = methods_of(klass)
    start = next((methods[name] for name in target.settings.start_methods if name in methods), None)
    if start is None:
        return None
    name = broadcaster.name.value
    where = f"`{klass.name.value}.{start.name.value}()`"
    if _extend_loop_over_methods(start, methods, name, plan) or _copy_spawn_line(start, methods, name, plan):
        return f"Start `{name}` in {where} like the other tasks"
    return None


def _function_named_at(target: FixTarget, line: int) -> cst.FunctionDef | None:
    for node, where in target.positions.items():
        if isinstance(node, cst.FunctionDef) and target.positions[node.name].start.line == line:
            return node
    return None


def _extend_loop_over_methods(
    start: cst.FunctionDef, methods: dict[str, cst.FunctionDef], name: str, plan: Plan
) -> bool:
    """``for b in (self._a, self._b): ...create_task(b())``: add ``self.<name>`` to the tuple."""
    for node in body_statements(start):
        if not isinstance(node, cst.For) or not isinstance(node.target, cst.Name):
            continue
        iterated = node.iter
        if not isinstance(iterated, (cst.Tuple, cst.List)) or not iterated.elements:
            continue
        attributes = [self_attribute(element.value) for element in iterated.elements]
        if not all(a in methods for a in attributes) or not _spawns_call_of(node.body, node.target.value):
            continue
        plan.replace(iterated, lambda updated: _with_element(updated, name))
        return True
    return False


def _spawns_call_of(body: cst.CSTNode, variable: str) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if is_spawn(node) and node.args:
                argument = node.args[0].value
                if isinstance(argument, cst.Call) and isinstance(argument.func, cst.Name):
                    found = found or argument.func.value == variable

    body.visit(Finder())
    return found


def _with_element(
    sequence: cst.Tuple | cst.List, name: str, value: cst.BaseExpression | None = None
) -> cst.Tuple | cst.List:
    """``sequence`` with one more element, ``value`` (default ``self.<name>``), laid out like
    the others."""
    elements = list(sequence.elements)
    last = elements[-1]
    value = value if value is not None else cst.Attribute(value=cst.Name("self"), attr=cst.Name(name))
    if len(elements) > 1 and isinstance(elements[-2].comma, cst.Comma):
        separator = elements[-2].comma
    else:  # one element: laid out as the opening bracket lays it out (on its own line, or not)
        separator = cst.Comma(whitespace_after=_after_opening(sequence))
    closing = last.comma
    one_line = not isinstance(_after_opening(sequence), cst.ParenthesizedWhitespace)
    if isinstance(sequence, cst.Tuple) and len(elements) == 1 and one_line:
        closing = cst.MaybeSentinel.DEFAULT  # ``(a,)``: the comma made it a tuple; ``(a, b)`` needs none
    elements[-1] = last.with_changes(comma=separator)
    elements.append(last.with_changes(value=value, comma=closing))
    return sequence.with_changes(elements=elements)


def _after_opening(sequence: cst.Tuple | cst.List) -> cst.BaseParenthesizableWhitespace:
    if isinstance(sequence, cst.List):
        opening = sequence.lbracket.whitespace_after
    else:
        opening = sequence.lpar[0].whitespace_after if sequence.lpar else cst.SimpleWhitespace("")
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return opening
    return cst.SimpleWhitespace(" ")


def _copy_spawn_line(
    start: cst.FunctionDef, methods: dict[str, cst.FunctionDef], name: str, plan: Plan
) -> bool:
    """``self._tasks.append(asyncio.create_task(self._a()))``, ``tg.create_task(self._a())``,
    ``nursery.start_soon(self._a)``: the same line for ``name`` after the last such line (in
    whatever block of the start method it stands); or one more element in a list of such
    tasks (``self._tasks = [asyncio.create_task(self._a()), ...]``)."""
    template = None
    for node in _statements_within(start):
        if _spawn_method_line(node, methods) is not None or _task_list(node, methods) is not None:
            template = node
    if template is None:
        return False
    listed = _task_list(template, methods)
    if listed is not None:  # the copy is made from the original nodes: the renamer knows them
        last = listed.elements[-1].value
        copy = last.visit(_Renamer(_started_method(last, methods), name))
        plan.replace(listed, lambda updated: _with_element(updated, name, value=copy))  # type: ignore[arg-type]
        return True
    plan.insert_after(template, without_comment(_renamed_spawn(template, methods, name)))
    return True


def _statements_within(function: cst.FunctionDef) -> list[cst.SimpleStatementLine]:
    """The function's statement lines, in blocks at any depth (not in nested defs)."""
    found: list[cst.SimpleStatementLine] = []

    class Finder(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    function.body.visit(Finder())
    return found


# Calls that start what they are given: a coroutine (``create_task(self._a())``) or a
# coroutine function (``start_soon(self._a)``, ``add_task(self._a)``).
STARTS_A_CALL = frozenset({"create_task", "ensure_future"})
STARTS_A_FUNCTION = frozenset({"start_soon", "add_task"})


def _started_method(node: cst.CSTNode, methods: dict[str, cst.FunctionDef]) -> cst.Attribute | None:
    """The ``self.<method>`` a spawn call starts: ``create_task(self.<method>())``,
    ``start_soon(self.<method>)``."""
    if not isinstance(node, cst.Call) or not node.args:
        return None
    first = node.args[0].value
    name = final_name(node.func)
    if name in STARTS_A_CALL and isinstance(first, cst.Call) and not first.args:
        first = first.func
    elif name not in STARTS_A_FUNCTION or len(node.args) != 1:
        return None
    return first if isinstance(first, cst.Attribute) and self_attribute(first) in methods else None


def _spawn_method_line(node: cst.CSTNode, methods: dict[str, cst.FunctionDef]) -> cst.Attribute | None:
    """The ``self.<method>`` a line like ``x.append(create_task(self.<method>()))`` or
    ``tg.create_task(self.<method>())`` starts."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    small = node.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return None
    call = small.value
    if (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value in ("append", "add")
        and len(call.args) == 1
    ):
        return _started_method(call.args[0].value, methods)
    return _started_method(call, methods)


def _task_list(node: cst.CSTNode, methods: dict[str, cst.FunctionDef]) -> cst.List | cst.Tuple | None:
    """``x = [create_task(self._a()), create_task(self._b())]``: the list (or tuple)."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    small = node.body[0]
    value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
    if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements:
        return None
    if all(_started_method(element.value, methods) is not None for element in value.elements):
        return value
    return None


class _Renamer(cst.CSTTransformer):
    """Renames the one ``self.<method>`` attribute ``started`` to ``self.<name>``."""

    def __init__(self, started: cst.Attribute | None, name: str) -> None:
        super().__init__()
        self.started, self.name = started, name

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        if original is self.started:
            return updated.with_changes(attr=cst.Name(self.name))
        return updated


def _renamed_spawn(
    line: cst.SimpleStatementLine, methods: dict[str, cst.FunctionDef], name: str
) -> cst.SimpleStatementLine:
    return line.visit(_Renamer(_spawn_method_line(line, methods), name))  # type: ignore[return-value]
