"""Parse an audit target the way gunicorn parses its ``APP_MODULE`` argument.

``pkg.wsgi:app`` names a module attribute; ``pkg:create_app()`` or
``pkg:create_app("production", debug=False)`` calls a factory with literal arguments
(``ast.literal_eval``, never ``eval``). A bare ``MODULE`` is looked up as ``flask
--app`` does: an ``app`` or ``application`` attribute, else a ``create_app`` or
``make_app`` factory called without arguments.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Final

DEFAULT_NAMES: Final = ("app", "application")
DEFAULT_FACTORIES: Final = ("create_app", "make_app")


class TargetError(ValueError):
    """The target string itself is malformed (a usage error, nothing was imported)."""


@dataclass(frozen=True)
class Target:
    """What to import and how to get the app object from it."""

    module: str
    name: str | None = None
    call: bool = False
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.name is None:
            return self.module
        if not self.call:
            return f"{self.module}:{self.name}"
        params = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.module}:{self.name}({', '.join(params)})"


def parse_target(text: str) -> Target:
    """``MODULE[:NAME | :FACTORY(LITERAL ARGS)]`` as gunicorn accepts it."""
    module, _, expression = text.strip().partition(":")
    if not module:
        raise TargetError(f"no module in {text!r}; expected MODULE:APP, e.g. wsgi:app")
    if module.endswith(".py"):
        suggestion = module[:-3].replace("/", ".")
        raise TargetError(f"{text!r} is a file name; give the module: {suggestion}:app")
    if not all(part.isidentifier() for part in module.split(".")):
        raise TargetError(f"{module!r} is not a module name (dotted Python identifiers)")
    if not expression:
        return Target(module)
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise TargetError(
            f"cannot parse {expression!r} as an attribute name or a function call"
        ) from None
    if isinstance(node, ast.Name):
        return Target(module, node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        try:
            args = tuple(ast.literal_eval(arg) for arg in node.args)
            kwargs = {str(kw.arg): ast.literal_eval(kw.value) for kw in node.keywords}
        except ValueError:
            raise TargetError(
                f"the arguments of {expression!r} must be literals (strings, numbers, ...)"
            ) from None
        if any(kw.arg is None for kw in node.keywords):
            raise TargetError(f"**kwargs are not supported in {expression!r}")
        return Target(module, node.func.id, call=True, args=args, kwargs=kwargs)
    raise TargetError(
        f"{expression!r} must be a name (wsgi:app) or a factory call (pkg:create_app())"
    )
