"""Per-file analysis for the FW4-FW6 rules: one walk over a parsed module.

The walk knows scopes (module, class, function, nested function), so a name is only
``flask.request`` when it is not a local, and a container is module-level only when the
function does not bind the name itself. Each statement and expression is visited once
(plus one cheap pre-pass per function for its local names), so the cost is linear in
the size of the file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final

from flaskwarden.appfacts.facts import (
    EXPOSED_VIEW,
    REQUEST,
    AppFacts,
    Blocking,
    CacheDecorator,
    CallEntry,
    CallSite,
    Connection,
    Construction,
    Container,
    Entry,
    FunctionApp,
    GlobalWrite,
    Growth,
    Labels,
    MethodTest,
    Registration,
    SetCookie,
    Setting,
    ViewClass,
    WeakStore,
)
from flaskwarden.python.analyze import assigned_targets
from flaskwarden.python.evaluate import Evaluator, dotted
from flaskwarden.python.facts import (
    UNNAMED,
    Ref,
    Span,
    parser_lines,
    source_lines,
    source_segment,
    span_of,
)
from flaskwarden.python.guards import (
    NO_GUARDS,
    Guard,
    GuardTests,
    after_if,
    call_literals,
    exits,
    literal_defaults,
)
from flaskwarden.python.names import REQUEST_OBJECTS, ROUTE_ATTRS, is_expose
from flaskwarden.python.nodes import (
    all_statements,
    child_nodes,
    expression_children,
    syntax_children,
    walk,
)
from flaskwarden.taint import graphql
from flaskwarden.taint.tables import EXTERNAL_PACKAGES

HOOK_ATTRS: Final = frozenset(
    {
        "before_request",
        "after_request",
        "teardown_request",
        "teardown_appcontext",
        "before_app_request",
        "after_app_request",
        "teardown_app_request",
        "url_value_preprocessor",
        "app_url_value_preprocessor",
        "url_defaults",
        "app_url_defaults",
    }
)
ERROR_ATTRS: Final = frozenset({"errorhandler", "app_errorhandler"})
TEMPLATE_ATTRS: Final = frozenset(
    {
        "context_processor",
        "app_context_processor",
        "template_filter",
        "app_template_filter",
        "template_global",
        "app_template_global",
        "template_test",
        "app_template_test",
    }
)
_CALL_FORMS: Final[dict[str, tuple[str, int]]] = {
    # method -> (entry kind, index of the function argument)
    **dict.fromkeys(HOOK_ATTRS, ("hook", 0)),
    "register_error_handler": ("errorhandler", 1),
    "context_processor": ("template", 0),
    "app_context_processor": ("template", 0),
    "add_template_filter": ("template", 0),
    "add_app_template_filter": ("template", 0),
    "add_template_global": ("template", 0),
    "add_app_template_global": ("template", 0),
    "add_template_test": ("template", 0),
}
# What makes a requests.Session (whose calls wait as long as requests does).
_SESSION_CLASSES: Final = frozenset({"requests.Session", "requests.session"})
# Attributes of the request that carry what the client sent (not request.method).
REQUEST_DATA: Final = frozenset(
    {
        "args", "form", "values", "json", "get_json", "data", "get_data", "files",
        "cookies", "headers", "view_args", "path", "full_path", "url", "base_url",
        "url_root", "host_url", "query_string", "referrer", "user_agent", "remote_addr",
        "access_route", "host", "authorization", "stream", "input_stream", "environ",
    }
)  # fmt: skip
FORM_ATTRS: Final = frozenset({"form", "files", "values"})
STATE_CHANGING: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SECURITY_HEADERS: Final = frozenset(
    {
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "content-security-policy-report-only",
        "strict-transport-security",
        "referrer-policy",
    }
)
SETTING_KEYS: Final = frozenset(
    {
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "REMEMBER_COOKIE_SECURE",
        "REMEMBER_COOKIE_HTTPONLY",
        "REMEMBER_COOKIE_SAMESITE",
        "WTF_CSRF_ENABLED",
    }
)
_CONTAINER_CALLS: Final[dict[str, str]] = {
    "dict": "dict",
    "list": "list",
    "set": "set",
    "collections.defaultdict": "defaultdict",
    "collections.OrderedDict": "OrderedDict",
    "collections.Counter": "Counter",
    "collections.deque": "deque",
}
_BOUNDED_PACKAGES: Final = ("cachetools.", "expiringdict.", "pylru.", "boltons.cacheutils.")
_WEAK_CLASSES: Final = frozenset(
    {"weakref.WeakValueDictionary", "weakref.WeakKeyDictionary", "weakref.WeakSet"}
)
_CONNECT_CALLS: Final[dict[str, str]] = {
    "sqlite3.connect": "sqlite3",
    "sqlite3.dbapi2.connect": "sqlite3",
    "pymysql.connect": "PyMySQL",
    "MySQLdb.connect": "MySQLdb",
    "mysql.connector.connect": "mysql.connector",
}
_CONNECTION_METHODS: Final = frozenset(
    {"execute", "executemany", "executescript", "cursor", "commit", "rollback"}
)
_GROW_ALWAYS: Final = frozenset({"append", "appendleft", "insert", "extend", "extendleft"})
_GROW_KEYED: Final = frozenset({"add", "update", "setdefault"})
_EVICT: Final = frozenset({"pop", "popitem", "clear", "remove", "discard", "popleft", "popright"})
_HTTP_VERBS: Final = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request"}
)
_SUBPROCESS: Final = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}
)
# Wait for the command with no way to pass a timeout at all.
_SUBPROCESS_UNTIMED: Final = frozenset(
    {"os.system", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"}
)
_WRITE_CALLS: Final = frozenset(
    {
        "commit", "save", "insert", "insert_one", "insert_many", "update_one",
        "update_many", "delete_one", "delete_many", "replace_one", "add_all",
        "bulk_save_objects", "executemany", "save_to_db", "send_mail", "send_email",
    }
)  # fmt: skip
_WRITE_PREFIXES: Final = (
    "create_", "add_", "insert_", "save_", "update_", "delete_", "remove_", "place_",
    "store_", "write_", "record_", "register_", "submit_", "send_",
)  # fmt: skip
_SQL_WRITE: Final = re.compile(r"^\s*(insert|update|delete|replace)\b", re.IGNORECASE)
_TOKEN_HEADER: Final = re.compile(
    r"authorization|token|api[-_]?key|signature|hmac|x-hub|x-[a-z-]*-key", re.IGNORECASE
)
_TOKEN_DECORATOR: Final = re.compile(
    r"token|jwt|api_?key|apikey|signature|hmac|webhook|oauth", re.IGNORECASE
)
# Packages that verify a signed message posted from another site: a SAML response
# (python3-saml, pysaml2, Flask-SAML), so the endpoint is not authenticated by the
# session cookie alone.
_SIGNED_MESSAGE_PACKAGES: Final = frozenset({"onelogin", "saml2", "flask_saml", "flask_saml2"})
_SIGNATURE_CHECKS: Final = frozenset(
    {
        "stripe.Webhook.construct_event",
        "stripe.WebhookSignature.verify_header",
        "svix.webhooks.Webhook.verify",
    }
)
_SENSITIVE_COOKIE: Final = re.compile(
    r"token|sess|auth|remember|jwt|sid|secret|key|login|user_?id|credential|passw|api",
    re.IGNORECASE,
)
_CSRF_COOKIE: Final = re.compile(r"csrf|xsrf", re.IGNORECASE)
_LOCK: Final = re.compile(r"lock|mutex|semaphore", re.IGNORECASE)
_DEV_GUARD: Final = re.compile(r"test|debug|dev|local", re.IGNORECASE)
_STR_RESULT_METHODS: Final = frozenset(
    {
        "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold",
        "format", "join", "replace", "encode", "decode", "hexdigest", "isoformat",
        "strftime", "zfill", "ljust", "rjust", "center",
    }
)  # fmt: skip
_STR_RESULT_CALLS: Final = frozenset(
    {"str", "int", "float", "bytes", "repr", "format", "hex", "oct", "bin", "len", "ord", "chr"}
)
_VIEW_CLASS_HINTS: Final = ("View", "Resource")


@dataclass
class _Function:
    """The scope of one function being walked, and what is found in it."""

    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    class_name: str | None
    locals: set[str] = field(default_factory=set)
    params: list[str] = field(default_factory=list)
    globals: set[str] = field(default_factory=set)
    nested: dict[str, str] = field(default_factory=dict)
    # the body's own `global` and `if` statements, in walk order (found by _scope)
    global_stmts: list[ast.Global] = field(default_factory=list)
    if_stmts: list[ast.If] = field(default_factory=list)
    labels: dict[str, Labels] = field(default_factory=dict)
    lists: dict[str, tuple[Ref, ...] | None] = field(default_factory=dict)
    loops: dict[str, tuple[Ref, ...] | None] = field(default_factory=dict)
    popen: set[str] = field(default_factory=set)
    http_sessions: set[str] = field(default_factory=set)
    instances: dict[str, Ref] = field(default_factory=dict)  # local name -> its class
    forms: set[str] = field(default_factory=set)  # local names holding a *Form(...)
    # (container, key) pairs, as ast.dump()s, known to be present where the statement
    # runs: inside `if key in cache:` a store to cache[key] replaces, it does not grow
    present: frozenset[tuple[str, str]] = frozenset()
    # dispatch tables: a dict of functions, and a name picked out of one (see _dispatch)
    tables: dict[str, tuple[ast.expr, ...]] = field(default_factory=dict)
    picked: dict[str, tuple[ast.expr, ...]] = field(default_factory=dict)
    weak: dict[str, str] = field(default_factory=dict)  # local name -> weak class
    guarded_names: set[str] = field(default_factory=set)
    loop_depth: int = 0  # inside `while` loops
    guards: frozenset[Guard] = NO_GUARDS  # tests on parameters the statement runs under
    guard_tests: GuardTests | None = None
    lock_depth: int = 0  # inside `with lock:` blocks
    calls: list[CallSite] = field(default_factory=list)
    grows: list[Growth] = field(default_factory=list)
    len_checked: set[Ref] = field(default_factory=set)
    blocking: list[Blocking] = field(default_factory=list)
    method_tests: list[MethodTest] = field(default_factory=list)
    form_reads: list[Span] = field(default_factory=list)
    token_auth: bool = False
    validates_form: bool = False
    connection_uses: list[Ref] = field(default_factory=list)
    global_assigns: dict[str, list[Span]] = field(default_factory=dict)


def _table_values(node: ast.expr) -> tuple[ast.expr, ...]:
    """The values of a dict literal whose every value names a function or method
    (``{"a": handle_a, "b": views.handle_b}``); empty for anything else."""
    if not isinstance(node, ast.Dict) or not node.values or None in node.keys:
        return ()
    if not all(isinstance(v, (ast.Name, ast.Attribute)) for v in node.values):
        return ()
    return tuple(node.values)


class AppAnalyzer:
    """Walks one module and fills an :class:`AppFacts`."""

    def __init__(self, tree: ast.Module, text: str, path: str, imports: dict[str, str]) -> None:
        self.tree = tree
        self.text = text
        self.lines = parser_lines(text)
        self._source_lines: list[str] | None = None  # for source_segment, when needed
        self.path = path
        self.imports = imports
        self.result = AppFacts()
        self.module_names: set[str] = set()
        self.module_functions: set[str] = set()
        self.module_classes: set[str] = set()
        self.module_lists: dict[str, tuple[Ref, ...] | None] = {}
        self.module_loops: dict[str, tuple[Ref, ...] | None] = {}  # in a module-level for
        # module-level dicts of functions, bound once: HANDLERS = {"a": handle_a, ...}
        self.module_tables: dict[str, tuple[ast.expr, ...]] = {}
        self.http_sessions: set[str] = set()
        # (class, attribute) holding a requests.Session: `self.http = requests.Session()`
        self.attr_sessions: set[tuple[str, str]] = set()
        # (class, attribute) holding an instance of a project class: `self.client = ...`
        self.attr_instances: dict[tuple[str, str], Ref] = {}
        self.httpauth: set[str] = set()
        # module functions that return a new requests.Session: `with get_session() as s:`
        self.session_factories: set[str] = set()
        # GraphQL resolvers (function node ids): each runs for the request that asks
        self.resolvers: set[int] = set()

    # -- entry point ---------------------------------------------------------------

    def run(self) -> AppFacts:
        if graphql.uses_graphql(self.imports):
            self.resolvers = set(graphql.resolver_arguments(self.tree, Evaluator(self.imports)))
        self._module_names(self.tree.body)
        self._imports_evidence()
        self._block(self.tree.body, None, None, False)
        return self.result

    # -- helpers ---------------------------------------------------------------------

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.lines)

    def qualify(self, node: ast.expr, fn: _Function | None) -> str | None:
        """The imported name a name/attribute chain stands for, unless a local shadows it."""
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if fn is not None and (head in fn.locals or head in fn.params):
            return None
        if head in self.module_names:
            return name if head in _BUILTIN_NAMES else None
        base = self.imports.get(head)
        if base is None:
            return name if head in _BUILTIN_NAMES else None
        return f"{base}.{rest}" if rest else base

    def ref(self, node: ast.expr, fn: _Function | None) -> Ref:
        """The module facts' reference for a name or attribute chain."""
        if isinstance(node, ast.Call):
            inner = self.ref(node.func, fn)
            return f"call:{inner}" if inner != UNNAMED else UNNAMED
        name = dotted(node)
        if name is None:
            return UNNAMED
        head, _, rest = name.partition(".")
        head_ref = self._name_ref(head, fn)
        if not rest:
            return head_ref
        if head_ref.startswith("import:"):
            return f"{head_ref}.{rest}"
        return UNNAMED

    def _name_ref(self, name: str, fn: _Function | None) -> Ref:
        if fn is not None:
            if name in fn.locals:
                return f"local:{fn.qualname}:{name}"
            if name in fn.params:
                return f"param:{fn.qualname}:{name}"
        if name in self.module_names:
            return f"global:{name}"
        if name in self.imports:
            return f"import:{self.imports[name]}"
        return UNNAMED

    def _is_request(self, node: ast.expr, fn: _Function | None) -> bool:
        return self.qualify(node, fn) in REQUEST_OBJECTS

    def _request_attr(self, node: ast.AST, fn: _Function | None) -> str | None:
        """``form`` for ``request.form`` (the attribute read off flask.request)."""
        if isinstance(node, ast.Attribute) and self._is_request(node.value, fn):
            return node.attr
        return None

    def labels(self, node: ast.expr, fn: _Function | None) -> Labels:
        """Where the value of ``node`` may come from: request data, parameters."""
        if fn is None:
            return frozenset()
        found: set[str] = set()
        for sub in walk(node):
            if isinstance(sub, ast.Name):
                if sub.id in fn.labels:
                    found |= fn.labels[sub.id]
                elif sub.id in fn.params and sub.id not in ("self", "cls"):
                    found.add(f"param:{sub.id}")
            elif isinstance(sub, ast.Attribute):
                attr = self._request_attr(sub, fn)
                if attr in REQUEST_DATA:
                    found.add(REQUEST)
        return frozenset(found)

    # -- module-level names ------------------------------------------------------------

    def _module_names(self, body: list[ast.stmt]) -> None:
        for stmt in _module_statements(body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.module_functions.add(stmt.name)
                self.module_names.add(stmt.name)
                if "ession" in self.text and self._returns_session(stmt):
                    self.session_factories.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                self.module_classes.add(stmt.name)
                self.module_names.add(stmt.name)
                self._session_attributes(stmt)
            elif not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for target in assigned_targets(stmt):
                    for node in walk(target):
                        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                            self.module_names.add(node.id)
        self._module_values(body)
        for stmt in _module_statements(body):
            if isinstance(stmt, ast.ClassDef):
                self._instance_attributes(stmt)

    def _instance_attributes(self, cls: ast.ClassDef) -> None:
        """``helper = CurrencyConverter()`` in a class body, or ``self.client =
        RatesClient()`` in a method: ``self.helper.rates()`` in the class's methods
        calls that class's method. An attribute bound to two classes is left out."""
        found: dict[str, Ref | None] = {}
        for name, value in _class_attribute_bindings(cls):
            if isinstance(value, ast.Call):
                made = self._instance_class(value.func, self.qualify(value.func, None), None)
                if made is not None:
                    found[name] = made if found.get(name, made) == made else None
        for name, made in found.items():
            if made is not None:
                self.attr_instances[(cls.name, name)] = made

    def _module_values(self, body: list[ast.stmt]) -> None:
        """What names bound at module level hold, where a later call depends on it:
        ``client = RatesClient(...)`` (so that ``client.fetch()`` anywhere reaches
        ``RatesClient.fetch``) and ``HANDLERS = {"a": handle_a, ...}`` (a call through
        it, ``HANDLERS[kind](req)``, may call each of them). A name bound more than once
        is left out."""
        instances = self.result.instances
        bound: set[str] = set()
        for stmt in _module_statements(body):
            for target in assigned_targets(stmt):
                for node in walk(target):
                    if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Store):
                        continue
                    name = node.id
                    cls = None
                    functions: tuple[ast.expr, ...] = ()
                    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
                    if target is node and isinstance(value, ast.Call):
                        qual = self.qualify(value.func, None)
                        cls = self._instance_class(value.func, qual, None)
                    elif target is node and value is not None:
                        functions = _table_values(value)
                    if name in bound or cls is None:
                        instances.pop(name, None)
                    else:
                        instances[name] = cls
                    if name in bound or not functions:
                        self.module_tables.pop(name, None)
                    else:
                        self.module_tables[name] = functions
                    bound.add(name)

    def _instance_class(self, func: ast.expr, qual: str | None, fn: _Function | None) -> Ref | None:
        """The project class a call of ``func`` (qualified name ``qual``) constructs
        (``Cls(...)``), if it plainly does."""
        if isinstance(func, ast.Name) and func.id in self.module_classes:
            if fn is None or (func.id not in fn.locals and func.id not in fn.params):
                return f"fn:{func.id}"
            return None
        if qual is None or qual.split(".")[0] in EXTERNAL_PACKAGES:
            return None
        return f"import:{qual}"

    def _session_attributes(self, cls: ast.ClassDef) -> None:
        """``self.http = requests.Session()`` in a method (or ``http = requests.Session()``
        in the class body): calls through ``self.http`` in the class's methods wait as
        long as requests does."""
        if "ession" not in self.text:
            return
        for name, value in _class_attribute_bindings(cls):
            if self._is_session_call(value):
                self.attr_sessions.add((cls.name, name))

    def _returns_session(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """``s = requests.Session(); ...; return s`` (also ``s = s or requests.Session()``
        for an optional ``s`` passed in) or ``return requests.Session()``."""
        sessions: set[str] = set()
        returns: list[ast.expr | None] = []
        for stmt in all_statements(node.body):
            if not isinstance(stmt, (ast.Assign, ast.Return)):
                continue
            value = stmt.value
            if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
                value = value.values[-1]  # `session = session or requests.Session()`
            if isinstance(stmt, ast.Return):
                returns.append(value)
            elif value is not None and self._is_session_call(value):
                sessions.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        return bool(returns) and all(
            value is not None
            and (
                self._is_session_call(value)
                or (isinstance(value, ast.Name) and value.id in sessions)
            )
            for value in returns
        )

    def _makes_session(self, value: ast.expr, fn: _Function) -> bool:
        """A call of this module's session factory (not shadowed by a local)."""
        func = value.func if isinstance(value, ast.Call) else None
        return (
            isinstance(func, ast.Name)
            and func.id in self.session_factories
            and func.id not in fn.locals
            and func.id not in fn.params
        )

    def _is_session_call(self, value: ast.expr) -> bool:
        return isinstance(value, ast.Call) and self.qualify(value.func, None) in _SESSION_CLASSES

    def _imports_evidence(self) -> None:
        result = self.result
        for qual in self.imports.values():
            top = qual.split(".")[0]
            if top == "flask_talisman" or qual.startswith("secure."):
                result.talisman = True
            if top == "flask_wtf":
                if qual.endswith(("FlaskForm", ".Form")):
                    result.csrf.append("Flask-WTF FlaskForm")
                else:
                    result.csrf.append("Flask-WTF CSRFProtect")
            elif top in ("flask_seasurf", "flask_csrf") or qual.endswith("SeaSurf"):
                result.csrf.append("SeaSurf")
            elif top in ("flask_security", "flask_security_too"):
                result.csrf.append("Flask-Security")
                result.sessions = result.sessions or "Flask-Security"
            elif qual.startswith("wtforms.csrf"):
                result.csrf.append("WTForms CSRF")
            if qual in ("flask.session", "flask.globals.session"):
                result.sessions = "flask.session"
            elif top in ("flask_login", "flask_session", "flask_kvsession"):
                result.sessions = result.sessions or top

    # -- statements --------------------------------------------------------------------

    def _block(
        self, body: list[ast.stmt], fn: _Function | None, cls: str | None, dev: bool
    ) -> None:
        outer = fn.guards if fn is not None else NO_GUARDS
        for stmt in body:
            self._stmt(stmt, fn, cls, dev)
        if fn is not None:
            fn.guards = outer  # `if not p: return` narrows the rest of this block only

    def _stmt(self, stmt: ast.stmt, fn: _Function | None, cls: str | None, dev: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(stmt, fn, cls)
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt, fn)
        elif isinstance(stmt, ast.If):
            self._exprs(stmt.test, fn, cls)
            if fn is None:
                self._block(stmt.body, fn, cls, dev or _dev_test(stmt.test))
                self._block(stmt.orelse, fn, cls, dev)
                return
            if fn.guard_tests is None:
                fn.guard_tests = GuardTests(fn.node)
            body_guards, else_guards = fn.guard_tests(stmt.test)
            enclosing = fn.guards
            present = fn.present
            in_body, in_else = _membership(stmt.test)
            fn.guards = enclosing | body_guards
            fn.present = present | in_body
            self._block(stmt.body, fn, cls, dev or _dev_test(stmt.test))
            fn.guards = enclosing | else_guards
            fn.present = present | in_else
            self._block(stmt.orelse, fn, cls, dev)
            fn.guards = after_if(stmt, enclosing, body_guards, else_guards)
            # `if key not in cache: return`: what follows runs with the key present
            fn.present = present | (in_else if exits(stmt.body) else frozenset())
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._exprs(stmt.iter, fn, cls)
            self._bind(stmt.target, self.labels(stmt.iter, fn), fn)
            # a module-level loop's names hold for its body; an enclosing loop's names
            # hold again once it is over
            outer = dict(self.module_loops) if fn is None else None
            if isinstance(stmt.target, (ast.Name, ast.Tuple)):
                self._loop_refs(stmt.target, stmt.iter, fn)
            self._block(stmt.body, fn, cls, dev)
            if outer is not None:
                self.module_loops.clear()
                self.module_loops.update(outer)
            self._block(stmt.orelse, fn, cls, dev)
        elif isinstance(stmt, ast.While):
            self._exprs(stmt.test, fn, cls)
            if fn is not None:
                fn.loop_depth += 1
            self._block(stmt.body, fn, cls, dev)
            if fn is not None:
                fn.loop_depth -= 1
            self._block(stmt.orelse, fn, cls, dev)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            locked = False
            for item in stmt.items:
                self._exprs(item.context_expr, fn, cls)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, self.labels(item.context_expr, fn), fn)
                    self._track_value(item.optional_vars, item.context_expr, fn)
                locked = locked or bool(_LOCK.search(dotted(item.context_expr) or ""))
            if fn is not None and locked:
                fn.lock_depth += 1
            self._block(stmt.body, fn, cls, dev)
            if fn is not None and locked:
                fn.lock_depth -= 1
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self._block(stmt.body, fn, cls, dev)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                self._block(handler.body, fn, cls, dev)
            self._block(stmt.orelse, fn, cls, dev)  # type: ignore[attr-defined]
            self._block(stmt.finalbody, fn, cls, dev)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            self._exprs(stmt.subject, fn, cls)
            for case in stmt.cases:
                self._block(case.body, fn, cls, dev)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self._assign(stmt, fn, cls, dev)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Subscript):
                    self._evict(target.value, fn)
                self._exprs(target, fn, cls)
        elif isinstance(stmt, ast.Expr):
            if not (isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)):
                self._exprs(stmt.value, fn, cls)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self._exprs(stmt.value, fn, cls)
            if isinstance(stmt.value, ast.Call):
                self._construction(stmt.value, UNNAMED, fn, stmt)
        else:
            for child in child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self._exprs(child, fn, cls)

    def _assign(
        self,
        stmt: ast.Assign | ast.AnnAssign | ast.AugAssign,
        fn: _Function | None,
        cls: str | None,
        dev: bool,
    ) -> None:
        value = stmt.value
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if value is None:
            return
        self._exprs(value, fn, cls)
        labels = self.labels(value, fn)
        for target in targets:
            if isinstance(stmt, ast.AugAssign) and isinstance(target, ast.Name) and fn:
                labels = labels | fn.labels.get(target.id, frozenset())
            self._bind(target, labels, fn)
            if isinstance(target, ast.Name):
                self._named_value(target, value, stmt, fn, cls, dev)
            elif isinstance(target, ast.Subscript):
                self._exprs(target.slice, fn, cls)
                self._exprs(target.value, fn, cls)
                self._subscript_store(target, value, stmt, fn, dev)
            elif isinstance(target, ast.Attribute):
                self._exprs(target.value, fn, cls)
                self._attribute_store(target, value, stmt, fn)
            elif isinstance(target, (ast.Tuple, ast.List)):
                for element in target.elts:
                    if (
                        isinstance(element, ast.Name)
                        and fn
                        and element.id in fn.globals
                        and not fn.lock_depth
                    ):
                        fn.global_assigns.setdefault(element.id, []).append(self.span(stmt))

    def _bind(self, target: ast.expr, labels: Labels, fn: _Function | None) -> None:
        if fn is None:
            return
        for node in walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                if labels:
                    fn.labels[node.id] = labels
                else:
                    fn.labels.pop(node.id, None)

    def _named_value(
        self,
        target: ast.Name,
        value: ast.expr,
        stmt: ast.stmt,
        fn: _Function | None,
        cls: str | None,
        dev: bool,
    ) -> None:
        name = target.id
        if fn is not None and name in fn.globals and not fn.lock_depth:
            # (under `with lock:` the shared value is meant to be shared)
            fn.global_assigns.setdefault(name, []).append(self.span(stmt))
            if isinstance(value, (ast.Dict, ast.List, ast.Set)) or (
                isinstance(value, ast.Call) and self._container_kind(value, fn) is not None
            ):
                self.result.evicted.add(f"global:{name}")  # reset: `cache = {}`
        self._track_value(target, value, fn)
        if isinstance(value, ast.Call):
            self._construction(value, self.ref(target, fn), fn, stmt)
        if name in SETTING_KEYS and not isinstance(stmt, ast.AugAssign):
            literal = _literal(value)
            if literal is not _NO_VALUE:
                if cls is not None and fn is None:
                    self._setting(name, literal, stmt, cls, "class", dev)
                elif fn is None:
                    self._setting(name, literal, stmt, "", "module", dev)
        if fn is None and cls is None:
            self._module_value(name, value, stmt)

    def _track_value(self, target: ast.expr, value: ast.expr, fn: _Function | None) -> None:
        """Remember what a local name holds when a later call depends on it."""
        if not isinstance(target, ast.Name):
            return
        name = target.id
        qual = self.qualify(value.func, fn) if isinstance(value, ast.Call) else None
        lists = fn.lists if fn is not None else self.module_lists
        if isinstance(value, (ast.List, ast.Tuple)):
            lists[name] = self._element_refs(value, fn)
        else:
            lists.pop(name, None)
        if fn is not None:
            fn.tables.pop(name, None)
            fn.picked.pop(name, None)
            functions = _table_values(value)
            if functions:
                fn.tables[name] = functions
            else:
                picked = self._dispatch(value, fn)
                if picked:
                    fn.picked[name] = picked
        if fn is None:
            if qual in _SESSION_CLASSES:
                self.http_sessions.add(name)
            elif qual is not None and qual.startswith("flask_httpauth."):
                self.httpauth.add(name)
            return
        for registry in (fn.popen, fn.http_sessions):
            registry.discard(name)
        fn.weak.pop(name, None)
        fn.instances.pop(name, None)
        fn.forms.discard(name)
        if isinstance(value, ast.Call) and (dotted(value.func) or "").endswith("Form"):
            fn.forms.add(name)  # form = FlaskForm(), LoginForm(request.form)
        if isinstance(value, ast.Call):
            instance = self._instance_class(value.func, qual, fn)
            if instance is not None:
                fn.instances[name] = instance
        if qual == "subprocess.Popen":
            fn.popen.add(name)
        elif qual in _SESSION_CLASSES or self._makes_session(value, fn):
            fn.http_sessions.add(name)
        elif qual in _WEAK_CLASSES:
            fn.weak[name] = qual.rsplit(".", 1)[1]
            self.result.weak_containers[f"local:{fn.qualname}:{name}"] = self.span(value)
            self.result.weak_kinds[f"local:{fn.qualname}:{name}"] = fn.weak[name]

    def _element_refs(self, node: ast.List | ast.Tuple, fn: _Function | None) -> tuple[Ref, ...]:
        refs: list[Ref] = []
        for element in node.elts:
            if isinstance(element, (ast.Tuple, ast.List)):
                refs.extend(self._element_refs(element, fn))
            elif isinstance(element, (ast.Name, ast.Attribute)):
                refs.append(self.ref(element, fn))
            elif isinstance(element, ast.Constant):
                continue
            else:
                return (UNNAMED,)
        return tuple(refs)

    def _loop_refs(self, target: ast.expr, iterable: ast.expr, fn: _Function | None) -> None:
        """``for bp in (a.bp, b.bp):`` -> the refs the loop variable takes."""
        refs: tuple[Ref, ...] | None = None
        if isinstance(iterable, (ast.List, ast.Tuple)):
            refs = self._element_refs(iterable, fn)
        elif isinstance(iterable, ast.Name):
            if fn is not None and iterable.id in fn.lists:
                refs = fn.lists[iterable.id]
            elif (fn is None or iterable.id not in fn.locals) and iterable.id in self.module_lists:
                refs = self.module_lists[iterable.id]
        loops = fn.loops if fn is not None else self.module_loops
        for node in walk(target):
            if isinstance(node, ast.Name):
                loops[node.id] = refs

    def _module_value(self, name: str, value: ast.expr, stmt: ast.stmt) -> None:
        """Module-level containers, weak containers and database connections."""
        kind: str | None = None
        bounded = False
        if isinstance(value, (ast.Dict, ast.DictComp)):
            kind = "dict"
        elif isinstance(value, (ast.List, ast.ListComp)):
            kind = "list"
        elif isinstance(value, (ast.Set, ast.SetComp)):
            kind = "set"
        elif isinstance(value, ast.Call):
            qual = self.qualify(value.func, None) or ""
            if qual in _WEAK_CLASSES:
                self.result.weak_containers[f"global:{name}"] = self.span(stmt)
                self.result.weak_kinds[f"global:{name}"] = qual.rsplit(".", 1)[1]
                return
            if qual in _CONNECT_CALLS:
                shared = any(
                    kw.arg == "check_same_thread"
                    and isinstance(kw.value, ast.Constant)
                    and kw.value.value is False
                    for kw in value.keywords
                )
                self.result.connections[name] = Connection(
                    name, _CONNECT_CALLS[qual], shared, self.span(stmt)
                )
                return
            kind = self._container_kind(value, None)
            if qual.startswith(_BOUNDED_PACKAGES):
                kind, bounded = qual.rsplit(".", 1)[-1], True
            elif kind == "deque":
                bounded = len(value.args) > 1 or any(
                    kw.arg == "maxlen"
                    and not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
                    for kw in value.keywords
                )
        if kind is not None:
            self.result.containers[name] = Container(name, kind, bounded, self.span(stmt))
        else:
            self.result.containers.pop(name, None)

    def _container_kind(self, call: ast.Call, fn: _Function | None) -> str | None:
        qual = self.qualify(call.func, fn)
        if qual is None and isinstance(call.func, ast.Name) and call.func.id in ("dict", "list"):
            qual = call.func.id
        return _CONTAINER_CALLS.get(qual or "")

    def _construction(
        self, call: ast.Call, target: Ref, fn: _Function | None, stmt: ast.AST
    ) -> None:
        """``x = Flask(...)``/``x = Blueprint(...)``: kept for the model to classify."""
        last = (dotted(call.func) or "").rsplit(".", 1)[-1]
        if not last or not (
            "Flask" in last
            or "Blueprint" in last
            or last.endswith(("App", "Application"))
            or last in self.module_classes
        ):
            return
        callee = self.ref(call.func, fn)
        if callee == UNNAMED:
            return
        scope = fn.qualname if fn is not None else ""
        self.result.constructions.append(
            Construction(callee, target, self.span(stmt), scope, _url_prefix(call))
        )

    def _subscript_store(
        self,
        target: ast.Subscript,
        value: ast.expr,
        stmt: ast.stmt,
        fn: _Function | None,
        dev: bool,
    ) -> None:
        base = target.value
        # app.config["KEY"] = literal
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "config"
            and isinstance(target.slice, ast.Constant)
            and target.slice.value in SETTING_KEYS
        ):
            literal = _literal(value)
            if literal is not _NO_VALUE:
                owner = fn.qualname if fn is not None else ""
                self._setting(str(target.slice.value), literal, stmt, owner, "config", dev)
            return
        if fn is None:
            return
        weak = self._weak_ref(base, fn)
        if weak is not None and weak.startswith("local:"):
            self._weak_store(weak, value, target.slice, stmt, fn)
            return
        container = self._container_ref(base, fn)
        if container is not None and isinstance(target.slice, ast.Slice):
            self.result.evicted.add(container)  # queue[:] = [] empties it
            return
        if container is not None:
            self._weak_store(container, value, target.slice, stmt, fn)
            if fn.present and (ast.dump(base), ast.dump(target.slice)) in fn.present:
                return  # an existing key replaced: the container does not grow
            labels = self.labels(target.slice, fn)
            fn.grows.append(Growth(container, "[key] = ...", labels, False, self.span(stmt)))
            return
        # cache[k][j] = v / cache[k].x = v: the inner container grows under key k
        if (
            isinstance(base, ast.Subscript)
            and (outer := self._container_ref(base.value, fn)) is not None
        ):
            labels = self.labels(base.slice, fn) | self.labels(target.slice, fn)
            fn.grows.append(Growth(outer, "[key][key] = ...", labels, False, self.span(stmt)))

    def _attribute_store(
        self, target: ast.Attribute, value: ast.expr, stmt: ast.stmt, fn: _Function | None
    ) -> None:
        if (
            target.attr == "strict_slashes"
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "url_map"
            and isinstance(value, ast.Constant)
            and value.value is False
        ):
            self.result.strict_slashes.append((self.ref(target.value.value, fn), self.span(stmt)))

    def _container_ref(self, node: ast.expr, fn: _Function) -> Ref | None:
        """``global:cache`` / ``import:pkg.state.cache`` when ``node`` names a
        module-level object (not a local or a parameter)."""
        if isinstance(node, ast.Name):
            if node.id in fn.locals or node.id in fn.params:
                return None
            if node.id in self.module_names:
                return f"global:{node.id}"
            return _project_import(self.imports.get(node.id))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = node.value.id
            if owner in fn.locals or owner in fn.params or owner in self.module_names:
                return None
            if owner in self.imports:
                return _project_import(f"{self.imports[owner]}.{node.attr}")
        return None

    def _weak_ref(self, node: ast.expr, fn: _Function | None) -> Ref | None:
        if isinstance(node, ast.Name) and fn is not None and node.id in fn.weak:
            return f"local:{fn.qualname}:{node.id}"
        if fn is None:
            if isinstance(node, ast.Name) and f"global:{node.id}" in self.result.weak_containers:
                return f"global:{node.id}"
            return None
        return self._container_ref(node, fn)

    def _weak_store(
        self, container: Ref, value: ast.expr, key: ast.expr | None, stmt: ast.AST, fn: _Function
    ) -> None:
        """A value (or a WeakKeyDictionary key) that cannot be weakly referenced."""
        kind = self.result.weak_kinds.get(container)
        if kind is None and not container.startswith("import:"):
            return  # a plain container of this module
        stored = key if kind == "WeakKeyDictionary" else value
        if stored is None:
            return
        what = self._immutable(stored, fn)
        if what is not None:
            description, certain = what
            self.result.weak_stores.append(
                WeakStore(container, description, certain, self.span(stmt))
            )

    def _immutable(self, node: ast.expr, fn: _Function | None) -> tuple[str, bool] | None:
        """What ``node`` is when it is a str/int/bytes (no weak references possible)."""
        if isinstance(node, ast.Constant):
            kind = type(node.value).__name__
            return (_ARTICLES.get(kind, f"a {kind} value"), True)
        if isinstance(node, ast.JoinedStr):
            return ("an f-string (str)", True)
        if isinstance(node, ast.BinOp) and (
            (isinstance(node.left, ast.Constant) and isinstance(node.left.value, (str, int)))
            or isinstance(node.left, ast.JoinedStr)
        ):
            return ("a str", True)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _STR_RESULT_CALLS:
                return (f"the result of {func.id}()", True)
            if isinstance(func, ast.Attribute):
                owner = func.value
                if func.attr in ("get", "getlist") and self._request_attr(owner, fn):
                    return (f"request data (request.{self._request_attr(owner, fn)})", True)
                if func.attr in _STR_RESULT_METHODS:
                    return (f"a str (.{func.attr}())", True)
                if func.attr == "get" and _str_key(node.args[0] if node.args else None):
                    return ("a looked-up field value (usually a str or number)", False)
            return None
        if isinstance(node, ast.Subscript):
            attr = self._request_attr(node.value, fn)
            if attr is not None:
                return (f"request data (request.{attr})", True)
            if _str_key(node.slice):
                return ("a record field (usually a str or number)", False)
        return None

    def _evict(self, node: ast.expr, fn: _Function | None) -> None:
        if fn is None:
            if isinstance(node, ast.Name):
                self.result.evicted.add(f"global:{node.id}")
            return
        ref = self._container_ref(node, fn)
        if ref is not None:
            self.result.evicted.add(ref)

    def _setting(
        self,
        key: str,
        value: object,
        stmt: ast.AST,
        owner: str,
        form: str,
        dev: bool,
    ) -> None:
        self.result.settings.append(Setting(key, value, self.span(stmt), owner, form, dev))

    # -- functions and classes -----------------------------------------------------------

    def _function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        outer: _Function | None,
        cls: str | None,
    ) -> None:
        for decorator in node.decorator_list:
            self._exprs(decorator, outer, cls)
        prefix = outer.qualname + "." if outer else (cls + "." if cls else "")
        fn = _Function(prefix + node.name, node, cls if outer is None else None)
        if outer is not None:
            outer.nested[node.name] = fn.qualname
        self._scope(fn)
        entries, project_decorators, texts, cache, exempt = self._decorators(node, outer)
        if id(node) in self.resolvers:
            entries.append(Entry("graphql", "resolver", "", self.span(node)))
        fn.token_auth = any(_TOKEN_DECORATOR.search(text) for text in texts) or any(
            text.split(".")[0] in self.httpauth for text in texts
        )
        if "csrf" in node.name.lower():
            self.result.csrf.append(f"{node.name}()")
        self._block(node.body, fn, None, False)
        global_writes = self._global_writes(node, fn)
        self.result.functions[fn.qualname] = FunctionApp(
            qualname=fn.qualname,
            span=self.span(node),
            is_async=isinstance(node, ast.AsyncFunctionDef),
            params=tuple(fn.params),
            class_name=fn.class_name,
            entries=tuple(entries),
            decorators=tuple(project_decorators),
            cache=cache,
            calls=tuple(fn.calls),
            global_writes=global_writes,
            grows=tuple(fn.grows),
            bounded=frozenset(fn.len_checked),
            blocking=tuple(fn.blocking),
            method_tests=tuple(fn.method_tests),
            form_reads=tuple(fn.form_reads),
            token_auth=fn.token_auth,
            validates_form=fn.validates_form,
            post_renders=tuple(self._post_renders(fn)),
            connection_uses=tuple(dict.fromkeys(fn.connection_uses)),
            csrf_exempt=exempt,
            nested=tuple(fn.nested.values()),
            defaults=literal_defaults(node.args),
        )

    def _scope(self, fn: _Function) -> None:
        """Parameters, locals, ``global`` names and names tested in conditions."""
        args = fn.node.args
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None:
                fn.params.append(arg.arg)
        for sub in _own_nodes(fn.node.body):
            if isinstance(sub, ast.expr):  # most nodes: only two kinds matter here
                if isinstance(sub, ast.IfExp):
                    self._guarded(sub.test, fn)
                elif isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    fn.locals.add(sub.target.id)
            elif isinstance(sub, ast.Global):
                fn.globals.update(sub.names)
                fn.global_stmts.append(sub)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                fn.locals.add(sub.name)
            elif isinstance(sub, (ast.If, ast.While)):
                if isinstance(sub, ast.If):
                    fn.if_stmts.append(sub)
                self._guarded(sub.test, fn)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                # the module facts map imports made inside functions too
                for alias in sub.names:
                    local = (alias.asname or alias.name).split(".")[0]
                    if local not in self.imports:
                        fn.locals.add(local)
            elif isinstance(sub, ast.stmt):
                for target in assigned_targets(sub):
                    for name in walk(target):
                        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                            fn.locals.add(name.id)
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                fn.locals.add(sub.name)
        fn.locals -= fn.globals
        fn.locals -= set(fn.params)

    @staticmethod
    def _guarded(test: ast.expr, fn: _Function) -> None:
        """Names tested in a condition (``if _client is None:``)."""
        for name in walk(test):
            if isinstance(name, ast.Name):
                fn.guarded_names.add(name.id)

    def _decorators(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, outer: _Function | None
    ) -> tuple[list[Entry], list[Ref], list[str], CacheDecorator | None, Span | None]:
        entries: list[Entry] = []
        project: list[Ref] = []
        texts: list[str] = []
        cache: CacheDecorator | None = None
        exempt: Span | None = None
        for deco in node.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            func = call.func if call is not None else deco
            text = dotted(func) or ""
            texts.append(text)
            attr = func.attr if isinstance(func, ast.Attribute) else text
            entry = self._entry(attr, func, call, deco, outer)
            if entry is not None:
                entries.append(entry)
                continue
            qual = self.qualify(func, outer) or ""
            if qual in ("functools.cache", "functools.lru_cache"):
                unbounded = qual == "functools.cache" or (call is not None and _maxsize_none(call))
                if unbounded:
                    shown = "functools.cache" if qual == "functools.cache" else text
                    cache = CacheDecorator(
                        shown + ("(maxsize=None)" if call else ""), self.span(deco)
                    )
                continue
            if attr == "exempt" and isinstance(func, ast.Attribute):
                exempt = self.span(deco)
                continue
            ref = self.ref(func, outer)
            if (ref.startswith(("global:", "import:")) and isinstance(func, ast.Name)) or (
                ref.startswith("import:") and (ref[7:].split(".")[0] not in EXTERNAL_PACKAGES)
            ):
                project.append(ref)
        return entries, project, texts, cache, exempt

    def _entry(
        self,
        attr: str,
        func: ast.expr,
        call: ast.Call | None,
        node: ast.expr,
        fn: _Function | None,
    ) -> Entry | None:
        methods: tuple[str, ...] | None = ()
        if call is not None and attr.endswith("expose") and is_expose(self.qualify(func, fn)):
            rule = call.args[0] if call.args else None
            for kw in call.keywords:
                if kw.arg == "methods":
                    methods = _literal_methods(kw.value)
            if len(call.args) > 1:
                methods = _literal_methods(call.args[1])
            text = str(rule.value) if isinstance(rule, ast.Constant) else "/"
            return Entry("route", "expose", EXPOSED_VIEW, self.span(node), methods, text)
        if not isinstance(func, ast.Attribute):
            return None
        receiver = self.ref(func.value, fn)
        if attr in ROUTE_ATTRS and call is not None:
            path = ""
            if call.args and isinstance(call.args[0], ast.Constant):
                path = str(call.args[0].value)
            for kw in call.keywords:
                if kw.arg == "methods":
                    methods = _literal_methods(kw.value)
                elif kw.arg is None:
                    methods = None
            if attr != "route":
                methods = (attr.upper(),)
            return Entry("route", attr, receiver, self.span(node), methods, path)
        if attr in HOOK_ATTRS:
            return Entry("hook", attr, receiver, self.span(node))
        if attr in ERROR_ATTRS:
            return Entry("errorhandler", attr, receiver, self.span(node))
        if attr in TEMPLATE_ATTRS:
            return Entry("template", attr, receiver, self.span(node))
        return None

    def _class(self, node: ast.ClassDef, fn: _Function | None) -> None:
        for expr in (*node.bases, *node.decorator_list):
            self._exprs(expr, fn, None)
        bases = tuple(self.ref(base, fn) for base in node.bases)
        self._block(node.body, fn, node.name, False)
        prefix = fn.qualname + "." if fn is not None else node.name + "."
        methods = tuple(
            prefix + stmt.name
            for stmt in node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        if fn is None and (methods or bases):
            # a base with no methods of its own still links its subclasses to
            # Resource/MethodView (class BaseResource(Resource): method_decorators = [...])
            self.result.classes[node.name] = ViewClass(node.name, bases, methods)
        if "csrf" in node.name.lower():
            self.result.csrf.append(f"class {node.name}")

    def _global_writes(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, fn: _Function
    ) -> tuple[GlobalWrite, ...]:
        if not fn.global_assigns or _runs_once(node, fn):
            return ()
        writes: list[GlobalWrite] = []
        for sub in fn.global_stmts:
            # `if _client is None: _client = make()` initialises once: not per request
            names = tuple(
                n for n in sub.names if n in fn.global_assigns and n not in fn.guarded_names
            )
            if names:
                spans = tuple(s for n in names for s in fn.global_assigns[n])
                writes.append(GlobalWrite(names, self.span(sub), spans))
        return tuple(writes)

    # -- POST-Redirect-GET -----------------------------------------------------------------

    def _post_renders(self, fn: _Function) -> list[Span]:
        """``return render_template(...)`` after a write, in a ``request.method ==
        "POST"`` (or ``form.validate_on_submit()``) branch, or after such a branch
        that writes and falls through to the view's shared ``return render_template``."""
        found: list[Span] = []
        for sub in fn.if_stmts:
            methods = self._test_methods(sub.test, fn)
            if methods is None:
                continue
            branch = sub.body if "POST" in methods else sub.orelse
            if "POST" not in methods and methods != ("GET",):
                continue
            after = self._region(branch, {_START}, found, fn)
            live = {state for state in after if state[0]}
            if live:
                self._region(_after(fn.node.body, sub) or [], live, found, fn)
        return found

    def _region(
        self, body: list[ast.stmt], states: set[_Path], found: list[Span], fn: _Function
    ) -> set[_Path]:
        """Interpret a block for FW602 on each path into it (has it written? which
        boolean flags hold?); the paths that fall through its end come back. A path
        that returns or raises ends there."""
        for stmt in body:
            if not states:
                break  # the rest of the block cannot run
            if isinstance(stmt, ast.Return):
                if (
                    any(wrote for wrote, _ in states)
                    and stmt.value is not None
                    and self._renders(stmt.value, fn)
                ):
                    found.append(self.span(stmt))
                return set()
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(stmt, ast.Raise) or (isinstance(stmt, ast.Expr) and exits([stmt])):
                return set()
            if isinstance(stmt, ast.If):
                to_body, to_else = self._split(stmt.test, states, fn)
                states = self._region(stmt.body, to_body, found, fn) | self._region(
                    stmt.orelse, to_else, found, fn
                )
            elif isinstance(stmt, ast.Try) and stmt.handlers:
                states = self._try_region(stmt, states, found, fn)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                states = self._region(stmt.body, self._wrote(stmt, states, fn), found, fn)
            elif nested := _bodies(stmt):
                # loops and match: each body may run or not (a break or continue is
                # taken as falling through)
                for sub_body in nested:
                    states = states | self._region(sub_body, states, found, fn)
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
                and self._writes(stmt.value, fn)
            ):
                # note_id = insert(...): written where the result is truthy; a falsy
                # result is the failed write (`if note_id: return redirect(...)`)
                name = stmt.targets[0].id
                states = {
                    (wrote_now, frozenset({(n, v) for n, v in flags if n != name} | {(name, ok)}))
                    for wrote, flags in states
                    for wrote_now, ok in ((True, True), (wrote, False))
                }
            else:
                states = self._wrote(stmt, _assigned_flags(stmt, states), fn)
            if len(states) > _MAX_PATHS:
                states = {(any(wrote for wrote, _ in states), frozenset())}
        return states

    def _wrote(self, node: ast.AST, states: set[_Path], fn: _Function) -> set[_Path]:
        return {(True, flags) for _, flags in states} if self._writes(node, fn) else states

    def _split(
        self, test: ast.expr, states: set[_Path], fn: _Function
    ) -> tuple[set[_Path], set[_Path]]:
        """The paths into an ``if``'s body and into its ``else``. ``if ok:`` sends a
        path where ``ok`` is a known boolean one way only. A test that is a write
        (``if send_email(...):``, ``if not save(...):``) counts as written only where
        it succeeded: the other branch is the failed write, the form shown again."""
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        inner = test.operand if isinstance(test, ast.UnaryOp) and negated else test
        if isinstance(inner, ast.Name):
            to_body: set[_Path] = set()
            to_else: set[_Path] = set()
            for state in states:
                value = dict(state[1]).get(inner.id)
                if value is None or value != negated:
                    to_body.add(state)
                if value is None or value == negated:
                    to_else.add(state)
            return to_body, to_else
        if not self._writes(test, fn):
            return states, states
        written = {(True, flags) for _, flags in states}
        if isinstance(inner, ast.Call):
            return (states, written) if negated else (written, states)
        return written, written

    def _try_region(
        self, stmt: ast.Try, states: set[_Path], found: list[Span], fn: _Function
    ) -> set[_Path]:
        """A handler runs when the ``try`` failed, typically the write itself (a
        duplicate key): it sees the paths into the ``try``, not the writes in it.
        ``else`` runs after the body succeeded."""
        ends = self._region(stmt.orelse, self._region(stmt.body, states, found, fn), found, fn)
        for handler in stmt.handlers:
            ends = ends | self._region(handler.body, states, found, fn)
        return self._region(stmt.finalbody, ends, found, fn) if stmt.finalbody else ends

    def _writes(self, node: ast.AST, fn: _Function) -> bool:
        for sub in walk(node):
            if not isinstance(sub, ast.Call):
                continue
            name = (dotted(sub.func) or "").rsplit(".", 1)[-1]
            if name in _WRITE_CALLS:
                return True
            # create_user(...), db.create_order(...): a project helper named for a write,
            # not a query builder's method (Users.query.add_columns(...))
            func = sub.func
            simple = isinstance(func, ast.Name) or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id != "query"
            )
            if simple and name.startswith(_WRITE_PREFIXES):
                return True
            if (dotted(sub.func) or "").endswith(("session.add", "session.delete")):
                return True  # SQLAlchemy's session
            if (
                name == "execute"
                and sub.args
                and isinstance(sub.args[0], ast.Constant)
                and isinstance(sub.args[0].value, str)
                and _SQL_WRITE.match(sub.args[0].value)
            ):
                return True
        return False

    def _renders(self, value: ast.expr, fn: _Function) -> bool:
        status: ast.expr | None = None
        if isinstance(value, ast.Tuple) and value.elts:
            status = value.elts[1] if len(value.elts) > 1 else None
            value = value.elts[0]
        if (
            isinstance(status, ast.Constant)
            and isinstance(status.value, int)
            and status.value >= 300
        ):
            return False
        if isinstance(value, ast.Call):
            name = (dotted(value.func) or "").rsplit(".", 1)[-1]
            if name == "make_response" and value.args:
                return self._renders(value.args[0], fn)
            # the form shown again with its errors is not a success page
            failed = any(kw.arg and "error" in kw.arg.lower() for kw in value.keywords)
            return name == "render_template" and not failed
        return False

    def _test_methods(self, test: ast.expr, fn: _Function | None) -> tuple[str, ...] | None:
        """The methods a test is true for: ``request.method == "POST"``,
        ``request.method in ("POST", "PUT")``, ``form.validate_on_submit()``."""
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Attribute)
            and test.func.attr == "validate_on_submit"
        ):
            return STATE_CHANGING_SUBMIT
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            for value in test.values:
                found = self._test_methods(value, fn)
                if found is not None:
                    return found
            return None
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return None
        left, right = test.left, test.comparators[0]
        if self._is_method(right, fn):
            left, right = right, left
        if not self._is_method(left, fn) or not isinstance(test.ops[0], (ast.Eq, ast.In)):
            return None
        values = right.elts if isinstance(right, (ast.Tuple, ast.List, ast.Set)) else [right]
        methods = tuple(
            str(v.value).upper()
            for v in values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return methods or None

    def _is_method(self, node: ast.expr, fn: _Function | None) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "method"
            and self._is_request(node.value, fn)
        )

    # -- expressions ------------------------------------------------------------------------

    def _exprs(self, root: ast.expr, fn: _Function | None, cls: str | None) -> None:
        stack: list[ast.AST] = [root]
        name = ast.Name
        while stack:
            node = stack.pop()
            if node.__class__ is name:
                continue  # the commonest node: nothing to record, no children to visit
            if isinstance(node, ast.Call):
                self._call(node, fn)
            elif isinstance(node, ast.Compare) and fn is not None:
                self._compare(node, fn)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                lowered = node.value.strip().lower()
                if lowered in _SECURITY_HEADERS:
                    self.result.headers.add(lowered)
                elif "frame-ancestors" in lowered:
                    self.result.headers.add("content-security-policy")
            elif isinstance(node, ast.Attribute) and fn is not None:
                self._attribute(node, fn)
            elif isinstance(node, ast.Subscript) and fn is not None:
                self._header_read(node.value, node.slice, fn)
            elif isinstance(node, ast.comprehension) and fn is not None:
                # visited before the element: `[f(x) for x in request.args]` taints x
                self._bind(node.target, self.labels(node.iter, fn), fn)
            # nested statements are walked by _stmt; contexts (Load, Store) hold nothing
            stack += expression_children(node)

    def _attribute(self, node: ast.Attribute, fn: _Function) -> None:
        attr = self._request_attr(node, fn)
        if attr in FORM_ATTRS:
            fn.form_reads.append(self.span(node))
        elif attr == "authorization":
            fn.token_auth = True

    def _header_read(self, owner: ast.expr, key: ast.expr, fn: _Function) -> None:
        if (
            self._request_attr(owner, fn) == "headers"
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and _TOKEN_HEADER.search(key.value)
        ):
            fn.token_auth = True

    def _compare(self, node: ast.Compare, fn: _Function) -> None:
        methods = self._test_methods(node, fn)
        if methods is not None:
            if self._source_lines is None:
                self._source_lines = source_lines(self.text)
            text = source_segment(self._source_lines, node) or "request.method"
            fn.method_tests.append(MethodTest(methods, self.span(node), text[:80]))
        for side in (node.left, *node.comparators):
            if (
                isinstance(side, ast.Call)
                and isinstance(side.func, ast.Name)
                and side.func.id == "len"
                and side.args
            ):
                ref = self._container_ref(side.args[0], fn)
                if ref is not None:
                    fn.len_checked.add(ref)

    def _call(self, node: ast.Call, fn: _Function | None) -> None:
        func = node.func
        attr = func.attr if isinstance(func, ast.Attribute) else ""
        qual = self.qualify(func, fn)
        if qual == "flask_talisman.Talisman":
            self.result.talisman = True
        elif (dotted(func) or "").endswith(("render_template", "render_template_string")):
            self.result.renders = True
        if attr == "register_blueprint":
            self._registration(node, func, fn)  # type: ignore[arg-type]
        elif attr == "add_url_rule" or attr in _CALL_FORMS or attr == "route":
            self._call_entry(node, attr, func, fn)  # type: ignore[arg-type]
        elif isinstance(func, ast.Call):
            self._decorator_call(node, func, fn)
        elif attr == "set_cookie":
            self._set_cookie(node, fn)
        elif attr == "exempt" and len(node.args) == 1:
            target = node.args[0]
            if isinstance(target, (ast.Name, ast.Attribute)):
                exempted = self.ref(target, fn)
                if exempted != UNNAMED:
                    self.result.csrf_exemptions.append((exempted, self.span(node)))
        elif attr in ("update", "from_mapping", "setdefault") and isinstance(func, ast.Attribute):
            self._config_call(node, func, fn)
        if fn is None:
            return
        if qual is not None and (
            qual.partition(".")[0] in _SIGNED_MESSAGE_PACKAGES or qual in _SIGNATURE_CHECKS
        ):
            # a SAML response or a webhook checked by its signature, not the cookie
            fn.token_auth = True
        if attr == "validate_on_submit" or (
            attr == "validate" and isinstance(func, ast.Attribute) and _is_form(func.value, fn)
        ):
            fn.validates_form = True
        if attr == "validate_on_submit":
            fn.method_tests.append(
                MethodTest(STATE_CHANGING_SUBMIT, self.span(node), "form.validate_on_submit()")
            )
        elif attr == "get" and isinstance(func, ast.Attribute) and node.args:
            self._header_read(func.value, node.args[0], fn)
        if isinstance(func, ast.Attribute):
            self._method_call(node, func, fn)
        blocking = self._blocking(node, qual, fn)
        if blocking is not None:
            if fn.guards:
                blocking = replace(blocking, guards=blocking.guards | fn.guards)
            fn.blocking.append(blocking)
        self._call_site(node, func, fn)

    def _method_call(self, node: ast.Call, func: ast.Attribute, fn: _Function) -> None:
        attr = func.attr
        owner = func.value
        if attr in _EVICT:
            self._evict(owner, fn)
        if attr in _CONNECTION_METHODS:
            ref = self._container_ref(owner, fn)
            if ref is not None:
                fn.connection_uses.append(ref)
        weak = self._weak_ref(owner, fn)
        if weak is not None and weak in self.result.weak_kinds:
            if attr == "add" and node.args:
                self._weak_store(weak, node.args[0], None, node, fn)
            elif attr == "setdefault" and len(node.args) > 1:
                self._weak_store(weak, node.args[1], node.args[0], node, fn)
        container = self._container_ref(owner, fn)
        if container is not None:
            if attr in _GROW_ALWAYS:
                labels = frozenset().union(*(self.labels(a, fn) for a in node.args))
                fn.grows.append(Growth(container, attr, labels, True, self.span(node)))
            elif attr in _GROW_KEYED:
                labels = self._keyed_labels(node, attr, fn)
                fn.grows.append(Growth(container, attr, labels, False, self.span(node)))
            return
        # cache[k].append(v) / cache.setdefault(k, []).append(v): grows under key k
        if attr in _GROW_ALWAYS | _GROW_KEYED:
            inner: ast.expr | None = None
            key: ast.expr | None = None
            if isinstance(owner, ast.Subscript):
                inner, key = owner.value, owner.slice
            elif (
                isinstance(owner, ast.Call)
                and isinstance(owner.func, ast.Attribute)
                and owner.func.attr in ("setdefault", "get")
                and owner.args
            ):
                inner, key = owner.func.value, owner.args[0]
            outer = self._container_ref(inner, fn) if inner is not None else None
            if outer is not None and key is not None:
                labels = self.labels(key, fn).union(*(self.labels(a, fn) for a in node.args))
                fn.grows.append(Growth(outer, f"[key].{attr}", labels, False, self.span(node)))

    def _keyed_labels(self, node: ast.Call, attr: str, fn: _Function) -> Labels:
        if attr == "setdefault":
            return self.labels(node.args[0], fn) if node.args else frozenset()
        if attr == "update":
            found: set[str] = set()
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    for key in arg.keys:
                        if key is not None:
                            found |= self.labels(key, fn)
                else:
                    found |= self.labels(arg, fn)
            return frozenset(found)
        return frozenset().union(*(self.labels(a, fn) for a in node.args))

    def _blocking(self, node: ast.Call, qual: str | None, fn: _Function) -> Blocking | None:
        # timeout=None is the library's default: wait for ever; so is timeout=timeout
        # in a helper whose timeout parameter defaults to None, when its caller leaves
        # it (the "unset" guard: a caller that passes one is not reported)
        unset = self._timeout_parameter(node, fn)
        keywords = {
            kw.arg
            for kw in node.keywords
            if not (
                kw.arg == "timeout"
                and (
                    unset is not None
                    or (isinstance(kw.value, ast.Constant) and kw.value.value is None)
                )
            )
        }
        if None in keywords:
            return None  # **options may carry a timeout
        found = self._blocking_kind(node, qual, fn, keywords)
        if found is not None and unset is not None:
            found = replace(found, guards=found.guards | {(unset, "unset", None)})
        return found

    def _timeout_parameter(self, node: ast.Call, fn: _Function) -> str | None:
        """``timeout=timeout`` passing on a parameter that defaults to None and that
        the function never rebinds: its name."""
        for kw in node.keywords:
            value = kw.value
            if (
                kw.arg == "timeout"
                and isinstance(value, ast.Name)
                and value.id in fn.params
                and value.id not in fn.locals
            ):
                defaults = dict(literal_defaults(fn.node.args))
                if value.id in defaults and defaults[value.id] is None:
                    return value.id
        return None

    def _blocking_kind(
        self, node: ast.Call, qual: str | None, fn: _Function, keywords: set[str | None]
    ) -> Blocking | None:
        func = node.func
        shown = dotted(func) or "call"
        if qual == "time.sleep":
            seconds: float | None = None
            if node.args and isinstance(node.args[0], ast.Constant):
                value = node.args[0].value
                seconds = float(value) if isinstance(value, (int, float)) else None
            return Blocking("sleep", f"{shown}()", self.span(node), seconds, fn.loop_depth > 0)
        elif qual in _SUBPROCESS_UNTIMED:
            return Blocking("command", f"{shown}()", self.span(node))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("read", "readlines")
            and isinstance(func.value, ast.Call)
            and self.qualify(func.value.func, fn) == "os.popen"
        ):
            # os.popen(cmd).read(): reading the pipe waits for the command
            return Blocking("command", f"os.popen(...).{func.attr}()", self.span(node))
        elif (qual in _SUBPROCESS and "timeout" not in keywords) or (
            isinstance(func, ast.Attribute)
            and func.attr in ("wait", "communicate")
            and isinstance(func.value, ast.Name)
            and func.value.id in fn.popen
            and "timeout" not in keywords
            # wait(timeout), communicate(input, timeout): the timeout by position
            and len(node.args) < (2 if func.attr == "communicate" else 1)
        ):
            return Blocking("subprocess", f"{shown}()", self.span(node))
        elif qual is not None and qual.startswith("requests.") and "timeout" not in keywords:
            if qual.split(".")[-1] in _HTTP_VERBS and qual.count(".") == 1:
                return Blocking("http", f"{shown}()", self.span(node))
        elif qual in ("urllib.request.urlopen", "urllib2.urlopen"):
            if "timeout" not in keywords and len(node.args) < 3:
                return Blocking("http", f"{shown}()", self.span(node))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in _HTTP_VERBS
            and "timeout" not in keywords
            and self._is_http_session(func.value, fn)
        ):
            return Blocking("http", f"{shown}()", self.span(node))
        return None

    def _is_http_session(self, node: ast.expr, fn: _Function) -> bool:
        """Whether ``node`` is a requests.Session: a local, a module global, or an
        attribute of ``self`` that the class sets to one."""
        if isinstance(node, ast.Name):
            return node.id in fn.http_sessions or (
                node.id in self.http_sessions
                and node.id not in fn.locals
                and node.id not in fn.params
            )
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and fn.class_name is not None
            and bool(fn.params)
            and node.value.id == fn.params[0]
            and (fn.class_name, node.attr) in self.attr_sessions
        )

    def _dispatch(self, node: ast.expr, fn: _Function) -> tuple[ast.expr, ...]:
        """The functions ``TABLE[key]`` or ``TABLE.get(key[, default])`` may pick, when
        TABLE is a dict of functions (local, or a module-level one not shadowed)."""
        default: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            table = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and 1 <= len(node.args) <= 2
        ):
            table = node.func.value
            default = node.args[1] if len(node.args) == 2 else None
        else:
            return ()
        if not isinstance(table, ast.Name):
            return ()
        name = table.id
        if name in fn.tables:
            functions = fn.tables[name]
        elif name not in fn.locals and name not in fn.params and name in self.module_tables:
            functions = self.module_tables[name]
        else:
            return ()
        if isinstance(default, (ast.Name, ast.Attribute)):
            functions = (*functions, default)
        # one call site per function, however many keys name it
        return tuple({dotted(f): f for f in functions}.values())

    def _call_site(self, node: ast.Call, func: ast.expr, fn: _Function) -> None:
        if isinstance(func, ast.Name) and func.id in fn.picked:
            targets: tuple[ast.expr, ...] = fn.picked[func.id]
        else:
            targets = self._dispatch(func, fn) or (func,)
        for target in targets:
            self._call_site_to(node, target, fn)

    def _call_site_to(self, node: ast.Call, func: ast.expr, fn: _Function) -> None:
        callee = self._callee(func, fn)
        if callee is None:
            return
        args: list[tuple[str, Labels]] = []
        for index, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            labels = self.labels(arg, fn)
            if labels:
                args.append((str(index), labels))
        for kw in node.keywords:
            if kw.arg is not None:
                labels = self.labels(kw.value, fn)
                if labels:
                    args.append((kw.arg, labels))
        literals = call_literals(node)
        fn.calls.append(CallSite(callee, tuple(args), self.span(node), literals, fn.guards))

    def _callee(self, func: ast.expr, fn: _Function) -> Ref | None:
        """``fn:<qualname>`` for this module's functions and methods, ``import:...``
        for what may be another project module's function; None for the rest."""
        if isinstance(func, ast.Name):
            name = func.id
            if name in fn.nested:
                return f"fn:{fn.nested[name]}"
            if name in fn.locals or name in fn.params:
                return None
            if name in self.module_functions:
                return f"fn:{name}"
            if name in self.module_names:
                return None
            qual = self.imports.get(name)
            if qual is not None and qual.split(".")[0] not in EXTERNAL_PACKAGES:
                return f"import:{qual}"
            return None
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and fn.class_name is not None
            and fn.params
            and func.value.value.id == fn.params[0]
            and (held := self.attr_instances.get((fn.class_name, func.value.attr)))
        ):
            return f"{held}.{func.attr}"  # self.helper.rates(): the held object's method
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            # Rates().fetch(): a method of the class just constructed
            made = func.value.func
            cls = self._instance_class(made, self.qualify(made, fn), fn)
            return f"{cls}.{func.attr}" if cls is not None else None
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            qual = self.qualify(func, fn)
            if qual is not None and qual.split(".")[0] not in EXTERNAL_PACKAGES:
                return f"import:{qual}"
            return None
        owner = func.value.id
        if owner in ("self", "cls") and (fn.class_name or "." in fn.qualname):
            cls = fn.class_name or fn.qualname.split(".")[0]
            return f"fn:{cls}.{func.attr}"
        if owner in fn.instances:  # client = RatesClient(); client.fetch()
            return f"{fn.instances[owner]}.{func.attr}"
        if owner in fn.locals or owner in fn.params:
            return None
        if owner in self.module_classes:
            return f"fn:{owner}.{func.attr}"
        if owner in self.result.instances:
            return f"{self.result.instances[owner]}.{func.attr}"
        qual = self.qualify(func, fn)
        if qual is not None and qual.split(".")[0] not in EXTERNAL_PACKAGES:
            return f"import:{qual}"
        return None

    # -- registrations and call forms ---------------------------------------------------------

    def _registration(self, node: ast.Call, func: ast.Attribute, fn: _Function | None) -> None:
        arg: ast.expr | None = node.args[0] if node.args else None
        for kw in node.keywords:
            if kw.arg == "blueprint":
                arg = kw.value
        receiver = self.ref(func.value, fn)
        refs: tuple[Ref, ...] = ()
        dynamic = True
        if isinstance(arg, (ast.Name, ast.Attribute)):
            ref = self.ref(arg, fn)
            dynamic = False
            loops = fn.loops if fn is not None else self.module_loops
            if isinstance(arg, ast.Name) and arg.id in loops:
                loop = loops[arg.id]
                if loop is None or UNNAMED in loop:
                    dynamic = True
                else:
                    refs = loop
            elif ref.startswith("param:") or ref == UNNAMED:
                dynamic = True  # a helper registering what it is given, an expression
            elif ref.startswith("global:") and (imported := self.imports.get(ref[7:])):
                # try: from .kobo import kobo / except ImportError: kobo = None: the
                # name is the imported blueprint wherever the import worked
                refs = (ref, f"import:{imported}")
            else:
                refs = (ref,)
        self.result.registrations.append(
            Registration(receiver, refs, dynamic, self.span(node), _url_prefix(node))
        )

    def _call_entry(
        self, node: ast.Call, attr: str, func: ast.Attribute, fn: _Function | None
    ) -> None:
        receiver = self.ref(func.value, fn)
        if attr == "route":
            return  # `app.route(...)` as a decorator: handled with the function
        if attr == "add_url_rule":
            view: ast.expr | None = node.args[2] if len(node.args) > 2 else None
            methods: tuple[str, ...] | None = ()
            path = ""
            if node.args and isinstance(node.args[0], ast.Constant):
                path = str(node.args[0].value)
            for kw in node.keywords:
                if kw.arg == "view_func":
                    view = kw.value
                elif kw.arg == "methods":
                    methods = _literal_methods(kw.value)
                elif kw.arg is None:
                    methods = None
            entry = Entry("route", attr, receiver, self.span(node), methods, path)
        else:
            kind, index = _CALL_FORMS[attr]
            view = node.args[index] if len(node.args) > index else None
            entry = Entry(kind, attr, receiver, self.span(node))
        target = self._function_target(view, fn)
        if target is not None:
            self.result.call_entries.append(CallEntry(entry, target))

    def _decorator_call(self, node: ast.Call, inner: ast.Call, fn: _Function | None) -> None:
        """``app.route("/x")(view)``, ``app.errorhandler(404)(handler)``."""
        func = inner.func
        if not isinstance(func, ast.Attribute) or not node.args:
            return
        entry = self._entry(func.attr, func, inner, node, fn)
        target = self._function_target(node.args[0], fn)
        if entry is not None and target is not None:
            self.result.call_entries.append(CallEntry(entry, target))

    def _function_target(self, node: ast.expr | None, fn: _Function | None) -> Ref | None:
        if node is None:
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "as_view"
        ):
            node = node.func.value
        if isinstance(node, ast.Name) and fn is not None and node.id in fn.nested:
            return f"fn:{fn.nested[node.id]}"
        ref = self.ref(node, fn) if isinstance(node, (ast.Name, ast.Attribute)) else UNNAMED
        return ref if ref.startswith(("global:", "import:")) else None

    def _set_cookie(self, node: ast.Call, fn: _Function | None) -> None:
        keywords = {kw.arg: kw.value for kw in node.keywords}
        if None in keywords:
            return
        name_node = node.args[0] if node.args else keywords.get("key")
        value_node = node.args[1] if len(node.args) > 1 else keywords.get("value")
        for deleting in ("max_age", "expires"):
            when = keywords.get(deleting)
            if isinstance(when, ast.Constant) and not when.value:
                return
        if isinstance(value_node, ast.Constant):
            # "" deletes the cookie; any other literal is in the source: nothing in
            # the cookie is worth stealing, whatever its name says
            return
        name = ""
        if isinstance(name_node, ast.Constant):
            name = str(name_node.value)
        elif name_node is not None:
            name = dotted(name_node) or ""
        sensitive = ""
        if _CSRF_COOKIE.search(name):
            pass  # a double-submit CSRF token is read by page scripts; it grants nothing
        elif _SENSITIVE_COOKIE.search(name):
            sensitive = f"its name {name!r}"
        elif value_node is not None:
            for sub in walk(value_node):
                word = (
                    sub.id
                    if isinstance(sub, ast.Name)
                    else sub.attr
                    if isinstance(sub, ast.Attribute)
                    else ""
                )
                # a value named only "key" (self.key: the chosen option) says nothing;
                # api_key, session_key, auth_token do
                hits = {hit.lower() for hit in _SENSITIVE_COOKIE.findall(word)} if word else set()
                if hits - {"key"}:
                    sensitive = f"its value ({word})"
                    break
        missing: list[str] = []
        for flag in ("secure", "httponly", "samesite"):
            value = keywords.get(flag)
            if value is None or (
                isinstance(value, ast.Constant)
                and (value.value in (False, None) or str(value.value).lower() == "none")
            ):
                missing.append(flag)
        self.result.cookies.append(SetCookie(name, sensitive, tuple(missing), self.span(node)))

    def _config_call(self, node: ast.Call, func: ast.Attribute, fn: _Function | None) -> None:
        owner = func.value
        if not (isinstance(owner, ast.Attribute) and owner.attr == "config"):
            return
        scope = fn.qualname if fn is not None else ""
        items: list[tuple[str, ast.expr]] = []
        if func.attr == "setdefault" and len(node.args) == 2:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                items.append((first.value, node.args[1]))
        else:
            items.extend((kw.arg, kw.value) for kw in node.keywords if kw.arg)
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    for key_node, value in zip(arg.keys, arg.values, strict=False):
                        if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str):
                            items.append((key_node.value, value))
        for key, value in items:
            literal = _literal(value) if key in SETTING_KEYS else _NO_VALUE
            if literal is not _NO_VALUE:
                # the line of the setting itself, inside a multi-line update(...)
                self._setting(key, literal, value, scope, "config", False)


STATE_CHANGING_SUBMIT: Final = ("POST", "PUT", "PATCH", "DELETE")
_BUILTIN_NAMES: Final = frozenset({"dict", "list", "set", "len"})
_ARTICLES: Final = {"str": "a str", "int": "an int", "float": "a float", "NoneType": "None"}


class _NoValue:
    pass


_NO_VALUE: Final = _NoValue()


def _project_import(qual: str | None) -> Ref | None:
    """An ``import:`` ref, unless it names a well-known library (flask.session...)."""
    if qual is None or qual.split(".")[0] in EXTERNAL_PACKAGES:
        return None
    return f"import:{qual}"


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, str, type(None), int)):
        return node.value
    return _NO_VALUE


def _literal_methods(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        methods = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return None
            methods.append(element.value.upper())
        return tuple(methods)
    return None


def _maxsize_none(call: ast.Call) -> bool:
    for kw in call.keywords:
        if kw.arg == "maxsize":
            return isinstance(kw.value, ast.Constant) and kw.value.value is None
    return bool(call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value is None)


def _str_key(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _dev_test(test: ast.expr) -> bool:
    """``if app.testing:``, ``if app.debug:``, ``if config_name == "development":``."""
    for node in walk(test):
        word = ""
        if isinstance(node, ast.Name):
            word = node.id
        elif isinstance(node, ast.Attribute):
            word = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            word = node.value
        if word and _DEV_GUARD.search(word):
            return True
    return False


def _runs_once(node: ast.FunctionDef | ast.AsyncFunctionDef, fn: _Function) -> bool:
    """A lazy initialiser guarded by a flag: ``if _ready: return _reader``, then
    ``_ready = True`` and the writes, all at the top of the body, ``_ready`` a global
    that the function never sets to anything but True. The flag may also be a key of
    a process-wide object: ``if current_app.extensions.get("ready"): return`` ...
    ``current_app.extensions["ready"] = True``. Everything it writes comes after the
    guard, so it is written once per process, not per request."""
    flags: dict[str, int] = {}  # flag -> index of its first top-level `flag = True`
    setting: set[int] = set()  # that assignment's target node
    for index, stmt in enumerate(node.body):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.value, ast.Constant)
            and stmt.value.value is True
            and (flag := _flag(stmt.targets[0], fn)) is not None
            and flag not in flags
        ):
            flags[flag] = index
            setting.add(id(stmt.targets[0]))
    if not flags:
        return False
    # any other store of a flag, anywhere (nested blocks too), resets it
    reset = {
        flag
        for sub in walk(node)
        if isinstance(sub, (ast.Name, ast.Subscript))
        and isinstance(sub.ctx, ast.Store)
        and id(sub) not in setting
        and (flag := _flag(sub, fn)) in flags
    }
    for index, stmt in enumerate(node.body):
        if not (
            isinstance(stmt, ast.If)
            and (flag := _flag_test(stmt.test, fn)) in flags
            and flag not in reset
            and index < flags[flag]
            and not stmt.orelse
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], ast.Return)
        ):
            continue
        guard_end = stmt.end_lineno or stmt.lineno
        # every write of a global comes after the guard
        return all(span.line > guard_end for spans in fn.global_assigns.values() for span in spans)
    return False


def _flag(node: ast.expr, fn: _Function) -> str | None:
    """A once-flag: a global name, or a constant key of a process-wide object
    (``current_app.extensions["ready"]``, not of a local or a parameter)."""
    if isinstance(node, ast.Name):
        return node.id if node.id in fn.globals else None
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
        and (owner := dotted(node.value)) is not None
        and owner.partition(".")[0] not in fn.locals
        and owner.partition(".")[0] not in fn.params
    ):
        return f"{owner}[{node.slice.value!r}]"
    return None


def _flag_test(test: ast.expr, fn: _Function) -> str | None:
    """The flag an ``if`` tests: ``flag``, ``obj["k"]``, ``obj.get("k")``, ``"k" in obj``."""
    if isinstance(test, (ast.Name, ast.Subscript)):
        return _flag(test, fn)
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "get"
        and test.args
    ):
        return _flag(ast.Subscript(test.func.value, test.args[0], ast.Store()), fn)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        return _flag(ast.Subscript(test.comparators[0], test.left, ast.Store()), fn)
    return None


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into if/try/with/for but not into defs."""
    for stmt in body:
        yield stmt
        for sub_body in _bodies(stmt):
            yield from _module_statements(sub_body)


# One path through a view for FW602: has it written yet, and which local names hold
# a known boolean on it (`ok = True` ... `except: ok = False` ... `if ok: return`).
_Path = tuple[bool, frozenset[tuple[str, bool]]]
_START: Final[_Path] = (False, frozenset())
_MAX_PATHS: Final = 16


def _class_attribute_bindings(cls: ast.ClassDef) -> Iterator[tuple[str, ast.expr]]:
    """What a class binds to its attributes: ``name = value`` in its body and
    ``self.name = value`` in its methods (``self`` being the first parameter)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = stmt.args.posonlyargs + stmt.args.args
            if not args:
                continue
            this = args[0].arg
            for sub in all_statements(stmt.body):
                if not isinstance(sub, ast.Assign):
                    continue
                for target in sub.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == this
                    ):
                        yield target.attr, sub.value


def _membership(test: ast.expr) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """The (container, key) pairs an ``if`` test proves present in its body
    (``key in cache``, also within ``and``) and in its ``else`` (``key not in cache``)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        found = [_membership(value)[0] for value in test.values]
        return frozenset().union(*found), frozenset()
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], (ast.In, ast.NotIn))
    ):
        pair = frozenset({(ast.dump(test.comparators[0]), ast.dump(test.left))})
        return (pair, frozenset()) if isinstance(test.ops[0], ast.In) else (frozenset(), pair)
    return frozenset(), frozenset()


def _url_prefix(call: ast.Call) -> str | None:
    """The ``url_prefix=`` of a Blueprint(...) or register_blueprint(...) call: the
    literal, "?" for anything else, None when not given."""
    for kw in call.keywords:
        if kw.arg == "url_prefix":
            value = kw.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
            return "?"
    return None


def _is_form(node: ast.expr, fn: _Function) -> bool:
    """A WTForms form: ``form`` bound to ``NoteForm(...)``, or ``FlaskForm()`` itself."""
    if isinstance(node, ast.Call):
        return (dotted(node.func) or "").endswith("Form")
    if isinstance(node, ast.Name):
        return node.id in fn.forms or fn.instances.get(node.id, "").endswith("Form")
    return False


def _assigned_flags(stmt: ast.stmt, states: set[_Path]) -> set[_Path]:
    """The paths after ``stmt``: ``ok = True`` sets a flag, any other binding of
    the name forgets it."""
    if isinstance(stmt, ast.Assign):
        targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and isinstance(stmt.target, ast.Name):
        targets = [stmt.target.id]
    else:
        return states
    value = getattr(stmt, "value", None)
    known = None
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        known = None if isinstance(stmt, ast.AugAssign) else value.value
    result: set[_Path] = set()
    for wrote, flags in states:
        kept = {(name, flag) for name, flag in flags if name not in targets}
        if known is not None:
            kept |= {(name, known) for name in targets}
        result.add((wrote, frozenset(kept)))
    return result


def _after(body: list[ast.stmt], target: ast.stmt) -> list[ast.stmt] | None:
    """What runs after ``target`` when it falls through: the rest of its block, then
    of each enclosing ``if``/``with``/``try`` block, up to a loop (None if
    ``target`` is not in ``body``)."""
    for index, stmt in enumerate(body):
        if stmt is target:
            return body[index + 1 :]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for sub_body in _bodies(stmt):
            found = _after(sub_body, target)
            if found is None:
                continue
            if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)) or exits(found):
                return found
            return found + body[index + 1 :]
    return None


def _bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [stmt.body]
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        handlers = [h.body for h in stmt.handlers]  # type: ignore[attr-defined]
        return [stmt.body, *handlers, stmt.orelse, stmt.finalbody]  # type: ignore[attr-defined]
    if isinstance(stmt, ast.Match):
        return [case.body for case in stmt.cases]
    return []


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body but expression contexts, not descending into
    nested defs or classes (their names are still yielded)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(syntax_children(node))


def analyze_app(tree: ast.Module, text: str, path: str, imports: dict[str, str]) -> AppFacts:
    """The FW4-FW6 facts of one module (registered in ``scan.EXTRA_ANALYZERS``)."""
    return AppAnalyzer(tree, text, path, imports).run()
