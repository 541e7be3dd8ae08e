"""What the deployment model needs from the project's Python code, beyond the facts.

The facts hold values evaluated with *no* environment variable set. A deployment
target runs with a known environment, so the expressions that decide debug and host
(``app.run(debug=os.getenv("FLASK_ENV") == "development")``) are found again in the
module's AST and evaluated with the target's environment. Nothing is executed.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

from flaskwarden.python.evaluate import Evaluator, Value
from flaskwarden.python.facts import ModuleFacts, Span


class EnvEvaluator(Evaluator):
    """The facts' evaluator, with some environment variables known: a lookup of a
    variable in ``env`` evaluates to its value instead of to its default; module
    constants are re-evaluated from their own expressions with the same environment."""

    def __init__(
        self,
        imports: Mapping[str, str],
        env: Mapping[str, str | None],
        constants: Mapping[str, ast.expr],
    ) -> None:
        super().__init__(imports)
        self.env = env
        self.constant_nodes = constants
        self._active: set[str] = set()

    def evaluate(self, node: ast.expr, depth: int = 0) -> Value:
        lookup = self.env_lookup(node)
        if lookup is not None:
            name = lookup[0]
            if name in self.env:
                value = self.env[name]
                return Value(value, env=(name,)) if value is not None else Value(env=(name,))
        if isinstance(node, ast.Name) and node.id in self.constant_nodes:
            if node.id in self._active or depth > 30:
                return Value()
            self._active.add(node.id)
            try:
                inner = self.evaluate(self.constant_nodes[node.id], depth + 1)
            finally:
                self._active.discard(node.id)
            return Value(inner.value, inner.env, constant=node.id)
        return super().evaluate(node, depth)


@dataclass
class ModuleSource:
    """A project module's AST and the pieces the resolution looks up in it."""

    facts: ModuleFacts
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    main_calls: set[str] = field(default_factory=set)

    def evaluator(self, env: Mapping[str, str | None]) -> EnvEvaluator:
        return EnvEvaluator(self.facts.imports, env, self.constants)

    def expression_at(self, span: Span) -> ast.expr | None:
        """The expression that starts where ``span`` starts."""
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.expr)
                and node.lineno == span.line
                and node.col_offset + 1 == span.column
                and (node.end_lineno or node.lineno) == span.end_line
            ):
                return node
        return None

    def statement_value(self, span: Span, key: str) -> ast.expr | None:
        """The value a statement at ``span`` assigns to ``key``: ``x = v``,
        ``app.config["KEY"] = v``, ``config.update(KEY=v)`` / ``from_mapping({...})``."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.stmt) or node.lineno != span.line:
                continue
            if node.col_offset + 1 != span.column:
                continue
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                return node.value
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                for kw in node.value.keywords:
                    if kw.arg == key:
                        return kw.value
                for arg in node.value.args:
                    if isinstance(arg, ast.Dict):
                        for k, v in zip(arg.keys, arg.values, strict=True):
                            if isinstance(k, ast.Constant) and k.value == key:
                                return v
        return None

    def env_read_lines(self, name: str) -> list[int]:
        """Lines where the module reads environment variable ``name``."""
        evaluator = Evaluator(self.facts.imports)
        lines = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Call, ast.Subscript)):
                lookup = evaluator.env_lookup(node)
                if lookup is not None and lookup[0] == name:
                    lines.append(node.lineno)
        return sorted(set(lines))

    def app_line(self, attr: str) -> int:
        """The line that defines ``attr`` at module level (``app = Flask(...)``, ``def
        create_app``), else 1."""
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == attr:
                return stmt.lineno
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
            ):
                return stmt.lineno
            if isinstance(stmt, (ast.ImportFrom, ast.Import)) and any(
                (a.asname or a.name) == attr for a in stmt.names
            ):
                return stmt.lineno
        return 1


def module_source(facts: ModuleFacts, text: str) -> ModuleSource | None:
    try:
        tree = ast.parse(text, filename=facts.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    source = ModuleSource(facts, tree)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    source.constants[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            if isinstance(stmt.target, ast.Name):
                source.constants[stmt.target.id] = stmt.value
        elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            for node in ast.walk(ast.Module(body=stmt.body, type_ignores=[])):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    source.main_calls.add(node.func.id)
    return source


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], (ast.Eq, ast.Is)):
        return False
    parts = {test.left, test.comparators[0]}
    names = {
        "name" if isinstance(p, ast.Name) and p.id == "__name__" else
        "main" if isinstance(p, ast.Constant) and p.value == "__main__" else ""
        for p in parts
    }  # fmt: skip
    return names == {"name", "main"}
