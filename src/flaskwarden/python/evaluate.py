"""A tiny, safe static evaluator for configuration expressions.

It answers one question the rules keep asking: *what does this expression evaluate to
on a machine where no environment variable is set?* ``os.environ.get("FLASK_DEBUG") == "1"``
is ``False`` there (off unless set: not a finding); ``os.getenv("DEBUG", "True") == "True"``
is ``True`` (on unless unset: a finding). Nothing is executed: only literals, environment
lookups (their defaults), comparisons, boolean logic and a few pure string/number
conversions are understood; everything else is :data:`UNKNOWN`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

# Qualified names of calls that read the environment. The value is the index of the
# positional default argument and the keyword that may carry it.
ENV_LOOKUPS: Final[dict[str, tuple[int, str]]] = {
    "os.environ.get": (1, "default"),
    "os.getenv": (1, "default"),
    "os.environ.setdefault": (1, "default"),
    "decouple.config": (99, "default"),
    "environ.get": (1, "default"),
}
ENV_REQUIRED: Final = frozenset({"os.environ.__getitem__", "os.environ"})

# Calls whose value is new random material in every process.
PER_PROCESS_CALLS: Final = frozenset(
    {
        "os.urandom",
        "secrets.token_hex",
        "secrets.token_bytes",
        "secrets.token_urlsafe",
        "uuid.uuid4",
        "uuid.uuid1",
        "random.random",
        "random.getrandbits",
        "random.randbytes",
    }
)

# Calls that draw random material: a function whose every return uses one makes a
# fresh value per call (def random_secret(n): return "".join(secrets.choice(...)...)).
RANDOM_CALLS: Final = PER_PROCESS_CALLS | frozenset(
    {
        "secrets.choice",
        "secrets.randbelow",
        "random.choice",
        "random.choices",
        "random.sample",
        "random.randint",
        "random.randrange",
    }
)

_STR_METHODS: Final[dict[str, Callable[[str], Any]]] = {
    "lower": str.lower,
    "upper": str.upper,
    "strip": str.strip,
    "casefold": str.casefold,
    "title": str.title,
    "capitalize": str.capitalize,
}

# Methods the evaluator follows on a known value (``os.getenv("X", "").lower()``).
VALUE_METHODS: Final = frozenset({*_STR_METHODS, "encode"})

_COMPARE: Final[dict[type[ast.cmpop], Callable[[Any, Any], Any]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

_CONVERSIONS: Final[dict[str, Callable[[Any], Any]]] = {
    "bool": bool,
    "int": int,
    "str": str,
    "float": float,
    "repr": repr,
}


@dataclass(frozen=True)
class EnvFallback:
    """An environment lookup with a default: ``os.environ.get(var, default)``."""

    var: str
    default: Any
    line: int
    column: int


@dataclass(frozen=True)
class Value:
    """What an expression is known to be when no environment variable is set.

    ``value`` is :data:`UNKNOWN` when it cannot be known statically. ``literal`` means
    the expression is (or is a module constant bound to) a literal in the source.
    ``per_process`` means it is fresh random material in each process.
    """

    value: Any = UNKNOWN
    env: tuple[str, ...] = ()
    literal: bool = False
    per_process: bool = False
    fallback: EnvFallback | None = None
    constant: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    @property
    def truthy(self) -> bool:
        """Known and true when no environment variable is set."""
        if not self.known:
            return False
        try:
            return bool(self.value)
        except Exception:
            return False


NOTHING: Final = Value()


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else ``None``."""
    if node.__class__ is ast.Name:
        return node.id  # the commonest case, at once
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Evaluator:
    """Evaluates expressions of one module, knowing its imports and constants."""

    def __init__(
        self,
        imports: Mapping[str, str],
        constants: Mapping[str, Value] | None = None,
        random_functions: frozenset[str] = frozenset(),
    ) -> None:
        self.imports = imports
        self.constants: dict[str, Value] = dict(constants or {})
        # the module's own functions that return fresh random material
        self.random_functions = random_functions

    def qualify(self, node: ast.expr) -> str | None:
        """The qualified name of a name/attribute chain, following the module's imports."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        base = self.imports.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def env_lookup(self, node: ast.expr) -> tuple[str, ast.expr | None] | None:
        """``(variable, default expression)`` if ``node`` reads an environment variable."""
        if isinstance(node, ast.Subscript):
            if self.qualify(node.value) == "os.environ":
                key = node.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return key.value, None
                return "?", None
            return None
        if not isinstance(node, ast.Call):
            return None
        qual = self.qualify(node.func)
        if qual not in ENV_LOOKUPS:
            return None
        index, keyword = ENV_LOOKUPS[qual]
        var = "?"
        if node.args and isinstance(node.args[0], ast.Constant):
            var = str(node.args[0].value)
        default: ast.expr | None = None
        if len(node.args) > index:
            default = node.args[index]
        for kw in node.keywords:
            if kw.arg == keyword:
                default = kw.value
        return var, default

    def _environ_membership(self, node: ast.Compare) -> Value | None:
        """``"X" in os.environ`` is false where no variable is set (``not in``: true)."""
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if not isinstance(op, (ast.In, ast.NotIn)) or self.qualify(right) != "os.environ":
            return None
        if not (isinstance(left, ast.Constant) and isinstance(left.value, str)):
            return Value(env=("?",))
        return Value(isinstance(op, ast.NotIn), env=(left.value,))

    def evaluate(self, node: ast.expr, depth: int = 0) -> Value:
        if depth > 40:
            return NOTHING
        try:
            return self._evaluate(node, depth + 1)
        except RecursionError:
            return NOTHING

    def _evaluate(self, node: ast.expr, depth: int) -> Value:
        if isinstance(node, ast.Constant):
            return Value(node.value, literal=True)
        if isinstance(node, ast.Name):
            known = self.constants.get(node.id)
            if known is not None:
                return Value(
                    known.value,
                    known.env,
                    known.literal,
                    known.per_process,
                    known.fallback,
                    constant=node.id,
                )
            return NOTHING
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # Settings.DEBUG_MODE: a constant of a class of this module
            name = f"{node.value.id}.{node.attr}"
            known = self.constants.get(name)
            if known is not None:
                return replace(known, constant=name)
        lookup = self.env_lookup(node)
        if lookup is not None:
            var, default_node = lookup
            if default_node is None:
                # os.environ["X"] fails fast when unset; .get("X") is None when unset.
                is_required = isinstance(node, ast.Subscript)
                return Value(UNKNOWN if is_required else None, env=(var,))
            default = self.evaluate(default_node, depth)
            return Value(
                default.value,
                env=(var, *default.env),
                per_process=default.per_process,
                fallback=EnvFallback(
                    var, default.value, default_node.lineno, default_node.col_offset + 1
                ),
            )
        if isinstance(node, ast.BoolOp):
            return self._boolop(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.evaluate(node.operand, depth)
            if not inner.known:
                return Value(env=inner.env)
            return Value(not inner.value, env=inner.env)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            membership = self._environ_membership(node)
            if membership is not None:
                return membership
            left = self.evaluate(node.left, depth)
            right = self.evaluate(node.comparators[0], depth)
            env = left.env + right.env
            op = _COMPARE.get(type(node.ops[0]))
            if op is None or not left.known or not right.known:
                return Value(env=env)
            try:
                return Value(bool(op(left.value, right.value)), env=env)
            except Exception:
                return Value(env=env)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [self.evaluate(e, depth) for e in node.elts]
            if all(i.known for i in items):
                return Value(tuple(i.value for i in items), literal=True)
            return NOTHING
        if isinstance(node, ast.IfExp):
            test = self.evaluate(node.test, depth)
            if test.known:
                chosen = node.body if test.truthy else node.orelse
                result = self.evaluate(chosen, depth)
                return Value(
                    result.value,
                    env=test.env + result.env,
                    per_process=result.per_process,
                    fallback=result.fallback,
                )
            return Value(env=test.env)
        if isinstance(node, ast.Attribute):
            inner = self.evaluate(node.value, depth)
            if inner.per_process:
                return Value(per_process=True, env=inner.env)
            return NOTHING
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        return NOTHING

    def _boolop(self, node: ast.BoolOp, depth: int) -> Value:
        env: tuple[str, ...] = ()
        per_process = False
        fallback: EnvFallback | None = None
        result: Value = NOTHING
        is_or = isinstance(node.op, ast.Or)
        for item in node.values:
            value = self.evaluate(item, depth)
            env += value.env
            per_process = per_process or value.per_process
            if value.fallback and fallback is None:
                fallback = value.fallback
            if not value.known:
                return Value(env=env, per_process=value.per_process or per_process)
            result = value
            if bool(value.value) == is_or:
                break
            if is_or and not value.value and value.env and not fallback:
                # `os.environ.get("X") or <default>`: the right side is a fallback.
                rest = node.values[node.values.index(item) + 1 :]
                if rest:
                    default = self.evaluate(rest[0], depth)
                    fallback = EnvFallback(
                        value.env[0], default.value, rest[0].lineno, rest[0].col_offset + 1
                    )
        return Value(
            result.value,
            env=env,
            literal=False,
            per_process=per_process or result.per_process,
            fallback=fallback,
        )

    def _call(self, node: ast.Call, depth: int) -> Value:
        qual = self.qualify(node.func)
        if qual in PER_PROCESS_CALLS:
            return Value(per_process=True)
        if isinstance(node.func, ast.Name) and node.func.id in self.random_functions:
            return Value(per_process=True)
        if isinstance(node.func, ast.Attribute):
            receiver = self.evaluate(node.func.value, depth)
            if receiver.per_process:
                return Value(per_process=True, env=receiver.env)
            method = _STR_METHODS.get(node.func.attr)
            if method is not None and isinstance(receiver.value, str) and not node.args:
                return Value(method(receiver.value), env=receiver.env, fallback=receiver.fallback)
            if node.func.attr == "encode" and isinstance(receiver.value, str):
                encoded = _encoded(receiver.value, node)
                if encoded is None:
                    return Value(env=receiver.env)
                return Value(
                    encoded,
                    env=receiver.env,
                    literal=receiver.literal,
                    fallback=receiver.fallback,
                )
            return Value(env=receiver.env)
        if isinstance(node.func, ast.Name) and node.func.id in _CONVERSIONS and len(node.args) == 1:
            inner = self.evaluate(node.args[0], depth)
            if inner.per_process:
                return Value(per_process=True, env=inner.env)
            if not inner.known:
                return Value(env=inner.env, fallback=inner.fallback)
            try:
                converted = _CONVERSIONS[node.func.id](inner.value)
            except Exception:
                return Value(env=inner.env)
            return Value(converted, env=inner.env, fallback=inner.fallback)
        return NOTHING


def _encoded(text: str, call: ast.Call) -> bytes | None:
    """``text.encode(...)`` with constant arguments, or ``None`` when it cannot be known
    (an argument that is not a literal, or text the codec cannot encode, such as a lone
    surrogate: that raises at run time)."""
    if len(call.args) > 2 or any(k.arg not in ("encoding", "errors") for k in call.keywords):
        return None
    positional = zip(("encoding", "errors"), call.args, strict=False)
    named = [*positional, *((k.arg, k.value) for k in call.keywords)]
    options = {"encoding": "utf-8", "errors": "strict"}
    for name, argument in named:
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            return None
        options[str(name)] = argument.value
    try:
        return text.encode(options["encoding"], options["errors"])
    except (UnicodeError, LookupError):
        return None
