"""One fixer per rule id: FW101, FW102 (safe), FW103 and FW201 (unsafe).

Each fixes only the unambiguous form of its finding and leaves anything else (a
constant defined elsewhere, an environment lookup, a call inside a function) for a
person to decide; such findings simply have no fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import libcst as cst

from flaskwarden.findings import Finding, Severity
from flaskwarden.fix.base import RuleFix, env_name, is_string_literal, is_true, string_value
from flaskwarden.python.names import is_secret_key_name

DEBUG_FROM_ENV: Final = 'os.environ.get("FLASK_DEBUG") == "1"'
_MAPPING_METHODS: Final = frozenset({"update", "from_mapping"})
_LOOPBACK: Final = {
    "0.0.0.0": "127.0.0.1",
    "": "127.0.0.1",
    "0:0:0:0:0:0:0:0": "::1",
    "::": "::1",
    "[::]": "::1",
}


def _setting_name(target: cst.BaseAssignTargetExpression) -> str | None:
    """``DEBUG``, ``app.debug``, ``app.config["DEBUG"]`` -> the name being set."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if (
        isinstance(target, cst.Subscript)
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
    ):
        return string_value(target.slice[0].slice.value)
    return None


def _single_target(node: cst.Assign | cst.AnnAssign) -> cst.BaseAssignTargetExpression | None:
    if isinstance(node, cst.AnnAssign):
        return node.target
    return node.targets[0].target if len(node.targets) == 1 else None


class _SettingFix(RuleFix):
    """Replaces the value of one setting, whichever way it is written.

    Handles ``NAME = value`` (module constant, class attribute), ``x.name = value``,
    ``x.config["NAME"] = value``, ``x.config.update(NAME=value)`` /
    ``from_mapping(...)`` (keywords or a dict literal) and ``setdefault("NAME", value)``.
    """

    def matches(self, name: str, value: cst.BaseExpression) -> bool:
        raise NotImplementedError

    def replacement(self, name: str) -> cst.BaseExpression:
        raise NotImplementedError

    def _replace(self, name: str | None, value: cst.BaseExpression) -> cst.BaseExpression | None:
        if name is None or not self.matches(name, value):
            return None
        self.applied = True
        return self.replacement(name)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        target = _single_target(updated_node)
        if target is None or not self.starts_at_target(original_node):
            return updated_node
        new = self._replace(_setting_name(target), updated_node.value)
        return updated_node if new is None else updated_node.with_changes(value=new)

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        if updated_node.value is None or not self.starts_at_target(original_node):
            return updated_node
        new = self._replace(_setting_name(updated_node.target), updated_node.value)
        return updated_node if new is None else updated_node.with_changes(value=new)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if not isinstance(func, cst.Attribute) or not self.starts_at_target(original_node):
            return updated_node
        method = func.attr.value
        if method == "setdefault" and len(updated_node.args) == 2:
            key, value = updated_node.args
            new = self._replace(string_value(key.value), value.value)
            if new is None:
                return updated_node
            return updated_node.with_changes(args=(key, value.with_changes(value=new)))
        if method in _MAPPING_METHODS:
            return updated_node.with_changes(args=self._mapping_args(updated_node.args))
        return updated_node

    def _mapping_args(self, args: Sequence[cst.Arg]) -> list[cst.Arg]:
        fixed = []
        for arg in args:
            if arg.keyword is not None:
                new = self._replace(arg.keyword.value, arg.value)
                fixed.append(arg if new is None else arg.with_changes(value=new))
            elif isinstance(arg.value, cst.Dict) and arg.star == "":
                fixed.append(arg.with_changes(value=self._dict(arg.value)))
            else:
                fixed.append(arg)
        return fixed

    def _dict(self, node: cst.Dict) -> cst.Dict:
        elements: list[cst.BaseDictElement] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                new = self._replace(string_value(element.key), element.value)
                if new is not None:
                    element = element.with_changes(value=new)
            elements.append(element)
        return node.with_changes(elements=elements)


class DebugFromEnvironment(_SettingFix):
    """FW101: a literal ``True`` debug switch becomes an environment switch, off by default."""

    rule = "FW101"
    description = (
        'Read debug mode from the environment, off unless set: os.environ.get("FLASK_DEBUG") '
        '== "1" (develop with FLASK_DEBUG=1 or flask run --debug).'
    )
    needs_os = True

    def matches(self, name: str, value: cst.BaseExpression) -> bool:
        return name in ("DEBUG", "debug") and is_true(value)

    def replacement(self, name: str) -> cst.BaseExpression:
        return cst.parse_expression(DEBUG_FROM_ENV)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        # The finding points at the value of `debug=True` / `use_debugger=True` itself.
        if is_true(original_node) and self.starts_at_target(original_node):
            self.applied = True
            return cst.parse_expression(DEBUG_FROM_ENV)
        return updated_node


class SecretFromEnvironment(_SettingFix):
    """FW201: a literal secret key becomes ``os.environ["SECRET_KEY"]``.

    Unsafe: the app then refuses to start without the variable, and sessions signed
    with the old key end. Keys in tests and development configs (reported below
    medium) are left alone: making a test suite need a secret helps nobody.
    """

    rule = "FW201"
    description = (
        'Read the key from the environment: os.environ["SECRET_KEY"]. Unsafe: the app then '
        "needs the variable set wherever it runs; rotate the old key, it is public."
    )
    safe = False
    needs_os = True

    @classmethod
    def wanted(cls, finding: Finding) -> bool:
        return finding.severity >= Severity.MEDIUM

    def matches(self, name: str, value: cst.BaseExpression) -> bool:
        return is_secret_key_name(name) and is_string_literal(value)

    def replacement(self, name: str) -> cst.BaseExpression:
        return cst.parse_expression(f'os.environ["{env_name(name)}"]')


class LoopbackHost(RuleFix):
    """FW103: the development server's ``host="0.0.0.0"`` becomes ``"127.0.0.1"``."""

    rule = "FW103"
    description = (
        'Bind the development server to loopback ("127.0.0.1"); serve the network through '
        "gunicorn or uWSGI instead. Unsafe: a container or VM that runs this script to be "
        "reached from outside stops answering until it runs a production server."
    )
    safe = False

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = string_value(original_node)
        if value not in _LOOPBACK or not self.starts_at_target(original_node):
            return updated_node
        self.applied = True
        quote = updated_node.quote
        return updated_node.with_changes(
            value=f"{updated_node.prefix}{quote}{_LOOPBACK[value]}{quote}"
        )


_MAIN_GUARD: Final = '__name__ == "__main__"'


class MainGuard(RuleFix):
    """FW102: a statement ``app.run(...)`` run at import time moves under the main guard.

    Only a call that is a statement of its own outside any function or class, and not
    already inside an ``if`` on ``__name__`` (the ``else:`` of the guard: what was meant
    there is unclear), is wrapped.
    """

    rule = "FW102"
    description = (
        'Move the call under if __name__ == "__main__": so that importing the module no '
        "longer starts the development server."
    )
    order = 1

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if len(original_node.body) != 1 or not isinstance(original_node.body[0], cst.Expr):
            return updated_node
        call = original_node.body[0].value
        if not isinstance(call, cst.Call) or not self.starts_at_target(call):
            return updated_node
        if not _is_run_call(call) or not self._at_import_level(original_node):
            return updated_node
        self.applied = True
        body = updated_node.with_changes(leading_lines=())
        return cst.If(
            test=cst.parse_expression(_MAIN_GUARD),
            body=cst.IndentedBlock(body=[body]),
            leading_lines=updated_node.leading_lines,
        )

    def _at_import_level(self, statement: cst.CSTNode) -> bool:
        for node in self.ancestors(statement):
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                return False
            if isinstance(node, cst.If) and _mentions_name(node.test):
                return False
        return True


class _NameFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == "__name__"


def _mentions_name(test: cst.BaseExpression) -> bool:
    """Whether an ``if`` test reads ``__name__`` (the main guard, either way round)."""
    finder = _NameFinder()
    test.visit(finder)
    return finder.found


def _is_run_call(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value in ("run", "run_simple")
    return isinstance(func, cst.Name) and func.value == "run_simple"


FIXERS: Final[dict[str, type[RuleFix]]] = {
    fixer.rule: fixer
    for fixer in (DebugFromEnvironment, MainGuard, LoopbackHost, SecretFromEnvironment)
}
