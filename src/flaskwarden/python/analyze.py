"""Per-file analysis of Python source: bytes in, :class:`ModuleFacts` out.

Pure and never executing anything: the source is parsed with :mod:`ast`, walked once
with knowledge of scopes and of where each statement runs relative to import (top
level, under ``if __name__ == "__main__":``, its ``else:``, or inside a function), and
summarised as facts for the project model and the rules.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final

from flaskwarden.python.evaluate import (
    NOTHING,
    RANDOM_CALLS,
    VALUE_METHODS,
    EnvFallback,
    Evaluator,
    Value,
    dotted,
)
from flaskwarden.python.facts import (
    SCRIPT_SERVERS,
    UNNAMED,
    Assigned,
    ClassFacts,
    ConfigLoad,
    ConfigWrite,
    Context,
    Decorator,
    Event,
    FunctionFacts,
    Gate,
    ModuleFacts,
    Origin,
    Ref,
    RunCall,
    Span,
    UrlRule,
    Usage,
    parser_lines,
    span_of,
)
from flaskwarden.python.names import (
    LOCAL_PROXIES,
    REQUEST_OBJECTS,
    is_connection_url_name,
    is_example_name,
    is_name_like,
    is_password_name,
    is_placeholder,
    is_secret_key_name,
    is_secret_name,
    is_self_named,
    looks_like_credential,
)
from flaskwarden.python.nodes import (
    all_statements,
    child_nodes,
    expression_children,
    syntax_children,
    walk,
)

# Attribute names on an app object that are configuration keys in disguise.
APP_ATTR_KEYS: Final = {
    "debug": "DEBUG",
    "secret_key": "SECRET_KEY",
    "testing": "TESTING",
    "env": "ENV",
}
CONFIG_LOADERS: Final = frozenset({"from_object", "from_pyfile", "from_envvar", "from_file"})
_DSN_RE: Final = re.compile(
    r"\b(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<user>[\w.%+~-]*):(?P<password>[^@\s'\"/\[\]]+)@[^\s'\"]+",
    re.IGNORECASE,
)
_DOC_CREDENTIALS: Final = frozenset(
    (user, password)
    for user in ("user", "username", "usr", "login", "name", "")
    for password in ("password", "passwd", "pass", "pwd", "pw", "secret")
)
_SUPPRESS_RE: Final = re.compile(r"flaskwarden:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# the expression nodes _expressions records facts about
_EXPRESSION_FACTS: Final = (ast.Call, ast.BoolOp, ast.Dict, ast.Subscript, ast.Constant)
_NOQA_RE: Final = re.compile(r"\bnoqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.I)
_WEAK_HASHES: Final = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512"})
_REQUEST_DATA: Final = frozenset(
    {"form", "args", "values", "json", "get_json", "data", "files", "cookies", "headers"}
)
_MAX_SNIPPET: Final = 200


@dataclass
class _Scope:
    """A function scope: its name, locals, parameters and local constants."""

    qualname: str
    locals: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    evaluator: Evaluator | None = None
    # In a method of a module-level class: (class name, name of the instance param).
    instance: tuple[str, str] | None = None
    # ids of digest calls whose hex digest is split at 5 characters: a k-anonymity
    # range lookup (Pwned Passwords), never a stored hash
    range_lookups: set[int] = field(default_factory=set)


class ModuleAnalyzer:
    """Walks one parsed module and fills a :class:`ModuleFacts`."""

    def __init__(self, tree: ast.Module, text: str, path: str, module: str, is_test: bool) -> None:
        self.tree = tree
        self.lines = parser_lines(text)
        self.facts = ModuleFacts(path=path, module=module, is_test=is_test)
        self._mentions_proxy = "LocalProxy" in text
        self._in_main = False  # walking the module's `if __name__ == "__main__":` block
        # secret key literals the module refuses to start with (see _refused_literals)
        self._refused: set[object] = set()
        self._may_refuse = "SECRET_KEY" in text or "secret_key" in text
        self.module_names: set[str] = set()
        self.module_functions: set[str] = set()
        self.evaluator = Evaluator(self.facts.imports)
        self._seen_events: set[tuple[str, int, int]] = set()
        self._key_candidates: set[str] = set()  # credentials that may be key names
        # `cfg = app.config`: (scope, name) -> the expression whose config it is.
        self._config_aliases: dict[tuple[str, str], ast.expr] = {}
        # How many enclosing `if`s run only when an environment variable is set.
        self._gates = 0
        # Enclosing `if`s whose tests read other modules' constants (see Gate).
        self._deferred: list[Gate] = []
        # (scope, name) -> the variable a secret-named name was last read from, with
        # no default (`SECRET_KEY = os.environ.get("SECRET_KEY")`).
        self._env_bound: dict[tuple[str, str], str] = {}
        # Secret variables that the enclosing branches run without (see _unset_secret).
        self._unset_env: list[str] = []
        # Classes that list names, not values (see _is_name_table).
        self._name_tables: set[str] = set()
        self._uses_hashlib = False  # set once imports are known
        # Flask-Script command objects by node: the name add_command registers them under.
        self._command_names: dict[int, str] = {}
        # Undecorated functions, in case add_url_rule makes one a view.
        self._function_nodes: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, _Scope]] = {}

    # -- entry point --------------------------------------------------------------

    def run(self) -> ModuleFacts:
        self._collect_imports()
        self._uses_hashlib = any(
            q == "hashlib" or q.startswith("hashlib.") for q in self.facts.imports.values()
        )
        self._collect_module_names(self.tree.body)
        self.evaluator.random_functions = self._random_functions()
        self._collect_constants(self.tree.body)
        self.evaluator.constants.update({k: v.value for k, v in self.facts.constants.items()})
        if self._may_refuse:
            self._refused = _refused_literals(self.tree.body)
            self.facts.refused_secrets = self._refused
        self._walk_body(self.tree.body, scope=None, context="import", class_name=None)
        self._url_rule_views()
        if self._mentions_proxy:
            self.facts.request_proxies = _request_proxies(self.tree.body, self.evaluator)
        if self._key_candidates:
            keys = _mapping_key_names(self.tree, self._key_candidates)
            # CSRF_KEY = "oauth_state" then session[CSRF_KEY]: the name of a key in a
            # mapping, not a credential
            self.facts.events = [
                e
                for e in self.facts.events
                if not (e.kind == "credential-literal" and e.detail in keys)
            ]
        guarded = _fail_fast_names(self.tree.body)
        if guarded:
            # SECRET_KEY = os.getenv("SECRET_KEY", "dev") then
            # if SECRET_KEY == "dev" ...: raise: start-up fails, as with os.environ[...]
            self.facts.events = [
                e
                for e in self.facts.events
                if not (
                    e.kind == "secret-fallback"
                    and not e.scope
                    and e.detail.split("|")[0] in guarded
                )
            ]
        return self.facts

    def _random_functions(self) -> frozenset[str]:
        """Module-level functions whose every ``return`` value draws random material
        (``"".join(secrets.choice(chars) for _ in range(n))``): calling one gives each
        process a different value, as ``secrets.token_hex()`` does."""
        if not any(
            q.partition(".")[0] in ("secrets", "random", "uuid") or q == "os.urandom"
            for q in self.facts.imports.values()
        ):
            return frozenset()  # nothing random imported: nothing to look for
        found: set[str] = set()
        for stmt in self.tree.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            statements = list(all_statements(stmt.body))
            values = [s.value for s in statements if isinstance(s, ast.Return) and s.value]
            # locals built from random material, every time they are set:
            # chars = [secrets.choice(c) for ...], not secret = f.read() elsewhere
            sources: dict[str, list[bool]] = {}
            for s in statements:
                if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    targets = s.targets if isinstance(s, ast.Assign) else [s.target]
                    random = s.value is not None and self._draws_random(s.value, set())
                    for target in targets:
                        if isinstance(target, ast.Name):
                            sources.setdefault(target.id, []).append(random)
                else:
                    for target in assigned_targets(s):
                        if isinstance(target, ast.Name):
                            sources.setdefault(target.id, []).append(False)
            drawn = {name for name, draws in sources.items() if all(draws)}
            if values and all(self._draws_random(value, drawn) for value in values):
                found.add(stmt.name)
        return frozenset(found)

    def _draws_random(self, node: ast.expr, drawn: set[str]) -> bool:
        """``node`` calls a random source or reads a local built from one."""
        return any(
            (isinstance(sub, ast.Call) and self.evaluator.qualify(sub.func) in RANDOM_CALLS)
            or (isinstance(sub, ast.Name) and sub.id in drawn)
            for sub in walk(node)
        )

    def _url_rule_views(self) -> None:
        """Route facts for views registered with add_url_rule, known only after the walk
        (the rule usually comes after the def)."""
        for rule in self.facts.url_rules:
            function = self.facts.functions.get(rule.function)
            found = self._function_nodes.get(rule.function)
            if function is None or found is None or function.decorators:
                continue
            node, scope = found
            own, parents = _own_tree(node.body)
            self.facts.functions[rule.function] = replace(
                function,
                usages=tuple(self._usages(own, parents, scope)),
                auth_checked=self._auth_checked(own),
            )

    # -- helpers ----------------------------------------------------------------

    def _segment(self, node: ast.stmt) -> str:
        """The source lines a statement spans."""
        end = node.end_lineno if node.end_lineno is not None else node.lineno
        return "\n".join(self.lines[node.lineno - 1 : end])

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.lines, _MAX_SNIPPET)

    def event(
        self, kind: str, node: ast.AST, detail: str = "", scope: str = "", ref: Ref = UNNAMED
    ) -> None:
        span = self.span(node)
        key = (kind, span.line, span.column)
        if key in self._seen_events:
            return
        self._seen_events.add(key)
        self.facts.events.append(Event(kind, span, detail, scope, ref, self._in_main))

    def ref(self, node: ast.expr, scope: _Scope | None) -> Ref:
        """A symbolic reference for a name, attribute chain or call result."""
        if isinstance(node, ast.Call):
            inner = self.ref(node.func, scope)
            return f"call:{inner}" if inner != UNNAMED else UNNAMED
        if isinstance(node, ast.Name):
            return self._name_ref(node.id, scope)
        name = dotted(node)
        if name is None:
            return UNNAMED
        head, _, rest = name.partition(".")
        head_ref = self._name_ref(head, scope)
        if head_ref.startswith("import:"):
            return f"{head_ref}.{rest}"
        if head_ref.startswith("self:") and "." not in rest:
            return f"{head_ref}.{rest}"  # self.app in a method
        return UNNAMED

    def _name_ref(self, name: str, scope: _Scope | None) -> Ref:
        if scope is not None:
            if scope.instance is not None and name == scope.instance[1]:
                return f"self:{scope.instance[0]}"
            if name in scope.locals:
                return f"local:{scope.qualname}:{name}"
            if name in scope.params:
                return f"param:{scope.qualname}:{name}"
        if name in self.module_names:
            return f"global:{name}"
        if name in self.facts.imports:
            return f"import:{self.facts.imports[name]}"
        return UNNAMED

    def evaluate(self, node: ast.expr, scope: _Scope | None) -> Value:
        evaluator = scope.evaluator if scope and scope.evaluator else self.evaluator
        return evaluator.evaluate(node)

    # -- first passes -------------------------------------------------------------

    def _collect_imports(self) -> None:
        package = self.facts.module.rsplit(".", 1)[0] if "." in self.facts.module else ""
        if self.facts.path.endswith("__init__.py"):
            package = self.facts.module
        for node in all_statements(self.tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.facts.imports[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.facts.imports[head] = head
                    if alias.name.split(".")[0].startswith("flask"):
                        self.facts.imports_flask = True
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".") if package else []
                    keep = len(parts) - (node.level - 1)
                    prefix = ".".join(parts[: max(keep, 0)])
                    base = ".".join(p for p in (prefix, base) if p)
                if base.split(".")[0].startswith("flask"):
                    self.facts.imports_flask = True
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    local = alias.asname or alias.name
                    self.facts.imports[local] = f"{base}.{alias.name}" if base else alias.name

    def _module_statements(self, body: list[ast.stmt]) -> Iterator[ast.stmt]:
        """Module-level statements, descending into if/try/with/for but not defs."""
        for stmt in body:
            yield stmt
            if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith)):
                yield from self._module_statements(stmt.body)
                yield from self._module_statements(getattr(stmt, "orelse", []))
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                yield from self._module_statements(stmt.body)  # type: ignore[attr-defined]
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    yield from self._module_statements(handler.body)
                yield from self._module_statements(stmt.orelse)  # type: ignore[attr-defined]
                yield from self._module_statements(stmt.finalbody)  # type: ignore[attr-defined]

    def _collect_module_names(self, body: list[ast.stmt]) -> None:
        for stmt in self._module_statements(body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.module_functions.add(stmt.name)
                self.module_names.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                self.module_names.add(stmt.name)
            elif not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                # Imported names stay `import:` refs, so `flask.Flask` is still known.
                for target in assigned_targets(stmt):
                    for node in walk(target):
                        if isinstance(node, ast.Name):
                            self.module_names.add(node.id)

    def _collect_constants(self, body: list[ast.stmt]) -> None:
        values: dict[str, list[Assigned]] = {}
        for stmt in self._module_statements(body):
            if isinstance(stmt, ast.ClassDef):
                self._class_constants(stmt)
                continue
            target, value_node = _simple_assignment(stmt)
            if target is None or value_node is None:
                continue
            if isinstance(value_node, ast.Dict) and value_node.values:
                refs = tuple(self.ref(v, None) for v in value_node.values)
                if all(r != UNNAMED for r in refs):
                    self.facts.mappings[target] = refs
                    self.facts.mapping_keys[target] = tuple(
                        k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ""
                        for k in value_node.keys
                    )
            value = self.evaluator.evaluate(value_node)
            assigned = Assigned(value, self.span(stmt))
            values.setdefault(target, []).append(assigned)
            self.evaluator.constants[target] = value
        for name, bound in values.items():
            first = bound[0]
            if len(bound) > 1 and any(a.value.value != first.value.value for a in bound):
                self.evaluator.constants[name] = NOTHING
                first = Assigned(NOTHING, first.span)
            self.facts.constants[name] = first

    def _class_constants(self, cls: ast.ClassDef) -> None:
        """``class Settings: DEBUG_MODE = True``: the evaluator knows
        ``Settings.DEBUG_MODE`` (a name bound twice is not a constant)."""
        for stmt in cls.body:
            target, value_node = _simple_assignment(stmt)
            if target is None or value_node is None:
                continue
            name = f"{cls.name}.{target}"
            known = name not in self.evaluator.constants
            self.evaluator.constants[name] = (
                self.evaluator.evaluate(value_node) if known else NOTHING
            )

    # -- the statement walk -------------------------------------------------------

    def _walk_body(
        self,
        body: list[ast.stmt],
        scope: _Scope | None,
        context: Context,
        class_name: str | None,
    ) -> None:
        for stmt in body:
            self._walk_stmt(stmt, scope, context, class_name)

    def _walk_stmt(
        self, stmt: ast.stmt, scope: _Scope | None, context: Context, class_name: str | None
    ) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(stmt, scope, context, class_name)
            return
        if isinstance(stmt, ast.ClassDef):
            self._class(stmt, scope, context)
            return
        if isinstance(stmt, ast.If):
            guard = _main_guard(stmt.test)
            self._expressions([stmt.test], scope, context, stmt)
            if guard is not None and scope is None and context == "import":
                body_ctx: Context = "main" if guard else "main-else"
                else_ctx: Context = "main-else" if guard else "main"
                self._in_main = body_ctx == "main"
                self._walk_body(stmt.body, scope, body_ctx, class_name)
                self._in_main = else_ctx == "main"
                self._walk_body(stmt.orelse, scope, else_ctx, class_name)
                self._in_main = False
            else:
                # `if os.environ.get("FLASK_ENV") == "development":` runs its body only
                # where the variable is set: what it switches on is off by default.
                test = self.evaluate(stmt.test, scope)
                env_switch = test.known and bool(test.env)
                off, on = env_switch and not test.truthy, env_switch and test.truthy
                # `if settings.FLASK_DEBUG == "False":` reads another module's constant:
                # the model decides later (see Gate).
                deferred = None if test.known else self._deferred_test(stmt.test, scope)
                unset = self._unset_secret(stmt.test, test, scope, class_name)
                for body, gated, branch in ((stmt.body, off, True), (stmt.orelse, on, False)):
                    if deferred is not None:
                        self._deferred.append(Gate(*deferred, branch=branch))
                    unset_var = unset[0] if unset is not None and unset[1] is branch else None
                    if unset_var is not None:
                        self._unset_env.append(unset_var)
                    try:
                        self._walk_gated(body, gated, scope, context, class_name)
                    finally:
                        if deferred is not None:
                            self._deferred.pop()
                        if unset_var is not None:
                            self._unset_env.pop()
            return
        nested = _nested_bodies(stmt)
        if nested is not None:
            headers, bodies = nested
            self._expressions(headers, scope, context, stmt)
            for sub in bodies:
                self._walk_body(sub, scope, context, class_name)
            return
        self._simple_statement(stmt, scope, context, class_name)

    def _unset_secret(
        self, node: ast.expr, test: Value, scope: _Scope | None, class_name: str | None
    ) -> tuple[str, bool] | None:
        """``if os.environ.get("SECRET_KEY"):``, or ``if not SECRET_KEY:`` just after
        ``SECRET_KEY = os.environ.get(...)``, asks whether a secret is set. Returns the
        variable and which branch runs where it is not (``True``: the body); a secret
        literal bound there is the lookup's fallback (FW202), not a plain literal."""
        where = class_name or (scope.qualname if scope else "")
        if not (test.known and test.env):
            bound = {
                n.id: self._env_bound[(where, n.id)]
                for n in walk(node)
                if isinstance(n, ast.Name) and (where, n.id) in self._env_bound
            }
            if not bound:
                return None
            # the test as if each such name still held its lookup (a rebinding of the
            # name elsewhere makes it no constant in the module's evaluator)
            evaluator = scope.evaluator if scope and scope.evaluator else self.evaluator
            looked_up = {n: Value(None, env=(v,)) for n, v in bound.items()}
            test = Evaluator(
                evaluator.imports,
                {**evaluator.constants, **looked_up},
                evaluator.random_functions,
            ).evaluate(node)
            if not test.known:
                return None
        secrets = [var for var in test.env if var != "?" and is_secret_name(var)]
        return (secrets[0], test.truthy) if secrets else None

    def _as_fallback(self, value: Value, node: ast.expr) -> Value:
        """A secret literal bound where its variable is not set (see _unset_secret):
        the same as ``os.environ.get(var) or literal``."""
        if not self._unset_env or not value.literal or value.env:
            return value
        if not isinstance(value.value, (str, bytes)):
            return value
        var = self._unset_env[-1]
        fallback = EnvFallback(var, value.value, node.lineno, node.col_offset + 1)
        return replace(value, env=(var,), fallback=fallback)

    def _deferred_test(
        self, test: ast.expr, scope: _Scope | None
    ) -> tuple[str, tuple[tuple[str, Ref], ...]] | None:
        """An if-test that reads constants of other modules, as source with each one
        renamed to a placeholder, and the placeholders' refs; ``None`` when it reads none."""
        if not self._reads_import(test):
            return None  # the common case, decided cheaply
        refs: dict[str, Ref] = {}
        renamed = self._renamed(test, scope, refs)
        if not refs:
            return None
        return ast.unparse(renamed), tuple(refs.items())

    def _reads_import(self, node: ast.expr) -> bool:
        """Whether ``node`` reads an imported name where :meth:`_renamed` looks."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = dotted(node)
            return name is not None and name.partition(".")[0] in self.facts.imports
        if isinstance(node, ast.Compare):
            return self._reads_import(node.left) or any(
                self._reads_import(c) for c in node.comparators
            )
        if isinstance(node, ast.BoolOp):
            return any(self._reads_import(v) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            return self._reads_import(node.operand)
        if isinstance(node, ast.Call):
            func = node.func
            receiver = (
                isinstance(func, ast.Attribute)
                and func.attr in VALUE_METHODS
                and self._reads_import(func.value)
            )
            return receiver or any(self._reads_import(a) for a in node.args)
        return False

    def _renamed(self, node: ast.expr, scope: _Scope | None, refs: dict[str, Ref]) -> ast.expr:
        """``node`` rebuilt with each imported constant it reads as a placeholder name.
        Callees and subscripted objects (``os.environ.get``, ``os.environ[...]``) stay."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            ref = self._value_ref(node, scope)
            if ref == UNNAMED:
                return node
            placeholder = f"_fw{len(refs)}"
            refs[placeholder] = ref
            return ast.Name(placeholder, ast.Load())
        if isinstance(node, ast.Compare):
            return ast.Compare(
                self._renamed(node.left, scope, refs),
                node.ops,
                [self._renamed(c, scope, refs) for c in node.comparators],
            )
        if isinstance(node, ast.BoolOp):
            return ast.BoolOp(node.op, [self._renamed(v, scope, refs) for v in node.values])
        if isinstance(node, ast.UnaryOp):
            return ast.UnaryOp(node.op, self._renamed(node.operand, scope, refs))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in VALUE_METHODS:
                # settings.MODE.lower(): the receiver is a value
                func = ast.Attribute(self._renamed(func.value, scope, refs), func.attr, ast.Load())
            return ast.Call(
                func,
                [self._renamed(a, scope, refs) for a in node.args],
                node.keywords,
            )
        return node

    def _walk_gated(
        self,
        body: list[ast.stmt],
        gated: bool,
        scope: _Scope | None,
        context: Context,
        class_name: str | None,
    ) -> None:
        self._gates += gated
        try:
            self._walk_body(body, scope, context, class_name)
        finally:
            self._gates -= gated

    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        outer: _Scope | None,
        context: Context,
        class_name: str | None,
    ) -> None:
        self._expressions(node.decorator_list, outer, context, node)
        prefix = outer.qualname + "." if outer else (class_name + "." if class_name else "")
        qualname = prefix + node.name
        scope = _Scope(qualname)
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                scope.params.add(arg.arg)
        positional = [*args.posonlyargs, *args.args]
        wrapped = {dotted(d) for d in node.decorator_list}
        if (
            outer is None
            and class_name is not None
            and positional
            and not wrapped & {"staticmethod", "classmethod"}
        ):
            scope.instance = (class_name, positional[0].arg)
        own, parents = _own_tree(node.body, with_parents=bool(node.decorator_list))
        global_names: set[str] = set()
        for sub in own:
            if isinstance(sub, ast.Global):
                global_names.update(sub.names)
        for sub in own:
            for target in assigned_targets(sub) if isinstance(sub, ast.stmt) else ():
                for name_node in walk(target):
                    # `d[k] = v` binds nothing: d and k are loads, not new locals
                    if (
                        isinstance(name_node, ast.Name)
                        and isinstance(name_node.ctx, ast.Store)
                        and name_node.id not in global_names
                    ):
                        scope.locals.add(name_node.id)
            if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                scope.locals.add(sub.target.id)
        scope.evaluator = self._local_evaluator(node.body, own, scope)
        if self._uses_hashlib:
            scope.range_lookups = _range_lookup_digests(own)

        decorators = tuple(self._decorator(d, outer) for d in node.decorator_list)
        returns: list[Origin] = []
        calls: list[str] = []
        for sub in own:
            if isinstance(sub, ast.Return) and sub.value is not None:
                returns.append(self._origin(sub.value, scope))
            elif (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Name)
                and sub.func.id in self.module_functions
                and sub.func.id not in scope.locals
            ):
                calls.append(sub.func.id)
        usages: tuple[Usage, ...] = ()
        auth = False
        if decorators:
            usages = tuple(self._usages(own, parents, scope))
            auth = self._auth_checked(own)
        else:
            self._function_nodes[qualname] = (node, scope)
        self.facts.functions[qualname] = FunctionFacts(
            qualname=qualname,
            span=self.span(node),
            params=tuple(sorted(scope.params)),
            decorators=decorators,
            returns=tuple(returns),
            calls=tuple(dict.fromkeys(calls)),
            usages=usages,
            auth_checked=auth,
            is_async=isinstance(node, ast.AsyncFunctionDef),
        )
        self._walk_body(node.body, scope, "function", None)

    def _local_evaluator(
        self, body: list[ast.stmt], own: list[ast.AST], scope: _Scope
    ) -> Evaluator:
        evaluator = Evaluator(
            self.facts.imports, self.evaluator.constants, self.evaluator.random_functions
        )
        counts: dict[str, int] = {}
        for sub in own:
            if isinstance(sub, ast.stmt):
                for target in assigned_targets(sub):
                    if isinstance(target, ast.Name):
                        counts[target.id] = counts.get(target.id, 0) + 1
        for name in scope.params:
            evaluator.constants.pop(name, None)
        for stmt in body:
            bound, value_node = _simple_assignment(stmt)
            if bound is not None and value_node is not None and counts.get(bound, 0) == 1:
                evaluator.constants[bound] = evaluator.evaluate(value_node)
        for local in scope.locals:
            if counts.get(local, 0) != 1:
                evaluator.constants.pop(local, None)
        return evaluator

    def _class(self, node: ast.ClassDef, scope: _Scope | None, context: Context) -> None:
        self._expressions([*node.bases, *node.decorator_list], scope, context, node)
        if _is_name_table(node):
            self._name_tables.add(node.name)
        attrs: dict[str, Assigned] = {}
        for stmt in node.body:
            target, value_node = _simple_assignment(stmt)
            if target is not None and value_node is not None and target.isupper():
                attrs[target] = Assigned(self.evaluate(value_node, scope), self.span(stmt))
        if scope is None:
            self.facts.classes[node.name] = ClassFacts(
                name=node.name,
                bases=tuple(
                    "builtin:object"
                    if isinstance(b, ast.Name) and b.id == "object"
                    else self.ref(b, scope)
                    for b in node.bases
                ),
                attrs=attrs,
                span=self.span(node),
                hashed_attrs=_hashed_attrs(node, self._segment(node)),
                descriptors=tuple(
                    (t.id, self.ref(stmt.value.func, scope))
                    for stmt in node.body
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
                    for t in stmt.targets
                    if isinstance(t, ast.Name) and is_password_name(t.id)
                ),
            )
        self._walk_body(node.body, scope, context, node.name)

    def _decorator(self, node: ast.expr, scope: _Scope | None) -> Decorator:
        call = node if isinstance(node, ast.Call) else None
        func = call.func if call else node
        attr = func.attr if isinstance(func, ast.Attribute) else dotted(func) or ""
        receiver = self.ref(func.value, scope) if isinstance(func, ast.Attribute) else UNNAMED
        args: tuple[str, ...] = ()
        methods: tuple[str, ...] = ()
        if call is not None:
            args = tuple(
                str(a.value)
                for a in call.args
                if isinstance(a, ast.Constant) and isinstance(a.value, (str, int))
            )
            for kw in call.keywords:
                if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
                    methods = tuple(
                        str(e.value).upper()
                        for e in kw.value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    )
        text = dotted(func) or attr
        return Decorator(self.ref(func, scope), attr, receiver, text, args, methods)

    def _origin(self, node: ast.expr, scope: _Scope | None) -> Origin:
        if isinstance(node, ast.Call):
            return Origin("call", self.ref(node.func, scope))
        if isinstance(node, (ast.Name, ast.Attribute)):
            return Origin("alias", self.ref(node, scope))
        return Origin("other")

    # -- simple statements ------------------------------------------------------------

    def _simple_statement(
        self, stmt: ast.stmt, scope: _Scope | None, context: Context, class_name: str | None
    ) -> None:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            value_node = stmt.value
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if value_node is not None:
                for target in targets:
                    self._assignment(target, value_node, stmt, scope, class_name)
        self._expressions([stmt], scope, context, stmt)

    def _assignment(
        self,
        target: ast.expr,
        value_node: ast.expr,
        stmt: ast.stmt,
        scope: _Scope | None,
        class_name: str | None,
    ) -> None:
        scope_name = scope.qualname if scope else ""
        if isinstance(target, ast.Name):
            if class_name is None:
                key = f"{scope_name}:{target.id}" if scope else target.id
                self.facts.bindings.setdefault(key, []).append(self._origin(value_node, scope))
                if isinstance(value_node, ast.Attribute) and value_node.attr == "config":
                    self._config_aliases[(scope_name, target.id)] = value_node.value
            self._named_value(target.id, value_node, stmt, scope, class_name)
            return
        if isinstance(target, ast.Attribute):
            holder = self.ref(target.value, scope)
            if holder.startswith("self:") and "." not in holder:
                # self.app = Flask(__name__): what the instance's attribute holds
                key = f"{holder}.{target.attr}"
                self.facts.bindings.setdefault(key, []).append(self._origin(value_node, scope))
            if (
                scope is not None
                and scope.instance is not None
                and isinstance(target.value, ast.Name)
                and target.value.id == scope.instance[1]
                and target.attr.isupper()
            ):
                # self.SECRET_KEY = ... in a config class's __init__, loaded with
                # from_object(Config()): a setting, as it is in the class body
                self._named_value(target.attr, value_node, stmt, scope, scope.instance[0])
                return
            attr_key = APP_ATTR_KEYS.get(target.attr)
            if attr_key is not None:
                self._config_write(target.value, attr_key, value_node, stmt, scope, "attr")
            elif is_password_name(target.attr):
                if isinstance(value_node, ast.Constant):
                    # user.password = "admin123": the password is in the source
                    kind = _literal_kind(target.attr, value_node.value)
                    if kind is not None:
                        self.event(kind, stmt, target.attr, scope_name)
                elif _is_plaintext_password(value_node, self):
                    self.event("plaintext-password", stmt, target.attr, scope_name)
            return
        if isinstance(target, ast.Subscript):
            config_of = self._config_owner(target.value, scope)
            key_node = target.slice
            if (
                config_of is not None
                and isinstance(key_node, ast.Constant)
                and isinstance(key_node.value, str)
            ):
                self._config_write(config_of, key_node.value, value_node, stmt, scope, "item")

    def _config_owner(self, node: ast.expr, scope: _Scope | None) -> ast.expr | None:
        """``x`` when ``node`` is ``x.config``, or a name bound to ``x.config``."""
        if isinstance(node, ast.Attribute) and node.attr == "config":
            return node.value
        if not isinstance(node, ast.Name):
            return None
        if scope is not None and (node.id in scope.locals or node.id in scope.params):
            return self._config_aliases.get((scope.qualname, node.id))
        return self._config_aliases.get(("", node.id))

    def _named_value(
        self,
        name: str,
        value_node: ast.expr,
        stmt: ast.stmt,
        scope: _Scope | None,
        class_name: str | None,
    ) -> None:
        """A value bound to a plain name: secret-looking names are checked here."""
        if not is_secret_name(name) or class_name in self._name_tables:
            return
        value = self.evaluate(value_node, scope)
        where = class_name or (scope.qualname if scope else "")
        if value.env and value.value is None and value.fallback is None:
            self._env_bound[(where, name)] = value.env[0]
        else:
            self._env_bound.pop((where, name), None)
        self._secret_value(name, value, value_node, stmt, where)

    def _secret_value(
        self, name: str, value: Value, value_node: ast.expr, stmt: ast.AST, where: str
    ) -> None:
        if value.constant and is_secret_name(value.constant):
            return  # `X = SECRET_KEY`: reported where SECRET_KEY itself is bound
        value = self._as_fallback(value, value_node)
        if value.per_process and is_secret_key_name(name):
            self.event("per-process-secret", stmt, name, where)
            return
        if value.fallback is not None and _is_secret_literal(value.fallback.default):
            node = _find_default_node(value_node, value.fallback.line, value.fallback.column)
            self.event("secret-fallback", node or stmt, f"{name}|{value.fallback.var}", where)
            return
        if value.literal and not value.env:
            if value.value in self._refused and is_secret_key_name(name):
                return  # `if app.config["SECRET_KEY"] == "CHANGE ME": sys.exit(...)`
            kind = _literal_kind(name, value.value)
            if kind is not None:
                self.event(kind, stmt, name, where)
            if kind == "credential-literal" and _IDENTIFIER.match(str(value.value)):
                self._key_candidates.add(name)

    def _config_write(
        self,
        receiver_node: ast.expr,
        key: str,
        value_node: ast.expr,
        stmt: ast.AST,
        scope: _Scope | None,
        form: str,
    ) -> None:
        value = self.evaluate(value_node, scope)
        if is_secret_name(key):
            value = self._as_fallback(value, value_node)
        receiver = self.ref(receiver_node, scope)
        scope_name = scope.qualname if scope else ""
        value_ref = UNNAMED if value.known else self._value_ref(value_node, scope)
        self.facts.config_writes.append(
            ConfigWrite(
                receiver,
                scope_name,
                key,
                value,
                self.span(stmt),
                form,
                value_ref,
                env_gated=self._gates > 0,
                gates=tuple(self._deferred),
            )
        )
        # `<x>.config[...]` forms are Flask's config whatever x is; `x.secret_key` is
        # judged by the rules, which know whether x is an app.
        if form != "attr" and is_secret_name(key):
            self._secret_value(key, value, value_node, stmt, scope_name)

    # -- expressions ------------------------------------------------------------

    def _expressions(
        self,
        roots: list[ast.expr] | list[ast.stmt] | list[ast.AST],
        scope: _Scope | None,
        context: Context,
        stmt: ast.AST,
    ) -> None:
        for root in roots:
            # depth-first, not entering nested statements (the statement walker
            # visits them) nor expression contexts (nothing here looks at them)
            stack = [root]
            name = ast.Name
            while stack:
                node = stack.pop()
                if node.__class__ is name:
                    continue  # the commonest node: no facts, no children to visit
                stack += expression_children(node)
                if not isinstance(node, _EXPRESSION_FACTS):
                    continue
                if isinstance(node, ast.Call):
                    self._call(node, scope, context)
                elif isinstance(node, ast.BoolOp):
                    self._boolop(node, scope)
                elif isinstance(node, ast.Dict):
                    self._dict_literal(node, scope)
                elif isinstance(node, ast.Subscript):
                    lookup = self.evaluator.env_lookup(node)
                    if lookup is not None:
                        self.facts.env_reads.add(lookup[0])
                elif (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and "://" in node.value
                    and not _is_docstring(stmt, node)
                    and not _is_example(stmt)
                ):
                    self._dsn(node, scope)

    def _call(self, node: ast.Call, scope: _Scope | None, context: Context) -> None:
        func = node.func
        scope_name = scope.qualname if scope else ""
        if (
            scope is None
            and context in ("import", "main-else")
            and isinstance(func, ast.Name)
            and func.id in self.module_functions
        ):
            # any call of a module function while the module is imported (in a
            # statement, an assignment, a decorator, a class body) runs its body
            self.facts.import_time_calls.append(func.id)
        if isinstance(func, ast.Attribute):
            owner = func.value
            config_of = self._config_owner(owner, scope)
            if func.attr == "run":
                self._run_call(node, self.ref(owner, scope), scope, context)
            elif func.attr == "add_url_rule":
                self._url_rule(node, self.ref(owner, scope), scope)
            elif func.attr == "add_command":
                self._add_command(node)
            elif config_of is not None:
                self._config_call(node, func.attr, config_of, scope)
        qual = self.evaluator.qualify(func)
        if qual == "werkzeug.serving.run_simple" or qual == "werkzeug.run_simple":
            self._run_call(node, f"import:{qual}", scope, context)
        elif id(node) in self._command_names or qual in SCRIPT_SERVERS:
            # Flask-Script's Server (or a class the model may find is one)
            name = self._command_names.get(id(node), "")
            self._run_call(node, f"call:{self.ref(func, scope)}", scope, context, name)
        callee = func.attr if isinstance(func, ast.Attribute) else dotted(func) or ""
        # env lookups: secret-named variable with a literal default (FW202/FW203)
        lookup = self.evaluator.env_lookup(node)
        if lookup is not None:
            var, default = lookup
            self.facts.env_reads.add(var)
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                self.facts.env_defaults.setdefault(var, set()).add(default.value)
            if default is not None and is_secret_name(var):
                dv = self.evaluate(default, scope)
                if dv.per_process and is_secret_key_name(var):
                    self.event("per-process-secret", default, var, scope_name)
                elif dv.literal and _is_secret_literal(dv.value):
                    self.event("secret-fallback", default, f"{var}|{var}", scope_name)
        hashed = node.args[0] if node.args else None
        if (
            (
                callee.split(".")[-1] in ("generate_password_hash", "hash_password", "hashpw")
                # passlib's pbkdf2_sha256.hash("..."), argon2's, bcrypt's
                or (
                    (qual or "").split(".")[0] in _PASSWORD_HASHERS
                    and callee in ("hash", "encrypt")
                )
            )
            and isinstance(hashed, ast.Constant)
            and _literal_str(hashed)
            and not is_placeholder(hashed.value)
        ):
            self.event("password-hash-literal", hashed, callee, scope_name)
        if scope is None or id(node) not in scope.range_lookups or qual != "hashlib.sha1":
            self._weak_hash(node, qual, scope_name)
        self._positional_credentials(node, qual, scope_name)
        if callee.endswith("execute") and len(node.args) == 2:
            self._sql_password(node, scope_name)
        for kw in node.keywords:
            if kw.arg is None or not is_secret_name(kw.arg) or _is_config_call(node):
                continue
            # connect(password="..."), Client(api_key="..."), dict(SECRET_KEY="...")
            if isinstance(kw.value, ast.Constant):
                kind = _literal_kind(kw.arg, kw.value.value)
                if kind is not None:
                    self.event(kind, kw.value, kw.arg, scope_name)
            elif is_password_name(kw.arg) and _is_plaintext_password(kw.value, self):
                if _is_constructor(callee):
                    constructed = self.ref(node.func, scope)
                    self.event("plaintext-password", kw.value, kw.arg, scope_name, constructed)
            else:
                value = self.evaluate(kw.value, scope)
                fallback = value.fallback
                if value.constant and is_secret_name(value.constant):
                    continue  # password=PASSWORD: reported where PASSWORD is bound
                if fallback is not None and _is_secret_literal(fallback.default):
                    detail = f"{kw.arg}|{fallback.var}"
                    self.event("secret-fallback", kw.value, detail, scope_name)
                    # the lookup inside is this same fallback: not a second finding
                    # where the call spans lines (password=os.environ.get(\n"X", "lit"))
                    self._seen_events.add(("secret-fallback", fallback.line, fallback.column))

    def _positional_credentials(self, node: ast.Call, qual: str | None, scope_name: str) -> None:
        """A literal password passed by position (``pika.PlainCredentials("admin",
        "s3cret")``) or as a ``(user, password)`` pair (``requests.get(url,
        auth=("admin", "s3cret"))``)."""
        secret: ast.expr | None = None
        index = _POSITIONAL_PASSWORDS.get(qual) if qual is not None else None
        if index is not None and len(node.args) > index:
            secret = node.args[index]
        for kw in node.keywords:
            if (
                kw.arg == "auth"
                and isinstance(kw.value, ast.Tuple)
                and len(kw.value.elts) == 2
                and isinstance(kw.value.elts[0], ast.Constant)
            ):
                secret = kw.value.elts[1]
        if isinstance(secret, ast.Constant):
            kind = _literal_kind("password", secret.value)
            if kind is not None:
                what = f"the password passed to {dotted(node.func) or 'this call'}()"
                self.event(kind, secret, what, scope_name)

    def _add_command(self, node: ast.Call) -> None:
        """``manager.add_command("runserver", Server(...))``: remember the name, for
        the command object's own call (visited next)."""
        args = node.args
        if (
            len(args) >= 2
            and isinstance(args[0], ast.Constant)
            and isinstance(args[0].value, str)
            and isinstance(args[1], ast.Call)
        ):
            self._command_names[id(args[1])] = args[0].value

    def _run_call(
        self,
        node: ast.Call,
        receiver: Ref,
        scope: _Scope | None,
        context: Context,
        command: str | None = None,
    ) -> None:
        kwargs: dict[str, Value] = {}
        spans: dict[str, Span] = {}
        refs: dict[str, Ref] = {}
        positional_app: Ref | None = None
        args = list(node.args)
        names: tuple[str, ...] = ("host", "port", "debug", "load_dotenv")
        if command is not None:
            names = ("host", "port", "use_debugger", "use_reloader")  # Server(...)
        elif receiver.endswith("run_simple"):
            names = ("host", "port", "application", "use_reloader", "use_debugger", "use_evalex")
        elif args and not _could_be_host(args[0]):
            positional_app = self.ref(args[0], scope)  # socketio.run(app, ...)
            args = args[1:]
        named: dict[str, ast.expr] = dict(zip(names, args, strict=False))
        for kw in node.keywords:
            if kw.arg is None:
                kwargs["**"] = NOTHING
            else:
                named[kw.arg] = kw.value
        for name, arg in named.items():
            kwargs[name] = self.evaluate(arg, scope)
            spans[name] = self.span(arg)
            if not kwargs[name].known and (ref := self._value_ref(arg, scope)) != UNNAMED:
                refs[name] = ref
            elif (
                name in ("host", "debug", "use_debugger")
                and not kwargs[name].known
                and (key := _config_read(arg))
            ):
                # host=app.config["BIND_ADDRESS"], debug=app.config["DEBUG"]: the model
                # looks the setting up
                refs[name] = f"config:{key}"
        self.facts.run_calls.append(
            RunCall(
                receiver=receiver,
                scope=scope.qualname if scope else "",
                context=context,
                kwargs=kwargs,
                kwarg_spans=spans,
                span=self.span(node),
                positional_app=positional_app,
                kwarg_refs=refs,
                env_gated=self._gates > 0,
                gates=tuple(self._deferred),
                command=command,
            )
        )

    def _url_rule(self, node: ast.Call, receiver: Ref, scope: _Scope | None) -> None:
        view = node.args[2] if len(node.args) > 2 else None
        path = node.args[0] if node.args else None
        methods: tuple[str, ...] = ()
        for kw in node.keywords:
            if kw.arg == "view_func":
                view = kw.value
            elif kw.arg == "rule":
                path = kw.value
            elif kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
                methods = tuple(
                    str(e.value).upper() for e in kw.value.elts if isinstance(e, ast.Constant)
                )
        if not isinstance(view, ast.Name):
            return  # view_func=login_required(view) and the like: not a bare function
        local = scope is not None and view.id in scope.locals
        qualname = f"{scope.qualname}.{view.id}" if scope is not None and local else view.id
        shown = path.value if isinstance(path, ast.Constant) else ""
        self.facts.url_rules.append(UrlRule(receiver, str(shown), qualname, methods))

    def _value_ref(self, node: ast.expr, scope: _Scope | None) -> Ref:
        """A ref for a value the evaluator does not know: an imported name or a module
        attribute (``flags.DEBUG``), which the project model can look up."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            ref = self.ref(node, scope)
            if ref.startswith("import:"):
                return ref
        return UNNAMED

    def _config_call(
        self, node: ast.Call, method: str, receiver_node: ast.expr, scope: _Scope | None
    ) -> None:
        if method in ("update", "from_mapping"):
            for key, value_node in _mapping_items(node):
                self._config_write(receiver_node, key, value_node, node, scope, method)
        elif method == "setdefault" and len(node.args) == 2 and _literal_str(node.args[0]):
            key = node.args[0].value  # type: ignore[attr-defined]
            self._config_write(receiver_node, key, node.args[1], node, scope, method)
        elif method in CONFIG_LOADERS and node.args:
            target = node.args[0]
            candidates: tuple[Ref, ...] = ()
            mapping = UNNAMED
            if isinstance(target, ast.Subscript):
                if isinstance(target.value, ast.Name):
                    candidates = self.facts.mappings.get(target.value.id, ())
                if not candidates:
                    mapping = self.ref(target.value, scope)
            self.facts.config_loads.append(
                ConfigLoad(
                    receiver=self.ref(receiver_node, scope),
                    method=method,
                    target=self._load_target(target, scope),
                    target_text=ast.get_source_segment("\n".join(self.lines), target) or "",
                    span=self.span(node),
                    candidates=candidates,
                    mapping=mapping,
                )
            )

    def _load_target(self, node: ast.expr, scope: _Scope | None) -> Ref:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return f"str:{node.value}"
        if isinstance(node, ast.Name) and node.id == "__name__":
            return f"str:{self.facts.module}"
        return self.ref(node, scope)

    def _boolop(self, node: ast.BoolOp, scope: _Scope | None) -> None:
        if not isinstance(node.op, ast.Or) or len(node.values) < 2:
            return
        first = self.evaluator.env_lookup(node.values[0])
        last = node.values[-1]
        if first is not None and isinstance(last, ast.Constant) and isinstance(last.value, str):
            self.facts.env_defaults.setdefault(first[0], set()).add(last.value)
        if first is None or not is_secret_name(first[0]):
            return
        fallback = node.values[1]
        value = self.evaluate(fallback, scope)
        scope_name = scope.qualname if scope else ""
        if value.per_process and is_secret_key_name(first[0]):
            self.event("per-process-secret", fallback, first[0], scope_name)
        elif value.literal and _is_secret_literal(value.value):
            self.event("secret-fallback", fallback, f"{first[0]}|{first[0]}", scope_name)

    def _sql_password(self, node: ast.Call, scope_name: str) -> None:
        """``execute("INSERT INTO users (name, password) VALUES (?, ?)", (name,
        request.form["password"]))``: the request's password stored as it came."""
        sql, params = node.args
        if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
            return
        if not isinstance(params, (ast.Tuple, ast.List)):
            return
        for index, column in _sql_password_positions(sql.value).items():
            if index < len(params.elts) and _is_plaintext_password(params.elts[index], self):
                self.event(
                    "plaintext-password", params.elts[index], f"the {column} column", scope_name
                )

    def _dict_literal(self, node: ast.Dict, scope: _Scope | None) -> None:
        """``{"password": "hunter2"}`` in a user table, ``{"SECRET_KEY": "k"}`` passed as
        configuration to a factory."""
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        if keys & _SCHEMA_KEYS:
            return  # a JSON schema ({"type": ..., "secret": "url"}) describes fields
        self_mapped = sum(
            isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and k.value == v.value
            for k, v in zip(node.keys, node.values, strict=False)
        )
        if self_mapped >= 2:
            # {"username": "username", "password": "password"}: a map of field names
            # (request key -> model attribute), not a user record
            return
        if _renames_settings(node):
            return
        for key, value in zip(node.keys, node.values, strict=False):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            if isinstance(value, ast.Constant):
                kind = _literal_kind(key.value, value.value)
                if kind is not None:
                    self.event(kind, value, key.value, scope.qualname if scope else "")

    def _dsn(self, node: ast.Constant, scope: _Scope | None) -> None:
        match = _DSN_RE.search(str(node.value))
        if match is None:
            return
        password = match.group("password")
        if is_placeholder(password) or match.group("scheme").lower() in ("http", "https"):
            return
        if (match.group("user").lower(), password.lower()) in _DOC_CREDENTIALS:
            return  # "scheme://user:password@host" written to show the format
        self.event("dsn-password", node, match.group("scheme"), scope.qualname if scope else "")

    def _weak_hash(self, node: ast.Call, qual: str | None, scope_name: str) -> None:
        if qual is None or not qual.startswith("hashlib."):
            return
        algo = qual.split(".", 1)[1]
        args = list(node.args)
        if algo == "new" and args and _literal_str(args[0]):
            algo = str(args[0].value).lower()  # type: ignore[attr-defined]
            args = args[1:]
        if algo not in _WEAK_HASHES or not args:
            return
        for sub in walk(args[0]):
            name = _name_of(sub)
            if name is not None and is_password_name(name):
                self.event("weak-hash", node, algo, scope_name)
                return

    # -- route bodies -------------------------------------------------------------

    def _usages(
        self, own: list[ast.AST], parents: dict[int, ast.AST], scope: _Scope
    ) -> Iterator[Usage]:
        """What the view hands to the client: internals that reach its response (the
        return value, directly or through locals, not through an unrelated call such as
        an outbound request using a token), and any eval/exec."""
        returned = _returned_names(own)
        for sub in own:
            found = self._internal(sub, scope, parents)
            if found is None:
                continue
            what, always = found
            if always or _reaches_response(sub, parents, returned):
                yield Usage(what, self.span(sub))

    def _internal(
        self, sub: ast.AST, scope: _Scope, parents: dict[int, ast.AST]
    ) -> tuple[str, bool] | None:
        """``(what, always)`` if ``sub`` reads process internals; ``always`` for code
        execution, which is a finding wherever its result goes."""
        if isinstance(sub, ast.Call):
            name = dotted(sub.func) or ""
            qual = self.evaluator.qualify(sub.func) or name
            if name in ("eval", "exec") and name not in scope.locals:
                return f"{name}()", True
            if name in ("globals", "locals") and name not in scope.locals:
                return f"{name}()", False
            if qual.startswith(("tracemalloc.", "gc.get_", "objgraph.")):
                return qual, False
        elif isinstance(sub, (ast.Attribute, ast.Name)):
            # `os.environ` inside `os.environ.items()` is judged by how it is used
            chain = self.evaluator.qualify(sub)
            if chain in ("os.environ", "sys.modules") and _whole_use(sub, parents):
                return chain, False
            if isinstance(sub, ast.Attribute) and sub.attr == "config":
                shown = dotted(sub) or "config"
                if _whole_use(sub, parents):
                    return shown, False
                secret = _secret_item(sub, parents)
                if secret is not None:
                    return f"{shown}[{secret!r}]", False
        return None

    def _auth_checked(self, own: list[ast.AST]) -> bool:
        for sub in own:
            if isinstance(sub, ast.Name) and sub.id == "current_user":
                return True
            if isinstance(sub, ast.Attribute) and sub.attr in ("authorization", "is_authenticated"):
                return True
            if (
                isinstance(sub, ast.Call)
                and dotted(sub.func) in ("abort", "flask.abort")
                and sub.args
                and isinstance(sub.args[0], ast.Constant)
                and sub.args[0].value in (401, 403)
            ):
                return True
        return False


# -- module-level helpers ----------------------------------------------------------------


def _main_guard(test: ast.expr) -> bool | None:
    """True for ``__name__ == "__main__"`` (either order), False for ``!=``, else None."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            if _main_guard(value) is True:
                return True
        return None
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, right = test.left, test.comparators[0]
    names = {_guard_part(left), _guard_part(right)}
    if names != {"name", "main"}:
        return None
    if isinstance(test.ops[0], (ast.Eq, ast.Is)):
        return True
    if isinstance(test.ops[0], (ast.NotEq, ast.IsNot)):
        return False
    return None


def _guard_part(node: ast.expr) -> str:
    if isinstance(node, ast.Name) and node.id == "__name__":
        return "name"
    if isinstance(node, ast.Constant) and node.value == "__main__":
        return "main"
    return ""


def _nested_bodies(stmt: ast.stmt) -> tuple[list[ast.AST], list[list[ast.stmt]]] | None:
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.target, stmt.iter], [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.While):
        return [stmt.test], [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [i.context_expr for i in stmt.items], [stmt.body]
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        handlers = stmt.handlers  # type: ignore[attr-defined]
        headers: list[ast.AST] = [h.type for h in handlers if h.type is not None]
        bodies = [stmt.body, *[h.body for h in handlers], stmt.orelse, stmt.finalbody]  # type: ignore[attr-defined]
        return headers, bodies
    if isinstance(stmt, ast.Match):
        return [stmt.subject], [c.body for c in stmt.cases]
    return None


def _own_tree(
    body: list[ast.stmt], with_parents: bool = True
) -> tuple[list[ast.AST], dict[int, ast.AST]]:
    """A function body's own nodes (not nested scopes' bodies, not expression
    contexts) and, if asked for, each
    one's parent, in one pass: the analyses of a function share it instead of walking
    it again. Only views need the parents (to follow a value into the response)."""
    nodes: list[ast.AST] = []
    parents: dict[int, ast.AST] = {}
    stack: list[ast.AST] = list(reversed(body))
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in syntax_children(node):
            if with_parents:
                parents[id(child)] = node
            if not isinstance(child, nested):
                stack.append(child)
    return nodes, parents


def assigned_targets(stmt: ast.AST) -> list[ast.expr]:
    """The targets a statement binds names through (imports and defs as Store names)."""
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.target is not None:
        return [stmt.target]
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [
            ast.Name(id=(a.asname or a.name).split(".")[0], ctx=ast.Store())
            for a in stmt.names
            if a.name != "*"
        ]
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [ast.Name(id=stmt.name, ctx=ast.Store())]
    return []


def _simple_assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
        return stmt.target.id, stmt.value
    return None, None


def _mapping_items(node: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    """Keys and values of ``update(K=v)``, ``update({"K": v})``, ``update(dict(K=v))``."""
    for kw in node.keywords:
        if kw.arg is not None:
            yield kw.arg, kw.value
    for arg in node.args:
        if isinstance(arg, ast.Dict):
            for key, value in zip(arg.keys, arg.values, strict=False):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.value, value
        elif isinstance(arg, ast.Call) and dotted(arg.func) == "dict":
            yield from _mapping_items(arg)


def _literal_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value)


_SCHEMA_KEYS: Final = frozenset({"type", "properties", "required", "$schema"})
_FLAG_WORDS: Final = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})


def _refused_literals(body: list[ast.stmt]) -> set[object]:
    """Secret key values the module will not start with: the literals of an ``if`` that
    compares a secret key with them (``==``, ``in``) and stops the program when it
    matches (raise, sys.exit, or a call of a function named for it, ``fatal_error``).
    Such a default fails fast, like ``os.environ["SECRET_KEY"]``."""
    functions = {
        stmt.name: stmt
        for stmt in body
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    refused: set[object] = set()
    for stmt in all_statements(body):
        if not isinstance(stmt, ast.If) or not _stops(stmt.body, functions):
            continue
        for node in walk(stmt.test):
            if not isinstance(node, ast.Compare) or len(node.ops) != 1:
                continue
            sides = [node.left, node.comparators[0]]
            if not any(_names_secret_key(side) for side in sides):
                continue
            if isinstance(node.ops[0], ast.Eq):
                refused.update(side.value for side in sides if isinstance(side, ast.Constant))
            elif isinstance(node.ops[0], ast.In) and isinstance(
                sides[1], (ast.Tuple, ast.List, ast.Set)
            ):
                refused.update(e.value for e in sides[1].elts if isinstance(e, ast.Constant))
    return refused


def _names_secret_key(node: ast.expr) -> bool:
    """``app.config["SECRET_KEY"]``, ``app.secret_key``, ``SECRET_KEY``."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and is_secret_key_name(key.value)
        )
    if isinstance(node, ast.Attribute):
        return is_secret_key_name(node.attr.upper())
    return isinstance(node, ast.Name) and is_secret_key_name(node.id)


_STOPPING: Final = re.compile(r"fatal|exit|die\b|abort|panic", re.IGNORECASE)


def _stops(
    body: list[ast.stmt], functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
) -> bool:
    """Whether a block ends the program: raise, sys.exit/exit, or a call of a module
    function that does, or one named for it (fatal_error, die, abort_startup)."""
    last = body[-1] if body else None
    if isinstance(last, ast.Raise):
        return True
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        return False
    name = dotted(last.value.func) or ""
    if name.rsplit(".", 1)[-1] in ("exit", "_exit") or _STOPPING.search(name):
        return True
    function = functions.get(name)
    return function is not None and any(
        isinstance(node, ast.Raise)
        or (isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("exit"))
        for node in walk(function)
    )


def _is_secret_literal(value: object) -> bool:
    """A literal that can be a secret: not empty, not ``$VAR``, not a boolean-like flag
    (``ALLOW_CREDENTIALS`` defaulting to ``"false"``) and not a short number (a TTL);
    a long run of digits (a generated salt) can be."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = value.strip()
    return (
        bool(text)
        and not text.startswith("$")
        and text.lower() not in _FLAG_WORDS
        and not (text.isdigit() and len(text) <= 6)
    )


def _config_read(node: ast.expr) -> str | None:
    """``K`` for ``<x>.config["K"]`` or ``<x>.config.get("K", ...)``."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "config"
        and _literal_str(node.slice)
    ):
        return str(node.slice.value)  # type: ignore[attr-defined]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "config"
        and node.args
        and _literal_str(node.args[0])
    ):
        return str(node.args[0].value)  # type: ignore[attr-defined]
    return None


def _fail_fast_names(body: list[ast.stmt]) -> set[str]:
    """Module names that an ``if NAME == "literal" ...: raise`` at module level checks:
    the literal fallback stops start-up instead of being used."""
    names: set[str] = set()
    for stmt in body:
        if not isinstance(stmt, ast.If) or not stmt.body:
            continue
        last = stmt.body[-1]
        exits = isinstance(last, ast.Raise) or (
            isinstance(last, ast.Expr)
            and isinstance(last.value, ast.Call)
            and (dotted(last.value.func) or "") in ("sys.exit", "exit", "quit")
        )
        if not exits:
            continue
        tests = stmt.test.values if isinstance(stmt.test, ast.BoolOp) else [stmt.test]
        for test in tests:
            if (
                isinstance(test, ast.Compare)
                and len(test.ops) == 1
                and isinstance(test.ops[0], (ast.Eq, ast.In))
                and isinstance(test.left, ast.Name)
                and isinstance(test.comparators[0], (ast.Constant, ast.Tuple, ast.List, ast.Set))
            ):
                names.add(test.left.id)
    return names


def _is_name_table(node: ast.ClassDef) -> bool:
    """A class whose secret-named attributes hold names (``SECRET_KEY = "SECRET_KEY"``,
    ``DB_PASSWORD = "PI_DB_PASSWORD"``, ``TOKEN = "token"``): a table of config keys,
    environment variables or enum labels, not configuration values. Two such
    attributes make the table (other attributes, such as endpoint names like
    ``LOGIN_VIEW = "auth.login"`` in a real config class, do not count)."""
    named = 0
    for stmt in node.body:
        target, value = _simple_assignment(stmt)
        if target is None or not isinstance(value, ast.Constant) or not is_secret_name(target):
            continue
        text = value.value
        if isinstance(text, str) and (text.lower() == target.lower() or is_name_like(text)):
            named += 1
            if named >= 2:
                return True
    return False


def _renames_settings(node: ast.Dict) -> bool:
    """A table of setting or environment variable names (``{"IRIS_SECRET_KEY":
    "SECRET_KEY", "POSTGRES_PASSWORD": "DB_PASS"}``, new name -> old name): two
    secret-named keys holding names, or one whose value renames the key itself
    (``{"SECRET_KEY": "APP_SECRET_KEY"}``)."""
    named = 0
    for key, value in zip(node.keys, node.values, strict=False):
        if not (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)):
            continue
        name, text = key.value, value.value
        if not isinstance(name, str) or not is_secret_name(name) or not is_name_like(text):
            continue
        if is_name_like(name) and (name.endswith(str(text)) or str(text).endswith(name)):
            return True
        named += 1
    return named >= 2


# Client classes taking the password by position: its index.
_POSITIONAL_PASSWORDS: Final = {
    "pika.PlainCredentials": 1,
    "requests.auth.HTTPBasicAuth": 1,
    "requests.auth.HTTPDigestAuth": 1,
    "requests.auth.HTTPProxyAuth": 1,
    "httpx.BasicAuth": 1,
    "httpx.DigestAuth": 1,
    "aiohttp.BasicAuth": 1,
    "ldap3.Connection": 2,
    "pymysql.connect": 2,
    "MySQLdb.connect": 2,
}


def _is_example(stmt: ast.AST) -> bool:
    """``EXAMPLE_CONFIG = "...mysql://pi:password@localhost..."``: text a tool prints to
    show the format, like a ``.env.example``."""
    return isinstance(stmt, (ast.Assign, ast.AnnAssign)) and any(
        isinstance(node, ast.Name) and is_example_name(node.id)
        for target in assigned_targets(stmt)
        for node in walk(target)
    )


def _literal_kind(name: str, value: object) -> str | None:
    """The event a literal bound to a secret-named setting is, if any.

    A secret key is judged strictly: Flask signs sessions with whatever the literal is,
    ``"<your key here>"`` included. Other credentials must look like one: a mask
    (``"****"``), a template (``"${DB_PASSWORD}"``) or a field name spelled like the
    setting (``CSRF_TOKEN = "csrf_token"``) is not a password.
    """
    if isinstance(value, tuple):  # SECRET_KEY_FALLBACKS = ["old-key", ...]
        value = next((item for item in value if _is_secret_literal(item)), None)
    if not is_secret_name(name) or not _is_secret_literal(value):
        return None
    if is_secret_key_name(name):
        return "secret-key-literal"
    # a pepper is never a message or a label: a sentence there is the pepper itself
    passphrase = name.upper().endswith("PEPPER") and isinstance(value, str)
    if not (looks_like_credential(value) or passphrase) or is_self_named(name, value):
        return None
    if isinstance(value, str) and value != name and value == name.lower():
        return None  # PASSWORD = "password", {"Password": "password"}: a label
    return "credential-literal"


_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEY_METHODS: Final = frozenset({"get", "pop", "setdefault", "getlist"})


def _mapping_key_names(tree: ast.Module, names: set[str]) -> set[str]:
    """Those of ``names`` the module uses as a key into a mapping: ``session[NAME]``,
    ``session.get(NAME)``, ``session.pop(NAME, None)``."""
    found: set[str] = set()
    for node in walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _KEY_METHODS
            and node.args
        ):
            key = node.args[0]
        if isinstance(key, ast.Name) and key.id in names:
            found.add(key.id)
    return found


def _find_default_node(root: ast.expr, line: int, column: int) -> ast.expr | None:
    for node in walk(root):
        if isinstance(node, ast.expr) and node.lineno == line and node.col_offset + 1 == column:
            return node
    return None


def _could_be_host(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Call):
        return True  # os.environ.get("HOST", ...)
    return isinstance(node, ast.Name) and node.id.lower() in ("host", "hostname", "ip", "addr")


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return str(node.args[0].value)
    return None


_SQL_INSERT: Final = re.compile(
    r"^\s*INSERT\s+INTO\s+[\w.\"`\[\]]+\s*\(([^)]*)\)\s*VALUES\s*\(", re.IGNORECASE
)
_SQL_UPDATE: Final = re.compile(
    r"^\s*UPDATE\s+[\w.\"`\[\]]+\s+SET\s+(.*)$", re.IGNORECASE | re.DOTALL
)
_SQL_ASSIGNED: Final = re.compile(r"([\w\"`\[\]]+)\s*=\s*(\?|%s|:\w+|%\(\w+\)s)")


def _sql_password_positions(sql: str) -> dict[int, str]:
    """Which bound parameters of an INSERT or UPDATE fill a password column:
    position -> column (``INSERT INTO users (name, password) VALUES (?, ?)`` -> {1:
    "password"}; ``UPDATE users SET password = ? WHERE id = ?`` -> {0: "password"})."""
    insert = _SQL_INSERT.match(sql)
    if insert is not None:
        columns = [c.strip(' "`[]') for c in insert.group(1).split(",")]
    else:
        update = _SQL_UPDATE.match(sql)
        if update is None:
            return {}
        columns = [m.group(1).strip('"`[]') for m in _SQL_ASSIGNED.finditer(update.group(1))]
    return {i: c for i, c in enumerate(columns) if is_password_name(c)}


def _is_plaintext_password(node: ast.expr, analyzer: ModuleAnalyzer) -> bool:
    """A password straight from the request or a form field, not hashed on the way."""
    if isinstance(node, ast.Call):
        name = dotted(node.func) or ""
        if not name.endswith(".get"):
            return False
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        return (
            owner is not None
            and _is_request_data(owner, analyzer)
            and (
                bool(node.args)
                and isinstance(node.args[0], ast.Constant)
                and is_password_name(str(node.args[0].value))
            )
        )
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            _is_request_data(node.value, analyzer)
            and isinstance(key, ast.Constant)
            and is_password_name(str(key.value))
        )
    if isinstance(node, ast.Attribute) and node.attr == "data":
        field_node = node.value
        return isinstance(field_node, ast.Attribute) and is_password_name(field_node.attr)
    return False


def _is_request_data(node: ast.expr, analyzer: ModuleAnalyzer) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in _REQUEST_DATA:
        return analyzer.evaluator.qualify(node.value) == "flask.request"
    return False


# Packages whose `.hash(password)` (passlib's `.encrypt`) makes a password hash.
_PASSWORD_HASHERS: Final = frozenset({"passlib", "argon2", "bcrypt", "flask_bcrypt"})

_HASH_CALLS: Final = frozenset(
    {
        "generate_password_hash",
        "hashpw",
        "hash_password",
        "make_password",
        "hash",
        "encrypt",
        "create_hash",
        "make_hash",
    }
)


_HASH_CALL_WORDS: Final = re.compile(r"\b(?:" + "|".join(sorted(_HASH_CALLS)) + r")\b")


def _range_lookup_digests(own: list[ast.AST]) -> set[int]:
    """SHA-1 calls whose digest is assigned to a name used only as ``name[:5]`` and
    ``name[5:]`` (the prefix is sent, the rest compared with the reply): the
    k-anonymity protocol of the Pwned Passwords range API, which checks a password
    against breaches and stores nothing. Any other use of the name (stored, logged,
    returned whole) keeps the finding."""
    slices: dict[str, set[str]] = {}
    sliced_names: set[int] = set()
    for sub in own:
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.value, ast.Name)
            and isinstance(sub.slice, ast.Slice)
            and sub.slice.step is None
        ):
            part = None
            if sub.slice.lower is None and _is_five(sub.slice.upper):
                part = "head"
            elif sub.slice.upper is None and _is_five(sub.slice.lower):
                part = "tail"
            if part is not None:
                slices.setdefault(sub.value.id, set()).add(part)
                sliced_names.add(id(sub.value))
    split = {name for name, parts in slices.items() if parts == {"head", "tail"}}
    if not split:
        return set()
    for sub in own:  # any other read of the digest: not only a range lookup
        if (
            isinstance(sub, ast.Name)
            and sub.id in split
            and isinstance(sub.ctx, ast.Load)
            and id(sub) not in sliced_names
        ):
            split.discard(sub.id)
    found: set[int] = set()
    for sub in own:
        if (
            isinstance(sub, ast.Assign)
            and len(sub.targets) == 1
            and isinstance(sub.targets[0], ast.Name)
            and sub.targets[0].id in split
        ):
            found.update(id(call) for call in walk(sub.value) if isinstance(call, ast.Call))
    return found


def _is_five(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == 5 and not isinstance(node.value, bool)


def _hashed_attrs(node: ast.ClassDef, text: str) -> tuple[str, ...]:
    """Attributes the class hashes when they are set (see ClassFacts.hashed_attrs):
    ``@password.setter`` methods, ``__init__`` hashing a parameter, and
    ``password = property(get, set)`` (also inside SQLAlchemy's ``synonym``) whose
    setter hashes. ``text`` is the class's source: a class that never names a hash
    function calls none, and its methods are not walked (unless the source is not
    ASCII: the parser normalises non-ASCII identifiers, NFKC, so text can hide one)."""
    hashed: list[str] = []
    calls_hash = not text.isascii() or _HASH_CALL_WORDS.search(text) is not None
    hashing_methods = {
        stmt.name
        for stmt in node.body
        if calls_hash
        and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(
            isinstance(sub, ast.Call) and _callee_name(sub) in _HASH_CALLS for sub in walk(stmt)
        )
    }
    if "__set__" in hashing_methods:
        hashed.append("__set__")  # a descriptor that hashes what is assigned through it
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and hashing_methods:
            for call in walk(stmt.value):
                if (
                    isinstance(call, ast.Call)
                    and _callee_name(call) in ("property", "hybrid_property")
                    and any(isinstance(a, ast.Name) and a.id in hashing_methods for a in call.args)
                ):
                    hashed += [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    for stmt in node.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in stmt.decorator_list:
            if (
                isinstance(deco, ast.Attribute)
                and deco.attr == "setter"
                and isinstance(deco.value, ast.Name)
            ):
                hashed.append(deco.value.id)
        if stmt.name != "__init__" or not calls_hash:
            continue
        params = {a.arg for a in (*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs)}
        for sub in walk(stmt):
            if isinstance(sub, ast.Call) and _callee_name(sub) in _HASH_CALLS:
                for arg in walk(sub):
                    if isinstance(arg, ast.Name) and arg.id in params:
                        hashed.append(arg.id)
    return tuple(dict.fromkeys(hashed))


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _is_constructor(callee: str) -> bool:
    last = callee.split(".")[-1]
    return bool(last) and last[0].isupper()


def _is_config_call(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "config"
    )


def _is_docstring(stmt: ast.AST, node: ast.AST) -> bool:
    return isinstance(stmt, ast.Expr) and stmt.value is node


# Calls that show their argument (in whole or as a summary) rather than use it.
_DISPLAY_CALLS: Final = frozenset(
    {
        "str",
        "repr",
        "format",
        "join",
        "dict",
        "list",
        "tuple",
        "set",
        "sorted",
        "len",
        "jsonify",
        "dumps",
        "pformat",
        "make_response",
        "Response",
        "render_template",
        "render_template_string",
    }
)
_MUTATORS: Final = frozenset({"append", "extend", "update", "add", "insert", "setdefault"})


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _flow(stmt: ast.stmt) -> tuple[set[str], list[ast.AST]]:
    """Names a statement writes data into, and the expressions the data comes from:
    ``x = v``, ``x += v``, ``for x in v``, ``with v as x``, ``x.append(v)``, ``x[k] = v``."""
    targets: list[ast.AST] = []
    sources: list[ast.AST] = []
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
        targets = list(assigned_targets(stmt))
        sources = [stmt.value]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets, sources = [stmt.target], [stmt.iter]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
        sources = [i.context_expr for i in stmt.items]
    elif (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Attribute)
        and stmt.value.func.attr in _MUTATORS
    ):
        targets = [stmt.value.func.value]
        sources = [*stmt.value.args, *(k.value for k in stmt.value.keywords)]
    names: set[str] = set()
    for target in targets:
        for part in walk(target):
            if isinstance(part, ast.Name):
                names.add(part.id)
        root = _root_name(target)
        if root is not None:
            names.add(root)
    return names, sources


def _shown_names(nodes: list[ast.AST]) -> set[str]:
    """Names whose data the value of ``nodes`` shows: not the arguments of a call that
    only uses them (``requests.get(url, headers=token)``), not a condition's operands."""
    names: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Call):
            func = node.func
            callee = func.attr if isinstance(func, ast.Attribute) else dotted(func) or ""
            if isinstance(func, ast.Attribute):
                stack.append(func.value)  # reply.json() is made of reply
            if callee.rsplit(".", 1)[-1] in _DISPLAY_CALLS:
                stack += [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.IfExp):
            stack += [node.body, node.orelse]
        elif not isinstance(node, (ast.Compare, ast.Lambda)):
            stack += child_nodes(node)
    return names


def _is_response(node: ast.AST) -> bool:
    """``return v`` or ``yield v``: a statement whose value goes to the client."""
    if isinstance(node, ast.Return):
        return node.value is not None
    return isinstance(node, ast.Expr) and isinstance(node.value, (ast.Yield, ast.YieldFrom))


def _returned_names(own: list[ast.AST]) -> set[str]:
    """Locals whose data reaches the function's return (or yield) value."""
    deps: dict[str, set[str]] = {}
    pending: list[str] = []
    for stmt in own:
        if _is_response(stmt):
            pending += _shown_names([stmt.value])  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.stmt):
            targets, sources = _flow(stmt)
            if targets and sources:
                read = _shown_names(sources)
                for target in targets:
                    deps.setdefault(target, set()).update(read)
    returned: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in returned:
            returned.add(name)
            pending += deps.get(name, ())
    return returned


def _reaches_response(node: ast.AST, parents: dict[int, ast.AST], returned: set[str]) -> bool:
    """Whether the value of ``node`` is shown in what the view returns: it sits in the
    return value, or in data flowing into a returned local, and only passes through
    calls that display it (``str``, ``jsonify``...), not ones that merely use it."""
    child = node
    parent = parents.get(id(child))
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.keyword):
            child, parent = parent, parents.get(id(parent))
            continue
        if isinstance(parent, ast.Compare) or (
            isinstance(parent, ast.IfExp) and parent.test is child
        ):
            return False  # only a truth value comes out
        if isinstance(parent, ast.Call) and parent.func is not child:
            func = parent.func
            callee = func.attr if isinstance(func, ast.Attribute) else dotted(func) or ""
            if callee.rsplit(".", 1)[-1] not in _DISPLAY_CALLS:
                return False
        child, parent = parent, parents.get(id(parent))
    if parent is None:
        return False
    if _is_response(parent):
        return True
    targets, _ = _flow(parent)
    return bool(targets & returned)


def _whole_use(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """``os.environ`` used as a whole, not one key read through ``[...]`` or ``.get``."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return False
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(id(parent))
        if parent.attr in ("get", "setdefault", "pop", "__getitem__"):
            return False
        return isinstance(grand, ast.Call) and parent.attr in ("items", "keys", "values", "copy")
    if isinstance(parent, (ast.Compare, ast.Assign)) or parent is None:
        return isinstance(parent, ast.Assign)
    return True


def _secret_item(node: ast.AST, parents: dict[int, ast.AST]) -> str | None:
    """The key of ``config["SECRET_KEY"]`` or ``config.get("DATABASE_URL")``: one secret
    (or a connection URL, which carries the database password) read out."""
    parent = parents.get(id(node))
    key: ast.AST | None = None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = parents.get(id(parent))
        if isinstance(call, ast.Call) and call.args:
            key = call.args[0]
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    if is_secret_name(key.value) or is_connection_url_name(key.value):
        return key.value
    return None


# -- suppression comments ----------------------------------------------------------------


def statement_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of logical statements; compound statements count their header only."""
    spans: list[tuple[int, int]] = []
    for node in walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = node.lineno
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            start = min(d.lineno for d in decorators)
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(start, body[0].lineno - 1)
        else:
            end = node.end_lineno or node.lineno
        spans.append((start, end))
    return spans


def suppression_comments(text: str) -> Iterator[tuple[int, set[str] | None, str]]:
    """``(line, codes, raw)`` for each suppression comment; codes ``None`` if none named."""
    # most files have none: tokenize only if the text holds a suppression somewhere
    # (the tokenizer then tells comments from strings)
    if _SUPPRESS_RE.search(text) is None and not any(
        "FW" in match.group("codes").upper() for match in _NOQA_RE.finditer(text)
    ):
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        comment = token.string
        for match in _SUPPRESS_RE.finditer(comment):
            raw = match.group("codes")
            codes = {c.strip().upper() for c in re.split(r"[\s,]+", raw or "") if c.strip()}
            yield token.start[0], codes or None, match.group(0)
        for match in _NOQA_RE.finditer(comment):
            codes = {c.upper() for c in re.split(r"[\s,]+", match.group("codes")) if c}
            fw = {c for c in codes if c.startswith("FW")}
            if fw:
                yield token.start[0], fw, match.group(0)


def _request_proxies(body: list[ast.stmt], evaluator: Evaluator) -> set[str]:
    """Module-level names bound to a proxy of Flask's request, as frameworks built on
    Flask export it: ``request = LocalProxy(_get_request)`` with ``_get_request``
    returning ``flask.request`` (or a lambda doing so, or the ``partial(_lookup,
    "request")`` Flask itself once used), also through a ``LocalProxy`` subclass."""
    proxy_classes: set[str] = set()
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    assignments: list[tuple[str, ast.Call]] = []
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            # class CKANRequest(LocalProxy[Request]): a generic base is subscripted
            bases = [b.value if isinstance(b, ast.Subscript) else b for b in stmt.bases]
            if any(
                evaluator.qualify(base) in LOCAL_PROXIES
                or (isinstance(base, ast.Name) and base.id in proxy_classes)
                for base in bases
            ):
                proxy_classes.add(stmt.name)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = stmt
        else:
            target, value = _simple_assignment(stmt)
            if target is not None and isinstance(value, ast.Call):
                assignments.append((target, value))

    def is_request(node: ast.expr | None) -> bool:
        return node is not None and evaluator.qualify(node) in REQUEST_OBJECTS

    def gives_request(node: ast.expr) -> bool:
        if isinstance(node, ast.Lambda):
            return is_request(node.body)
        if isinstance(node, ast.Name) and node.id in functions:
            returns = [
                s.value
                for s in all_statements(functions[node.id].body)
                if isinstance(s, ast.Return)
            ]
            return bool(returns) and all(is_request(value) for value in returns)
        # partial(_lookup_req_object, "request")
        return isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant) and arg.value == "request" for arg in node.args
        )

    found: set[str] = set()
    for name, call in assignments:
        func = call.func
        is_proxy = evaluator.qualify(func) in LOCAL_PROXIES or (
            isinstance(func, ast.Name) and func.id in proxy_classes
        )
        if is_proxy and call.args and gives_request(call.args[0]):
            found.add(name)
    return found
