"""Paths that depend on a parameter the caller fixes with a literal.

``if allow_html: message = Markup(message)`` runs only when ``allow_html`` is true. A
function's summary records such conditions as *guards* on what happens under them (a
sink, a call, a blocking call, a value bound); a call site records its literal
arguments. A call whose literals (or the defaults it leaves) fail a guard cannot take
that path: ``flash_error(text)`` with ``allow_html=False`` by default never reaches
``Markup``. Everything else (a guard on a parameter the body rebinds, an argument that
is not a literal, ``*args``) keeps the path, so a guard can only remove what cannot
happen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, TypeGuard

from flaskwarden.python.analyze import assigned_targets
from flaskwarden.python.evaluate import dotted
from flaskwarden.python.nodes import all_statements, walk

# ``(parameter, test, value)``: the test is "truthy", "falsy", "eq", "ne", or "unset":
# the caller leaves the parameter to its default (``timeout=None`` in a helper that
# passes it on: only a call that gives no timeout waits for ever).
Guard = tuple[str, str, object]
NO_GUARDS: Final[frozenset[Guard]] = frozenset()
# Literals kept for deciding guards: short, hashable and picklable.
_LITERALS: Final = (str, int, float, bool, type(None))
_MAX_TEXT: Final = 64


@dataclass(frozen=True)
class CallLiterals:
    """What a call site fixes: its literal arguments (keyed by position, ``"0"``, or
    ``"kw:name"``), every argument key it passes, and whether ``*a``/``**kw`` may pass
    more."""

    consts: tuple[tuple[str, object], ...] = ()
    given: frozenset[str] = frozenset()
    spread: bool = False


UNKNOWN_CALL: Final = CallLiterals(spread=True)
_NO_ARGUMENTS: Final = CallLiterals()


def call_literals(node: ast.Call) -> CallLiterals:
    if not node.args and not node.keywords:
        return _NO_ARGUMENTS
    starred = any(isinstance(arg, ast.Starred) for arg in node.args)
    pairs = [] if starred else [(str(i), arg) for i, arg in enumerate(node.args)]
    pairs += [(f"kw:{k.arg}", k.value) for k in node.keywords if k.arg]
    spread = starred or any(k.arg is None for k in node.keywords)
    return CallLiterals(
        tuple((key, arg.value) for key, arg in pairs if _literal(arg)),
        frozenset(key for key, _ in pairs),
        spread,
    )


def literal_defaults(args: ast.arguments) -> tuple[tuple[str, object], ...]:
    """A function's parameters that default to a literal, with the literal."""
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :]
    pairs = list(zip(with_default, args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return tuple((a.arg, d.value) for a, d in pairs if _literal(d))


class GuardTests:
    """Reads the ``if`` tests of one function as guards on its parameters."""

    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.node = node
        args = node.args
        self.params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        self._fixed: set[str] | None = None

    def __call__(self, test: ast.expr) -> tuple[frozenset[Guard], frozenset[Guard]]:
        """The guards in the ``if`` body and in its ``else``."""
        body, orelse = _guard_test(test, self.params)
        if not body and not orelse:
            return NO_GUARDS, NO_GUARDS
        fixed = self._fixed_params()
        return (
            frozenset(g for g in body if g[0] in fixed),
            frozenset(g for g in orelse if g[0] in fixed),
        )

    def _fixed_params(self) -> set[str]:
        """Parameters the function never rebinds: a test on one says what was passed."""
        if self._fixed is None:
            fixed = set(self.params)
            for stmt in all_statements(self.node.body):
                for target in assigned_targets(stmt):
                    fixed.difference_update(n.id for n in walk(target) if isinstance(n, ast.Name))
            self._fixed = fixed
        return self._fixed


def _guard_test(test: ast.expr, fixed: set[str]) -> tuple[frozenset[Guard], frozenset[Guard]]:
    """What an ``if`` test says about the ``fixed`` parameters in its body and in its
    ``else``: ``if remote:``, ``if not raw:``, ``if kind == "json":``, ``and``/``or``."""
    if isinstance(test, ast.Name) and test.id in fixed:
        return frozenset({(test.id, "truthy", None)}), frozenset({(test.id, "falsy", None)})
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        body, orelse = _guard_test(test.operand, fixed)
        return orelse, body
    if isinstance(test, ast.BoolOp):
        parts = [_guard_test(value, fixed) for value in test.values]
        if isinstance(test.op, ast.And):
            return frozenset().union(*(body for body, _ in parts)), NO_GUARDS
        return NO_GUARDS, frozenset().union(*(orelse for _, orelse in parts))
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = test.left, test.comparators[0]
        if isinstance(left, ast.Constant):
            left, right = right, left
        op = test.ops[0]
        if (
            isinstance(left, ast.Name)
            and left.id in fixed
            and _literal(right)
            and isinstance(op, (ast.Eq, ast.Is, ast.NotEq, ast.IsNot))
        ):
            equal = frozenset({(left.id, "eq", right.value)})
            differ = frozenset({(left.id, "ne", right.value)})
            return (equal, differ) if isinstance(op, (ast.Eq, ast.Is)) else (differ, equal)
    return NO_GUARDS, NO_GUARDS


def refuted(
    guards: Iterable[Guard],
    call: CallLiterals,
    params: tuple[str, ...],
    defaults: tuple[tuple[str, object], ...],
) -> bool:
    """Whether this call certainly fails one of the callee's guards. ``params`` are
    the callee's parameters in order (``self``/``cls`` already left out)."""
    if not call.consts and call.spread:
        return False
    consts = dict(call.consts)
    default = dict(defaults)
    for guard in guards:
        param = guard[0]
        keys = [f"kw:{param}"]
        if param in params:
            keys.append(str(params.index(param)))
        if guard[1] == "unset":
            if not call.spread and any(key in call.given or key in consts for key in keys):
                return True  # passed, whatever the value: the caller chose it
            continue
        value: object
        known = [key for key in keys if key in consts]
        if known:
            value = consts[known[0]]
        elif call.spread or any(key in call.given for key in keys):
            continue  # passed, but not as a literal
        elif param in default:
            value = default[param]
        else:
            continue
        if not _holds(guard, value):
            return True
    return False


def _holds(guard: Guard, value: object) -> bool:
    _, test, expected = guard
    if test == "truthy":
        return bool(value)
    if test == "falsy":
        return not value
    if test == "eq":
        return bool(value == expected)
    return bool(value != expected)


def _literal(node: ast.expr) -> TypeGuard[ast.Constant]:
    if not isinstance(node, ast.Constant) or not isinstance(node.value, _LITERALS):
        return False
    return not isinstance(node.value, str) or len(node.value) <= _MAX_TEXT


def after_if(
    stmt: ast.If,
    enclosing: frozenset[Guard],
    body: frozenset[Guard],
    orelse: frozenset[Guard],
) -> frozenset[Guard]:
    """The guards for the statements after an ``if``: when one branch always leaves,
    what follows runs only under the other's (``if not remote: return ...``)."""
    if exits(stmt.body):
        return enclosing | orelse
    if exits(stmt.orelse):
        return enclosing | body
    return enclosing


def exits(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves the function (return, raise, abort(...))."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        name = dotted(last.value.func) or ""
        return name.split(".")[-1] in ("abort", "exit")
    if isinstance(last, ast.If):
        return exits(last.body) and exits(last.orelse)
    return False
