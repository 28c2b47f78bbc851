"""Sleep intervals: literals by arithmetic on the ``ast``, everything else through astroid."""

from __future__ import annotations

import ast
import operator
from typing import Any, Callable

from wslint.analysis.inference import InferenceView

OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
}


def literal_number(node: ast.AST) -> float | None:
    """The value of a numeric literal or arithmetic on literals (``0.5``, ``500 / 1000``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return None if isinstance(node.value, bool) else float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = literal_number(node.operand)
        if value is None:
            return None
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = literal_number(node.left), literal_number(node.right)
        if left is None or right is None:
            return None
        try:
            return float(OPERATORS[type(node.op)](left, right))
        except (ZeroDivisionError, OverflowError):
            return None
    return None


def interval_values(node: ast.AST | None, inference: InferenceView | None) -> list[float] | None:
    """Every value an interval expression can take, or None when it cannot be known."""
    if node is None:
        return None
    literal = literal_number(node)
    if literal is not None:
        return [literal]
    if isinstance(node, ast.Constant) or inference is None:
        return None
    return inference.numbers(node)
