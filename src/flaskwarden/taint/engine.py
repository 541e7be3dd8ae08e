"""Intra-procedural taint propagation, producing per-function summaries.

Each function body is interpreted once, in statement order, with an environment that
maps local names to *taint*: a set of :class:`Origin`. An origin is a request source
(``request.args["q"]``, a string route parameter), one of the function's own parameters
(so the function can be summarised: parameter -> sink, parameter -> return value), or
the symbolic return value of a call into the project (``helpers.clean(q)``), resolved
later across modules by :mod:`flaskwarden.taint.resolve`. Branches are joined, loop
bodies run twice, sanitizers clear the sink kinds they protect against.

Everything produced here is frozen and picklable: no AST node leaves this module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from flaskwarden.python.evaluate import Evaluator, dotted
from flaskwarden.python.facts import Ref, Span, parser_lines, span_of
from flaskwarden.python.guards import (
    NO_GUARDS,
    UNKNOWN_CALL,
    CallLiterals,
    Guard,
    GuardTests,
    after_if,
    call_literals,
    exits,
    literal_defaults,
)
from flaskwarden.python.names import G_OBJECTS, REQUEST_OBJECTS, ROUTE_ATTRS, is_expose
from flaskwarden.python.nodes import all_statements, child_nodes, walk
from flaskwarden.taint import graphql, tables

MAX_STEPS: Final = 12
MAX_ORIGINS: Final = 16
MAX_CALL_DEPTH: Final = 3
# The callee of a `call` origin that reads a request-scoped store ("scoped:g.data").
SCOPED: Final = "scoped:"
# The callee of a route parameter's source when its converter is the app's own.
CONVERTER: Final = "converter:"
_CONVERTER: Final = re.compile(r"<(?:(?P<conv>[a-zA-Z_][\w]*)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_FIXED_HOST: Final = re.compile(r"^[a-zA-Z][\w+.-]*://[^/?#{}]+[/?#]")


@dataclass(frozen=True)
class Step:
    """One hop of a taint path, shown to the user."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Origin:
    """Where a tainted value comes from.

    ``kind`` is ``source`` (request data; ``label`` says which), ``param`` (parameter
    ``label`` of the enclosing function), ``request`` (Flask's request object itself,
    passed as a value: not data until an attribute of it is read, see ``via``) or
    ``call`` (the return value of calling ``callee`` with ``args``, each argument key
    mapped to the taint it carried). A
    source read off a ``request`` imported from the project has that import as
    ``callee``: the resolver keeps it only if that name is a proxy of Flask's request.
    """

    kind: str
    label: str
    callee: Ref = ""
    # A ``param`` origin read as ``param.args`` (any attribute or method of
    # tables.REQUEST_ATTRIBUTES / REQUEST_METHODS): request data when the caller passes
    # Flask's request itself (a ``request`` origin: ``get_all_params(request)``).
    via: str = ""
    args: tuple[tuple[str, frozenset[Origin]], ...] = ()
    cleared: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()
    # "str", "obj" (a container: JSON when returned, items when iterated) or "short": a
    # string of at most SHORT_SLICE characters (name[-4:]), so at most one ".." in it
    shape: str = "str"
    # How many call origins are nested in ``args`` (0 for sources and params).
    depth: int = 0
    # A parameter (or call) origin bound only on a guarded path of its function.
    guards: frozenset[Guard] = NO_GUARDS

    def clear(self, kinds: Iterable[str]) -> Origin:
        return replace(self, cleared=self.cleared | frozenset(kinds))

    def step(self, step: Step) -> Origin:
        if self.kind == "call" or len(self.steps) >= MAX_STEPS:
            return self
        if self.steps and self.steps[-1] == step:
            return self
        return replace(self, steps=(*self.steps, step))

    def as_str(self) -> Origin:
        return self if self.shape == "str" else replace(self, shape="str")


Taint = frozenset[Origin]
CLEAN: Final[Taint] = frozenset()


@dataclass(frozen=True)
class SinkHit:
    """Taint reaching a dangerous call inside one function."""

    kind: str
    what: str
    span: Span
    taint: Taint
    # For a sink known by its method name alone (``.execute``, ``.save``): the ref of
    # the method called. When it is a project function (a class of the app's own with
    # an ``execute`` method), the call is not the library sink: the resolver drops the
    # hit and follows the taint into that function instead.
    callee: Ref = ""
    guards: frozenset[Guard] = NO_GUARDS  # the hit happens only on this path


@dataclass(frozen=True)
class RenderCall:
    """``render_template(...)``: template names and each context variable's taint."""

    templates: tuple[str, ...]
    context: tuple[tuple[str, Taint], ...]
    spread: bool
    span: Span


@dataclass(frozen=True)
class CallSite:
    """A call into (possibly) project code passing taint, for parameter -> sink joins."""

    callee: Ref
    args: tuple[tuple[str, Taint], ...]
    span: Span
    literals: CallLiterals = UNKNOWN_CALL  # for deciding the callee's guards
    guards: frozenset[Guard] = NO_GUARDS  # the caller makes this call only on this path


@dataclass(frozen=True)
class FunctionTaint:
    qualname: str
    params: tuple[str, ...]
    is_route: bool
    returns: Taint
    sinks: tuple[SinkHit, ...]
    calls: tuple[CallSite, ...]
    renders: tuple[RenderCall, ...]
    defaults: tuple[tuple[str, object], ...] = ()  # literal parameter defaults
    # Tainted values stored where any code of the same request reads them back:
    # ("g.data", taint) for `g.data = ...`, ("request.all_data", taint) for an
    # attribute the app sets on the request. Read back as a `scoped:` call origin.
    stores: tuple[tuple[str, Taint], ...] = ()


@dataclass
class ModuleTaint:
    """Taint summaries of one module, plus template facts found in its code."""

    functions: dict[str, FunctionTaint] = field(default_factory=dict)
    template_globals: set[str] = field(default_factory=set)
    template_globals_unknown: bool = False
    autoescape_off: list[Span] = field(default_factory=list)
    # app.jinja_options = {"autoescape": True}, jinja_env.autoescape = True: every
    # template autoescaped, whatever its extension
    autoescape_on: list[Span] = field(default_factory=list)
    static_saves: list[Span] = field(default_factory=list)
    # app.url_map.converters["uuidstr"] = StrictUUID, whose to_python returns only a
    # number or a UUID: route parameters of that converter carry no text
    safe_converters: set[str] = field(default_factory=set)


class _FunctionInterpreter:
    """Abstract interpretation of one function body."""

    def __init__(
        self,
        module: TaintAnalyzer,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        qualname: str,
        class_name: str | None,
    ) -> None:
        self.m = module
        self.node = node
        self.qualname = qualname
        self.class_name = class_name
        self.env: dict[str, Taint] = {}
        self.objects: dict[str, Ref] = {}  # local name -> class ref it was built from
        self.sandboxes: set[str] = set()  # local names holding a sandboxed Jinja env
        self.normalized: set[str] = set()  # local names holding a realpath()-ed path
        self.path_objects: set[str] = set()  # local names holding a pathlib.Path
        self.http_clients: set[str] = set()  # local names holding a requests.Session
        self.static_paths: set[str] = set()  # local names holding a path under static/
        # local names holding a string whose literal start fixes its host or keeps it
        # on this site (path = "/app/" + x): what `path += ...` adds cannot move it
        self.prefixes: dict[str, frozenset[str]] = {}
        self.validated_exprs = False  # some expression (not a name) was validated
        self.returns: set[Origin] = set()
        self.sinks: list[SinkHit] = []
        self.calls: list[CallSite] = []
        self.renders: list[RenderCall] = []
        self.stores: list[tuple[str, Taint]] = []
        self.is_route = False
        self.guards = NO_GUARDS  # what the statement being interpreted runs under
        self.guard_tests = GuardTests(node)

    # -- entry ------------------------------------------------------------------

    def run(self) -> FunctionTaint:
        args = self.node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args)]
        params += [a.arg for a in args.kwonlyargs]
        route_params = self._route_parameters()
        arguments = self.m.graphql_arguments().get(id(self.node), {})
        for name in params:
            if name in ("self", "cls"):
                continue
            if name in route_params:
                converter = route_params[name]
                if converter in tables.SAFE_CONVERTERS:
                    continue
                label = f"route parameter <{name}>"
                # an app's own converter: the resolver drops it if the project
                # registers a converter of that name that only returns numbers/UUIDs
                custom = "" if converter in tables.TEXT_CONVERTERS else CONVERTER + converter
                origin = Origin(
                    "source", label, callee=custom, steps=(self._step(self.node, label),)
                )
            elif name in arguments:
                origin = self._graphql_argument(name, arguments[name])
            else:
                origin = Origin("param", name)
            self.env[name] = frozenset({origin})
        if args.kwarg is not None and args.kwarg.arg in arguments:
            name = args.kwarg.arg
            self.env[name] = frozenset({self._graphql_argument(name, arguments[name])})
        self._block(self.node.body)
        if _has_loop(self.node.body):
            self._block(self.node.body)  # second pass: values flowing around loops
        return FunctionTaint(
            qualname=self.qualname,
            params=tuple(params),
            is_route=self.is_route,
            returns=_bounded(self.returns),
            sinks=tuple(dict.fromkeys(self.sinks)),
            calls=tuple(dict.fromkeys(self.calls)),
            renders=tuple(dict.fromkeys(self.renders)),
            defaults=literal_defaults(args),
            stores=tuple(dict.fromkeys(self.stores)),
        )

    def _graphql_argument(self, name: str, shape: str) -> Origin:
        label = f"GraphQL argument {name}"
        return Origin("source", label, steps=(self._step(self.node, label),), shape=shape)

    def _route_parameters(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for deco in self.node.decorator_list:
            if not isinstance(deco, ast.Call) or not deco.args:
                continue
            func = deco.func
            routes = isinstance(func, ast.Attribute) and func.attr in ROUTE_ATTRS
            if not routes and not is_expose(self.m.evaluator.qualify(func)):
                continue
            rule = deco.args[0]
            if not (isinstance(rule, ast.Constant) and isinstance(rule.value, str)):
                continue
            self.is_route = True
            for match in _CONVERTER.finditer(rule.value):
                found[match.group("name")] = match.group("conv") or "string"
        return found

    # -- statements -------------------------------------------------------------

    def _block(self, body: list[ast.stmt]) -> None:
        outer = self.guards  # `if not p: return` narrows the rest of this block only
        for stmt in body:
            self._stmt(stmt)
        self.guards = outer

    def _stmt(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if isinstance(stmt, _COMPOUND) and self.prefixes:
            # a start bound on one path only is not known after the paths join
            before = dict(self.prefixes)
            self._stmt_inner(stmt)
            self.prefixes = {k: v for k, v in before.items() if self.prefixes.get(k) == v}
            return
        self._stmt_inner(stmt)

    def _stmt_inner(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            taint = self.expr(stmt.value)
            for target in stmt.targets:
                self._bind(target, taint, stmt, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._bind(stmt.target, self.expr(stmt.value), stmt, stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            taint = self.expr(stmt.value)
            if isinstance(stmt.target, ast.Name) and isinstance(stmt.op, ast.Add):
                fixed = self.prefixes.get(stmt.target.id)
                if fixed:
                    taint = frozenset(o.clear(fixed) for o in taint)
            if isinstance(stmt.target, ast.Name):
                self._forget_keys(stmt.target.id)  # `d |= other` may replace any key
                old = self.env.get(stmt.target.id, CLEAN)
                self.env[stmt.target.id] = _bounded(
                    old | self._stepped(taint, stmt, stmt.target.id)
                )
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self._return(stmt.value)
        elif isinstance(stmt, ast.Expr):
            self.expr(stmt.value)
            call = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(call, ast.Call) and _is_path_check(call.func):
                # check_access_permission(base, path) as a statement raises when the
                # path leaves base: after it, path is contained
                for arg in (*call.args, *(k.value for k in call.keywords)):
                    if isinstance(arg, ast.Name):
                        _clear_name(self.env, arg.id, {"path"})
            if isinstance(call, ast.Call) and _is_url_check(call):
                # check_url(url) as a statement raises unless url goes where it may
                for arg in (*call.args, *(k.value for k in call.keywords)):
                    if isinstance(arg, ast.Name):
                        _clear_name(self.env, arg.id, {"ssrf", "redirect"})
        elif isinstance(stmt, ast.If):
            self._if(stmt)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            taint = self.expr(stmt.iter)
            self._bind(stmt.target, taint, stmt, stmt.iter)
            self._branches([stmt.body, stmt.body, stmt.orelse])
        elif isinstance(stmt, ast.While):
            self.expr(stmt.test)
            self._branches([stmt.body, stmt.body, stmt.orelse])
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                taint = self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, taint, stmt, item.context_expr)
            self._block(stmt.body)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self._try(stmt.body, [h.body for h in stmt.handlers])  # type: ignore[attr-defined]
            self._block(stmt.orelse)  # type: ignore[attr-defined]
            self._block(stmt.finalbody)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            self.expr(stmt.subject)
            self._branches([case.body for case in stmt.cases])
        else:
            for child in child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def _branches(self, bodies: list[list[ast.stmt]]) -> None:
        start = dict(self.env)
        ends = []
        for body in bodies:
            self.env = dict(start)
            self._block(body)
            ends.append(self.env)
        self.env = _join(ends, start)  # any body, or none of them, may have run

    def _try(self, body: list[ast.stmt], handlers: list[list[ast.stmt]]) -> None:
        """After ``try``: the end of its body, or of a handler that does not return or
        raise (entered from anywhere in the body: from the start, conservatively).
        ``try: check(path) except Error: return ...`` leaves the checked path."""
        start = dict(self.env)
        self._block(body)
        ends = [self.env]
        for handler in handlers:
            self.env = dict(start)
            self._block(handler)
            if not exits(handler):
                ends.append(self.env)
        self.env = _join(ends)

    def _if(self, stmt: ast.If) -> None:
        self.expr(stmt.test)
        checks: list[tuple[list[str], bool, set[str]]] = []
        url_checked, positive = _validated_url(stmt.test)
        if url_checked is not None:
            checks.append(([url_checked], positive, {"redirect", "ssrf"}))
        else:
            # `if x not in ALLOWED: abort(404)` / `if x in ALLOWED:`: an allow-list
            listed, positive = _allow_listed(stmt.test)
            if listed:
                checks.append((listed, positive, set(tables.ALL_KINDS)))
        # `if not real.startswith(BASE + os.sep): abort(403)`: contained, whatever else
        # the test checks
        contained, positive = self._contained(stmt.test)
        if contained:
            checks.append((contained, positive, {"path"}))
        if any(name.startswith("expr:") for names, _, _ in checks for name in names):
            self.validated_exprs = True
        start = dict(self.env)
        body_env_start = dict(start)
        for names, positive, kinds in checks:
            if positive:
                for name in names:
                    _clear_name(body_env_start, name, kinds)
        body_guards, else_guards = self.guard_tests(stmt.test)
        outer = self.guards
        self.env = body_env_start
        self.guards = outer | body_guards
        self._block(stmt.body)
        body_env = self.env
        self.env = dict(start)
        for names, positive, kinds in checks:
            if not positive:
                for name in names:
                    _clear_name(self.env, name, kinds)
        self.guards = outer | else_guards
        self._block(stmt.orelse)
        self.guards = after_if(stmt, outer, body_guards, else_guards)
        else_env = self.env
        body_exits = exits(stmt.body)
        if body_exits and any(not positive for _, positive, _ in checks):
            # `if not is_safe(x): abort(400)`: after the if, x is validated
            self.env = else_env
            return
        self.env = dict(else_env) if body_exits else _join([body_env, else_env])

    def _guarded(self, taint: Taint) -> Taint:
        """Parameter and call origins bound under the current guards carry them."""
        if not self.guards:
            return taint
        return frozenset(
            o if o.kind == "source" else replace(o, guards=o.guards | self.guards) for o in taint
        )

    def _normalizes(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and _normalizing(node, self.m.evaluator)

    def _contained(self, test: ast.expr) -> tuple[list[str], bool]:
        """The names a path-containment test checks, and whether passing it means they
        are inside: ``real.startswith(BASE)``, ``Path(p).resolve().is_relative_to(BASE)``,
        ``os.path.commonpath([real, BASE]) == BASE`` (``not`` / ``!=`` turn it round).
        Only a normalised path counts: ``"/srv/../etc".startswith("/srv")`` is true."""
        if isinstance(test, ast.BoolOp):
            # `valid(p) and real.startswith(BASE)` passing, or
            # `not real.startswith(BASE) or hidden(real)` failing, leaves real inside
            wanted = isinstance(test.op, ast.And)
            for value in test.values:
                found, positive = self._contained(value)
                if found and positive == wanted:
                    return found, positive
            return [], False
        positive = True
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            positive, test = False, test.operand
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Name)
            and test.args
            and isinstance(test.args[0], ast.Name)
            and self.m.is_containment_check(test.func.id)
        ):
            return [test.args[0].id], positive  # `if not inside(target, ROOT): abort(404)`
        checked: list[ast.expr] = []
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Attribute)
            and test.func.attr in ("startswith", "is_relative_to")
        ):
            checked = [test.func.value]
        elif (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Eq, ast.NotEq))
            and isinstance(test.left, ast.Call)
            and test.left.args
        ):
            called = self.m.evaluator.qualify(test.left.func) or ""
            first = test.left.args[0]
            if called.endswith("path.commonpath") and isinstance(first, (ast.List, ast.Tuple)):
                checked = list(first.elts)  # commonpath([real, base]) == base
            elif called.endswith("path.dirname"):
                checked = [first]  # dirname(real) == base: directly inside base
            positive = positive == isinstance(test.ops[0], ast.Eq)
        names: list[str] = []
        for node in checked:
            if isinstance(node, ast.Name) and node.id in self.normalized:
                names.append(node.id)
            elif self._normalizes(node):
                # realpath(join(BASE, name)).startswith(BASE): name is contained
                names += [
                    n.id for n in walk(node) if isinstance(n, ast.Name) and self.env.get(n.id)
                ]
        return names, positive

    def _bind(self, target: ast.expr, taint: Taint, stmt: ast.stmt, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._forget_keys(target.id)  # a new object: its keys start afresh
            self.env[target.id] = self._stepped(taint, stmt, target.id)
            if _mentions_static(value, self.static_paths):
                self.static_paths.add(target.id)
            else:
                self.static_paths.discard(target.id)
            fixed = (
                _prefix_clears(_literal_prefix(value, self.m.constants_for_urls))
                if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp))
                else None
            )
            if fixed:
                self.prefixes[target.id] = fixed
            else:
                self.prefixes.pop(target.id, None)
            if isinstance(value, ast.Call):
                callee = self.m.callee_ref(value.func, self)
                if callee:
                    self.objects[target.id] = callee
            else:
                self.objects.pop(target.id, None)
            self._track_object(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, taint, stmt, value)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, taint, stmt, value)
        elif isinstance(target, ast.Attribute) and (
            (key := self._scoped_key(target.value, target.attr)) is not None
        ):
            self._scoped_store(key, target.value, taint, stmt)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            if (
                isinstance(target, ast.Attribute)
                and target.attr in ("mimetype", "content_type")
                and isinstance(value, ast.Constant)
                and "html" not in str(value.value)
            ):
                # r = make_response(text); r.mimetype = "text/plain": not HTML
                self.sinks = [
                    hit
                    for hit in self.sinks
                    if not (
                        hit.kind == "xss" and hit.what.endswith(("make_response()", "Response()"))
                    )
                ]
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Attribute)
                and target.value.attr == "headers"
            ):
                # r.headers["Content-Disposition"] = ...: a header, never the body (and
                # Werkzeug refuses newlines in header values): r does not carry it
                self.expr(target.slice)
                return
            # obj.attr = tainted / d[k] = tainted: the object now carries the taint
            base: ast.expr = target
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            field_name = dotted(target) if isinstance(target, ast.Attribute) else None
            if isinstance(base, ast.Name) and base.id in ("self", "cls") and field_name:
                # instance state: track self.x on its own, or every attribute of
                # self would look tainted once one is
                self.env[field_name] = self._stepped(taint, stmt, field_name)
            elif isinstance(base, ast.Name):
                name = base.id
                stepped = self._stepped(taint, stmt, dotted(target) or name)
                if target.value is base:
                    self._keyed_store(name, _store_key(target), stepped)
                else:
                    # d["a"]["b"] = v, rec.meta.name = v: no longer one key's business
                    self._forget_keys(name)
                if taint:
                    old = self.env.get(name, CLEAN)
                    self.env[name] = _bounded(old | stepped)
            if isinstance(target, ast.Subscript):
                self.expr(target.slice)

    def _is_request_name(self, node: ast.expr) -> bool:
        """Flask's ``request`` by its imported name, not shadowed by a local."""
        return (
            isinstance(node, ast.Name)
            and node.id not in self.env
            and self.m.scoped_owners.get(node.id) == "request"
        )

    def _scoped_key(self, owner: ast.expr, attr: str) -> str | None:
        if isinstance(owner, ast.Name) and owner.id in self.env:
            return None  # a local `g` or `request` (a parameter, say): not Flask's
        return self.m.scoped_key(owner, attr)

    def _scoped_store(self, key: str, owner: ast.expr, taint: Taint, node: ast.AST) -> None:
        """``g.data = v`` / ``request.all_data = v``: kept for reads anywhere in the
        project (see :meth:`_scoped_read`), and for reads further down this function,
        which see this value only (as ``rec.a`` does after ``rec.a = v``)."""
        stored = self._stepped_msg(taint, node, f"stored in {key}") if taint else CLEAN
        if stored:
            self.stores.append((key, stored))
        if isinstance(owner, ast.Name):
            self._keyed_store(owner.id, "." + key.partition(".")[2], stored)

    def _scoped_read(self, key: str, owner: ast.expr, node: ast.AST) -> Taint:
        """``g.data``, ``g.get("data")``, ``getattr(request, "all_data")``: what this
        function stored there, else whatever the project stores there (resolved across
        modules: a ``before_request`` hook setting ``g.data = request.get_json()``)."""
        if isinstance(owner, ast.Name):
            stored = self.env.get(_key_entry(owner.id, "." + key.partition(".")[2]))
            if stored is not None:
                return stored
        step = self._step(node, f"read from {key}")
        return frozenset({Origin("call", key, callee=SCOPED + key, steps=(step,))})

    def _scoped_call(self, node: ast.Call, func: ast.expr, taints: list[Taint]) -> Taint | None:
        """``g.get("k"[, d])``, ``g.pop("k"[, d])``, ``getattr(g, "k"[, d])`` read a
        stored value, ``setattr(g, "k", v)`` stores one; None for any other call.
        ``taints`` are the positional arguments' taints, already evaluated."""
        args = node.args
        if isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault"):
            owner, first = func.value, 0
        elif isinstance(func, ast.Name) and func.id in ("getattr", "setattr") and args:
            owner, first = args[0], 1
        else:
            return None
        name = args[first] if len(args) > first else None
        if not isinstance(name, ast.Constant) or not isinstance(name.value, str):
            return None
        key = self._scoped_key(owner, name.value)
        if key is None:
            return None
        extra = _union(taints[first + 1 :])
        if isinstance(func, ast.Name) and func.id == "setattr":
            self._scoped_store(key, owner, extra, node)
            return CLEAN
        return self._scoped_read(key, owner, node) | extra

    def _keyed_store(self, name: str, key: str | int | None, taint: Taint) -> None:
        """``d["k"] = v``: remember what each constant key holds, so that reading
        ``d["other"]`` does not see ``v`` (``session["user"] = form_value`` does not
        make ``session["language"]`` request data). ``d[*]`` holds what any other key
        may hold: the object's taint before its first keyed store, plus stores under
        keys that are not constants. ``rec.a = v`` is a store under the key ``".a"``:
        ``rec.b`` does not see ``v``, and a later ``rec.a = "fixed"`` replaces it."""
        rest = _rest_key(name)
        if key is not None:
            if rest not in self.env:
                self.env[rest] = self.env.get(name, CLEAN)
            self.env[_key_entry(name, key)] = taint
        else:
            self._forget_keys(name)  # `d[k] = v`: any key may now hold v

    def _attribute_stores(self, name: str) -> bool:
        """Whether some ``name.a = v`` is tracked (see _keyed_store)."""
        prefix = _key_entry(name, ".")[:-2]  # name['.
        return any(key.startswith(prefix) for key in self.env)

    def _forget_keys(self, name: str) -> None:
        """Back to one taint for the whole object (its keys tracked no more)."""
        if _rest_key(name) not in self.env:
            return
        prefix = f"{name}["
        for key in [k for k in self.env if k.startswith(prefix)]:
            del self.env[key]

    def _stepped(self, taint: Taint, node: ast.AST, name: str) -> Taint:
        if not taint:
            return CLEAN
        step = self._step(node, f"assigned to {name}")
        return self._guarded(frozenset(o.step(step) for o in taint))

    def _step(self, node: ast.AST, message: str) -> Step:
        return Step(
            self.m.path, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1, message
        )

    def _return(self, value: ast.expr) -> None:
        taint = self.expr(value)
        self.returns.update(self._stepped_msg(taint, value, "returned"))
        if not self.is_route:
            return
        # A view returning a string built from request data: HTML by default.
        body = value.elts[0] if isinstance(value, ast.Tuple) and value.elts else value
        if isinstance(body, (ast.Dict, ast.List, ast.Set, ast.Constant)):
            return
        html = frozenset(o for o in self.expr(body) if o.shape != "obj" or o.kind != "source")
        if html:
            self.sinks.append(
                SinkHit(
                    "xss",
                    "the view's response",
                    self.m.span(value),
                    _bounded(html),
                    guards=self.guards,
                )
            )

    def _stepped_msg(self, taint: Taint, node: ast.AST, message: str) -> Taint:
        step = self._step(node, message)
        return frozenset(o.step(step) for o in taint)

    # -- expressions --------------------------------------------------------------

    def expr(self, node: ast.expr) -> Taint:
        try:
            return self._expr(node, 0)
        except RecursionError:
            return CLEAN

    def _expr(self, node: ast.expr, depth: int) -> Taint:
        if depth > 60:
            return CLEAN
        d = depth + 1
        if isinstance(node, (ast.Call, ast.Subscript, ast.Attribute)) and self.validated_exprs:
            marker = self.env.get("expr:" + ast.dump(node))
            if marker:
                kinds = next(iter(marker)).label.split(",")
                return frozenset(o.clear(kinds) for o in self._expr_uncached(node, d))
        return self._expr_uncached(node, d)

    def _expr_uncached(self, node: ast.expr, d: int) -> Taint:
        if isinstance(node, ast.Constant):
            return CLEAN
        if isinstance(node, ast.Name):
            found = self.env.get(node.id)
            if found is None and self._is_request_name(node):
                # the request object handed on: get_all_params(request)
                return frozenset(
                    {Origin("request", "request", steps=(self._step(node, "request"),))}
                )
            return found or CLEAN
        if isinstance(node, ast.Attribute):
            source = self._request_source(node)
            if source is not None:
                return source
            field_name = dotted(node)
            if field_name is not None and field_name in self.env:
                return self.env[field_name]
            scoped = self._scoped_key(node.value, node.attr)
            if scoped is not None:
                return self._scoped_read(scoped, node.value, node)
            if isinstance(node.value, ast.Name):
                # rec.a after a store to it (see _keyed_store). An attribute of a
                # mapping whose items are tracked (only d["k"] stores) sees what no
                # item holds, and the item of that name (an attribute dict: d["a"] is
                # d.a): watch["title"] = form_value does not make watch.data_dir
                # request data. Any other attribute, a property that may be derived
                # from rec.a included, is read off the object as a whole. (A method
                # call is not read here: its receiver is the object.)
                name = node.value.id
                stored = self.env.get(_key_entry(name, "." + node.attr))
                rest = self.env.get(_rest_key(name))
                if stored is not None:
                    return _as_str(stored | (rest or CLEAN))
                if rest is not None and not self._attribute_stores(name):
                    return _as_str(rest | self.env.get(_key_entry(name, node.attr), CLEAN))
            if self._is_request_name(node.value) or node.attr == "__class__":
                return CLEAN  # request.method, request.endpoint: Flask's own
            if node.attr in tables.REQUEST_ATTRIBUTES:
                # req.args on a parameter (or a value) that may be the request itself
                step = self._step(node, f"request.{node.attr}")
                return _read_off(self._expr(node.value, d), node.attr, step)
            return _as_str(self._expr(node.value, d))
        if isinstance(node, ast.Subscript):
            self._expr(node.slice, d)
            if _splitext_extension(node):
                # os.path.splitext(name)[1]: "" or ".ext", never a "/": no path in it
                return frozenset(o.clear({"path"}) for o in _as_str(self._expr(node.value, d)))
            if self._referer_header(node.value, node.slice):
                return frozenset(o.clear({"redirect"}) for o in _as_str(self._expr(node.value, d)))
            if isinstance(node.value, ast.Name):
                rest = self.env.get(_rest_key(node.value.id))
                key = _constant_key(node)
                if rest is not None and key is not None:
                    stored = self.env.get(_key_entry(node.value.id, key), CLEAN)
                    return _as_str(stored | rest)
            if _short_slice(node.slice):
                return _as_short(self._expr(node.value, d))
            return _as_str(self._expr(node.value, d))
        if isinstance(node, ast.JoinedStr):
            taints: list[Taint] = []
            for index, part in enumerate(node.values):
                if isinstance(part, ast.FormattedValue):
                    taint = self._expr(part.value, d)
                    inner = index and not any(_may_hold_dots(t) for t in taints)
                    taints.append(_inner_short(taint) if inner else taint)
            return _fixed_host(node, _as_str(_union(taints)), self.m.constants_for_urls)
        if isinstance(node, ast.BinOp):
            left = self._expr(node.left, d)
            right = self._expr(node.right, d)
            if isinstance(node.op, ast.Add) and _dotless_suffix(node.left, node.right):
                # "." + name.split(".")[-1]: no dot after a fixed start, so no ".." and
                # nothing absolute: the extension cannot leave the directory
                right = frozenset(o.clear({"path"}) for o in right)
            elif (
                isinstance(node.op, ast.Add)
                and not _empty_string(node.left)
                and not _may_hold_dots(left)
            ):
                right = _inner_short(right)
            if isinstance(node.op, ast.Mod) and self._is_markup(node.left):
                return frozenset(o.clear({"xss", "template"}) for o in right) | left
            taint = _as_str(left | right)
            if isinstance(node.op, (ast.Add, ast.Mod)):
                return _fixed_host(node, taint, self.m.constants_for_urls)
            return taint
        if isinstance(node, (ast.BoolOp,)):
            return _union(self._expr(v, d) for v in node.values)
        if isinstance(node, ast.IfExp):
            self._expr(node.test, d)
            return self._expr(node.body, d) | self._expr(node.orelse, d)
        if isinstance(node, (ast.Compare, ast.UnaryOp)):
            for child in child_nodes(node):
                if isinstance(child, ast.expr):
                    self._expr(child, d)
            return CLEAN
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return _as_obj(_union(self._expr(e, d) for e in node.elts))
        if isinstance(node, ast.Dict):
            return _as_obj(_union(self._expr(v, d) for v in node.values if v is not None))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            saved = dict(self.env)
            for gen in node.generators:
                taint = self._expr(gen.iter, d)
                for name in _names(gen.target):
                    self._forget_keys(name)
                    self.env[name] = taint
            if isinstance(node, ast.DictComp):
                result = self._expr(node.key, d) | self._expr(node.value, d)
            else:
                result = self._expr(node.elt, d)
            self.env = saved
            return result
        if isinstance(node, ast.NamedExpr):
            taint = self._expr(node.value, d)
            if isinstance(node.target, ast.Name):
                self._forget_keys(node.target.id)
                self.env[node.target.id] = taint
            return taint
        if isinstance(node, (ast.Await, ast.Starred, ast.FormattedValue)):
            return self._expr(node.value, d)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        return CLEAN

    def _request_source(self, node: ast.expr) -> Taint | None:
        """``request.args`` and friends (not their items: those come via Subscript)."""
        if not isinstance(node, ast.Attribute):
            return None
        shape = tables.REQUEST_ATTRIBUTES.get(node.attr)
        if shape is None:
            return None
        proxy = self._request_ref(node.value)
        if proxy is None:
            return None
        label = f"request.{node.attr}"
        origin = Origin(
            "source", label, callee=proxy, steps=(self._step(node, label),), shape=shape
        )
        if node.attr in tables.SAME_ORIGIN_ATTRIBUTES or node.attr in tables.BROWSER_SET_ATTRIBUTES:
            origin = origin.clear({"redirect"})
        return frozenset({origin})

    def _referer_header(self, container: ast.expr, key: ast.expr | None) -> bool:
        """``request.headers["Referer"]`` / ``.get("Referer")``: set by the browser."""
        return (
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and key.value.lower() in tables.BROWSER_SET_HEADERS
            and isinstance(container, ast.Attribute)
            and container.attr == "headers"
            and self._request_ref(container.value) is not None
        )

    def _request_ref(self, node: ast.expr) -> Ref | None:
        """ "" when ``node`` is Flask's request; ``import:pkg.common.request`` when it is
        a ``request`` imported from the project (``from ckan.common import request``),
        which the resolver keeps as a source only if that module binds a proxy of the
        request there; None for anything else."""
        owner = self.m.evaluator.qualify(node)
        if owner is None:
            return None
        if owner in REQUEST_OBJECTS:
            return ""
        top, _, rest = owner.partition(".")
        if (
            rest.rpartition(".")[2] == "request"
            and top not in tables.EXTERNAL_PACKAGES
            and top not in ("flask", "werkzeug")
        ):
            return f"import:{owner}"
        return None

    def _is_markup(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            return self.m.evaluator.qualify(node.func) in tables.MARKUP_CLASSES
        return False

    def _call(self, node: ast.Call, depth: int) -> Taint:
        func = node.func
        qual = self.m.evaluator.qualify(func)
        if qual is None and isinstance(func, ast.Name) and func.id in _BUILTINS:
            qual = func.id
        args = [self._expr(a, depth) for a in node.args]
        kwargs = {kw.arg: self._expr(kw.value, depth) for kw in node.keywords if kw.arg}
        spread = any(kw.arg is None for kw in node.keywords)
        receiver: Taint = CLEAN
        scoped = self._scoped_call(node, func, args)
        if scoped is not None:
            return scoped
        if isinstance(func, ast.Attribute):
            method_source = self._request_method(func)
            if method_source is not None:
                return method_source
            receiver = self._expr(func.value, depth)
            if func.attr in tables.REQUEST_METHODS and receiver:
                # req.get_json() on a parameter that may be the request itself
                step = self._step(func, f"request.{func.attr}()")
                read = _read_off(receiver, func.attr + "()", step)
                if any(o.via or o.kind == "source" for o in read):
                    return read
        if qual in tables.RENDER_TEMPLATE:
            self._render(node, kwargs, spread)
            return CLEAN
        self._sinks(node, qual, func, args, kwargs)
        if qual in tables.CLEANING_CALLS:
            return CLEAN
        if qual in tables.SANITIZERS:
            kinds = tables.SANITIZERS[qual]
            return frozenset(o.clear(kinds) for o in _union(args))
        if qual in tables.MARKUP_CLASSES:
            return frozenset(o.clear({"xss", "template"}) for o in _union(args))
        if (
            qual in _URLJOIN
            and len(node.args) == 2
            and not kwargs
            and self._keeps_host(node.args[1])
        ):
            # urljoin(BASE, "/api/zones/" + name): a path from the root keeps BASE's host
            joined = frozenset(o.clear(_FIXED_HOST_KINDS) for o in args[1])
            return _as_str(args[0] | joined)
        if qual in tables.COPYING_CALLS:
            return _union(args)
        if qual in tables.PROPAGATING_CALLS:
            carried = _union(args) | _union(kwargs.values())
            # json.loads(request.data) is a parsed object, not text: its items are
            return _as_obj(carried) if qual == "json.loads" else _as_str(carried)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "getlist")
            and any(
                kw.arg == "type" and isinstance(kw.value, ast.Name) and kw.value.id in _NUMERIC
                for kw in node.keywords
            )
        ):
            return CLEAN  # request.args.get("page", 1, type=int): a number
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "format"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
        ):
            taint = _as_str(_union(args) | _union(kwargs.values()))
            return _fixed_host(ast.JoinedStr(values=[func.value]), taint)
        if isinstance(func, ast.Attribute) and func.attr == "replace" and _strips_path(node):
            # name.replace(".", "").replace("/", ""): one path component, never ".."
            return frozenset(o.clear({"path"}) for o in _as_str(receiver | _union(args)))
        if (
            isinstance(func, ast.Attribute)
            and func.attr in tables.PROPAGATING_METHODS
            and (receiver or qual is None)
        ):
            # a method on a value (not a module function such as requests.get)
            if func.attr in _CONTAINER_READS:
                if func.attr == "get" and self._referer_header(func.value, _first(node.args)):
                    return frozenset(o.clear({"redirect"}) for o in _as_str(receiver))
                return _as_str(receiver) if func.attr in _ITEM_READS else receiver
            if func.attr in _SAME_LENGTH_METHODS and not node.args:
                return frozenset(o if o.shape == "short" else o.as_str() for o in receiver)
            return _as_str(receiver | _union(args))
        callee = self.m.callee_ref(func, self)
        if callee:
            call_args = tuple((str(i), t) for i, t in enumerate(args)) + tuple(
                (f"kw:{k}", t) for k, t in kwargs.items()
            )
            if any(t for _, t in call_args):
                span = self.m.span(node)
                literals = call_literals(node)
                self.calls.append(CallSite(callee, call_args, span, literals, self.guards))
            step = self._step(node, f"through {dotted(func) or 'a call'}()")
            kept = tuple((k, _shallow(t)) for k, t in call_args if t)
            depth = 1 + max((o.depth for _, t in kept for o in t), default=0)
            origin = Origin(
                "call",
                dotted(func) or callee,
                callee=callee,
                args=tuple((k, t) for k, t in kept if t),
                steps=(step,),
                depth=depth,
            )
            return frozenset({origin})
        return CLEAN

    def _keeps_host(self, node: ast.expr) -> bool:
        """Whether a URL joined to a base cannot name another host: it starts with a
        literal path from the root (``/api/``, not ``//``) or a fixed host, written
        here or bound to a local name that way (see ``prefixes``)."""
        if isinstance(node, ast.Name):
            return node.id in self.prefixes
        return _prefix_clears(_literal_prefix(node, self.m.constants_for_urls)) is not None

    def _query_only(self, node: ast.expr) -> bool:
        """``requests.post(f"{VERIFY_URL}?response={token}")``: a URL built right in
        the call whose tainted pieces all come after a literal ``?`` or ``#`` changes
        the query or the fragment, never where the request or redirect goes. (Only
        in the call itself: a value built earlier may have its query cut out again.)"""
        parts = _string_parts(node)
        if parts is None:
            return False
        in_query = False
        for part in parts:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                in_query = in_query or "?" in part.value or "#" in part.value
            elif not in_query:
                value = part.value if isinstance(part, ast.FormattedValue) else part
                if self._expr(value, 0):
                    return False  # tainted before the query: may decide the target
        return in_query

    def _request_method(self, func: ast.Attribute) -> Taint | None:
        if func.attr not in tables.REQUEST_METHODS:
            return None
        proxy = self._request_ref(func.value)
        if proxy is not None:
            label = f"request.{func.attr}()"
            origin = Origin(
                "source",
                label,
                callee=proxy,
                steps=(self._step(func, label),),
                shape=tables.REQUEST_METHODS[func.attr],
            )
            return frozenset({origin})
        return None

    def _sinks(
        self,
        node: ast.Call,
        qual: str | None,
        func: ast.expr,
        args: list[Taint],
        kwargs: dict[str, Taint],
    ) -> None:
        spec: tuple[str, int, str] | None = None
        what = dotted(func) or "call"
        callee: Ref = ""
        if qual is not None and qual in tables.SINK_CALLS_SOURCE:
            self._sink_hit(node, qual, what, tables.SINK_CALLS_SOURCE[qual], args, kwargs, "")
        if (
            isinstance(func, ast.Attribute)
            and func.attr in tables.PATH_METHODS
            and self._is_path_object(func.value)
        ):
            # Path(UPLOADS, name).read_text(): the path is the receiver
            live = frozenset(o for o in self._expr(func.value, 0) if "path" not in o.cleared)
            if live:
                span = self.m.span(node)
                self.sinks.append(SinkHit("path", f"{what}()", span, live, guards=self.guards))
            return
        if qual is not None and qual in tables.SINK_CALLS:
            spec = tables.SINK_CALLS[qual]
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in tables.HTTP_CLIENT_METHODS
            and self._is_http_client(func.value)
        ):
            spec = tables.HTTP_CLIENT_METHODS[func.attr]  # session.get(url)
        elif isinstance(func, ast.Attribute) and func.attr in tables.SINK_METHODS:
            spec = tables.SINK_METHODS[func.attr]
            callee = self.m.callee_ref(func, self)
            if func.attr == "from_string" and (
                (isinstance(func.value, ast.Name) and func.value.id in self.sandboxes)
                or self.m.makes_sandbox(func.value)
            ):
                return  # Jinja's sandbox is made for untrusted templates
            if isinstance(func.value, ast.Name) and func.value.id not in self.env:
                module = self.m.imports.get(func.value.id, "")
                if module and "." not in module and module not in ("jinja2", "flask"):
                    return  # opml.from_string(...), pkg.execute(...): a module's function
        elif qual in tables.SUBPROCESS_CALLS and _shell_true(node):
            spec = ("code", 0, "args")
        elif qual in ("yaml.load", "yaml.load_all") and not _safe_yaml(node):
            spec = ("code", 0, "stream")
        elif isinstance(func, ast.Attribute) and func.attr == "save":
            self._file_save(node, func, args, kwargs)
            return
        if spec is None:
            return
        self._sink_hit(node, qual, what, spec, args, kwargs, callee)

    def _sink_hit(
        self,
        node: ast.Call,
        qual: str | None,
        what: str,
        spec: tuple[str, int, str],
        args: list[Taint],
        kwargs: dict[str, Taint],
        callee: Ref,
    ) -> None:
        kind, index, keyword = spec
        taint = args[index] if len(args) > index else kwargs.get(keyword, CLEAN)
        if kind in ("ssrf", "redirect") and taint:
            argument = _argument_node(node, index, keyword)
            if argument is not None and self._query_only(argument):
                return
        if qual in ("flask.Response", "flask.make_response") and _non_html_mimetype(node):
            return
        live = frozenset(o for o in taint if kind not in o.cleared)
        if live:
            span = self.m.span(node)
            self.sinks.append(SinkHit(kind, f"{what}()", span, live, callee, self.guards))

    def _track_object(self, name: str, value: ast.expr) -> None:
        """What kind of object ``name`` now holds, as the checks above need to know:
        a sandboxed Jinja environment, a normalised path, a Path, an HTTP client."""
        kinds = (self.sandboxes, self.normalized, self.path_objects, self.http_clients)
        if not isinstance(value, (ast.Call, ast.Name, ast.BinOp)):
            for held in kinds:
                held.discard(name)  # the commonest case: a literal, a subscript ...
            return
        flags = (
            self.m.makes_sandbox(value),
            self._normalizes(value),
            self._is_path_object(value),
            self._is_http_client(value),
        )
        for held, flag in zip(kinds, flags, strict=True):
            if flag:
                held.add(name)
            else:
                held.discard(name)

    def _holds(self, name: str, local: set[str], kind: str) -> bool:
        """``name`` holds an object of ``kind``: a local bound to one, or a module-level
        one that no local of this function shadows (see TaintAnalyzer.module_objects)."""
        return name in local or (name not in self.env and self.m.module_objects().get(name) == kind)

    def _is_http_client(self, node: ast.expr) -> bool:
        """``requests.Session()``, ``httpx.Client()``, or a local bound to one."""
        if isinstance(node, ast.Name):
            return self._holds(node.id, self.http_clients, "http")
        return isinstance(node, ast.Call) and (
            self.m.evaluator.qualify(node.func) in tables.HTTP_CLIENTS
        )

    def _is_path_object(self, node: ast.expr) -> bool:
        """``Path(...)``, ``BASE / name`` with a Path on the left, or a local bound to
        one: an object whose file methods act on the path it holds."""
        if isinstance(node, ast.Name):
            return self._holds(node.id, self.path_objects, "path")
        if isinstance(node, ast.Call):
            return _makes_path(node, self.m.evaluator)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self._is_path_object(node.left)
        return False

    def _file_save(
        self, node: ast.Call, func: ast.Attribute, args: list[Taint], kwargs: dict[str, Taint]
    ) -> None:
        """``file.save(path)``: a path sink, and an upload into the static folder."""
        receiver = self._expr(func.value, 0)
        is_upload = any(o.kind == "source" and o.label == "request.files" for o in receiver)
        target = node.args[0] if node.args else None
        if is_upload and target is not None and _mentions_static(target, self.static_paths):
            self.m.result.static_saves.append(self.m.span(node))
        taint = args[0] if args else kwargs.get("dst", CLEAN)
        # `.save` is a sink by name alone: a whole request container (the JSON body,
        # the form) given to it is data being saved somewhere, not a file's path
        live = frozenset(o for o in taint if "path" not in o.cleared and o.shape != "obj")
        if live:
            what = f"{dotted(func) or 'save'}()"
            callee = self.m.callee_ref(func, self)
            self.sinks.append(SinkHit("path", what, self.m.span(node), live, callee, self.guards))

    def _render(self, node: ast.Call, kwargs: dict[str, Taint], spread: bool) -> None:
        names: list[str] = []
        if node.args:
            first = node.args[0]
            for item in first.elts if isinstance(first, (ast.List, ast.Tuple)) else [first]:
                value = self.m.evaluator.evaluate(item)
                if isinstance(value.value, str):
                    names.append(value.value)
        for kw in node.keywords:
            if kw.arg == "template_name_or_list" and isinstance(kw.value, ast.Constant):
                names.append(str(kw.value.value))
        context = tuple((k, _bounded(t)) for k, t in kwargs.items() if k != "template_name_or_list")
        self.renders.append(RenderCall(tuple(names), context, spread, self.m.span(node)))


class TaintAnalyzer:
    """Runs the interpreter over every function of one module."""

    def __init__(self, tree: ast.Module, text: str, path: str, imports: dict[str, str]) -> None:
        self.tree = tree
        self.text = text
        self.lines = parser_lines(text)
        self.path = path
        self.imports = imports
        self.evaluator = Evaluator(imports)
        self.result = ModuleTaint()
        self.module_functions: set[str] = set()
        self.module_classes: set[str] = set()
        self._string_constants: dict[str, str] | None = None
        self._factories: set[str] | None = None
        self._module_objects: dict[str, str] | None = None
        self._graphql: graphql.Arguments | None = None
        self._containment: dict[str, bool] = {}
        self._imports_sandbox = any(
            q == "jinja2" or q.startswith("jinja2.sandbox") for q in imports.values()
        )
        # local names of flask.g ("g") and of Flask's request ("request")
        self.scoped_owners = {
            name: "g" if target in G_OBJECTS else "request"
            for name, target in imports.items()
            if target in G_OBJECTS or target in REQUEST_OBJECTS
        }

    def scoped_key(self, owner: ast.expr, attr: str) -> str | None:
        """``"g.data"`` for ``g.data``, ``"request.all_data"`` for an attribute the
        app sets on Flask's request (not one of the request's own); else None."""
        if isinstance(owner, ast.Name):
            kind = self.scoped_owners.get(owner.id)
        elif isinstance(owner, ast.Attribute) and owner.attr in ("g", "request"):
            qualified = self.evaluator.qualify(owner)
            kind = "g" if qualified in G_OBJECTS else None
            if qualified in REQUEST_OBJECTS:
                kind = "request"
        else:
            return None
        if kind is None or attr.startswith("__"):
            return None
        if kind == "request" and (
            attr in tables.REQUEST_ATTRIBUTES
            or attr in tables.REQUEST_METHODS
            or attr in tables.REQUEST_OWN_ATTRIBUTES
        ):
            return None
        return f"{kind}.{attr}"

    def span(self, node: ast.AST) -> Span:
        return span_of(node, self.lines)

    def run(self) -> ModuleTaint:
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.module_functions.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                self.module_classes.add(stmt.name)
        for node, qualname, class_name in _functions(self.tree.body, "", None):
            interpreter = _FunctionInterpreter(self, node, qualname, class_name)
            self.result.functions[qualname] = interpreter.run()
            self._template_globals(node)
        if _TEMPLATE_FACT_WORDS.search(self.text):
            self._module_template_facts()
        if "converters" in self.text:
            self.result.safe_converters = _safe_converters(self.tree.body, self.evaluator)
        return self.result

    def graphql_arguments(self) -> graphql.Arguments:
        """GraphQL resolvers' arguments (:mod:`flaskwarden.taint.graphql`), looked for
        only in modules that import a GraphQL library."""
        if self._graphql is None:
            self._graphql = {}
            if graphql.uses_graphql(self.imports):
                self._graphql = graphql.resolver_arguments(self.tree, self.evaluator)
        return self._graphql

    def is_containment_check(self, name: str) -> bool:
        """Whether module function ``name`` answers "is this path inside that
        directory?" about its first argument: it normalises a path (``resolve()``,
        ``realpath``) and tests containment (``relative_to`` in a ``try``,
        ``is_relative_to``, ``startswith``, ``commonpath``), returning the answer."""
        if name not in self._containment:
            function = self._module_function(ast.Name(id=name))
            self._containment[name] = function is not None and _checks_containment(
                function, self.evaluator
            )
        return self._containment[name]

    def makes_sandbox(self, node: ast.expr) -> bool:
        """``ImmutableSandboxedEnvironment(...)``, or a call of a module function that
        returns one (``def create_env(): env = SandboxedEnvironment(); ...; return env``)."""
        if not isinstance(node, ast.Call) or not self._imports_sandbox:
            return False
        if (self.evaluator.qualify(node.func) or "").startswith("jinja2.sandbox."):
            return True
        return isinstance(node.func, ast.Name) and node.func.id in self._sandbox_factories()

    def _sandbox_factories(self) -> set[str]:
        if self._factories is None:
            self._factories = set()
            for stmt in self.tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and _returns_sandbox(
                    stmt, self.evaluator
                ):
                    self._factories.add(stmt.name)
        return self._factories

    def module_objects(self) -> dict[str, str]:
        """Module-level names bound to a ``pathlib.Path`` ("path": ``BASE = Path("/srv")``)
        or an HTTP client ("http": ``http = requests.Session()``)."""
        if self._module_objects is None:
            self._module_objects = {}
            for stmt in self.tree.body:
                if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                    continue
                kind = ""
                if _makes_path(stmt.value, self.evaluator):
                    kind = "path"
                elif self.evaluator.qualify(stmt.value.func) in tables.HTTP_CLIENTS:
                    kind = "http"
                for target in stmt.targets:
                    if kind and isinstance(target, ast.Name):
                        self._module_objects[target.id] = kind
        return self._module_objects

    def constants_for_urls(self) -> dict[str, str]:
        """``NAME = "literal"`` at module level and bound nowhere else (no other
        assignment, loop or with target, no ``global NAME``): what a URL may start with.
        Worked out the first time a URL needs it."""
        if self._string_constants is None:
            # only literals that look like the start of a URL are worth the full walk
            literal = {
                stmt.targets[0].id: stmt.value.value
                for stmt in self.tree.body
                if isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
                and (stmt.value.value.startswith("/") or "://" in stmt.value.value)
            }
            bindings = dict.fromkeys(literal, 0)
            if literal:
                for stmt in all_statements(self.tree.body):
                    if isinstance(stmt, ast.Global):
                        for name in stmt.names:
                            if name in bindings:
                                bindings[name] += 2
                    for target in _binding_targets(stmt):
                        for name in _names(target):
                            if name in bindings:
                                bindings[name] += 1
            self._string_constants = {n: v for n, v in literal.items() if bindings[n] == 1}
        return self._string_constants

    def callee_ref(self, func: ast.expr, scope: _FunctionInterpreter) -> Ref:
        """A ref for calls that may land in project code; "" for known external code."""
        if isinstance(func, ast.Name):
            if func.id in self.module_functions:
                return f"global:{func.id}"
            if func.id in self.module_classes:
                return f"global:{func.id}"
            qual = self.imports.get(func.id)
            if qual and qual.split(".")[0] not in tables.EXTERNAL_PACKAGES:
                return f"import:{qual}"
            return ""
        if isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name):
                if owner.id == "self" and scope.class_name:
                    return f"method:global:{scope.class_name}.{func.attr}"
                if owner.id in scope.objects:
                    return f"method:{scope.objects[owner.id]}.{func.attr}"
            elif isinstance(owner, ast.Call):
                # Job(...).execute(...): a method of the object just built, as for
                # `job = Job(...)` then `job.execute(...)`
                built = self.callee_ref(owner.func, scope)
                if built and not built.startswith("method:"):
                    return f"method:{built}.{func.attr}"
            qual = self.evaluator.qualify(func)
            if qual and qual.split(".")[0] not in tables.EXTERNAL_PACKAGES:
                return f"import:{qual}"
        return ""

    def _template_globals(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for deco in node.decorator_list:
            func = deco.func if isinstance(deco, ast.Call) else deco
            attr = func.attr if isinstance(func, ast.Attribute) else ""
            if attr in ("context_processor", "app_context_processor"):
                keys = _returned_keys(node)
                if keys is None:
                    self.result.template_globals_unknown = True
                else:
                    self.result.template_globals.update(keys)
            elif attr in ("template_global", "app_template_global"):
                name = node.name
                if isinstance(deco, ast.Call):
                    for arg in (*deco.args, *(k.value for k in deco.keywords)):
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            name = arg.value
                self.result.template_globals.add(name)

    def _module_template_facts(self) -> None:
        for node in walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    # app.jinja_env.globals["name"] = ...
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Attribute)
                        and target.value.attr == "globals"
                        and isinstance(target.slice, ast.Constant)
                    ):
                        self.result.template_globals.add(str(target.slice.value))
                    # app.jinja_env.autoescape = False (or True)
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == "autoescape"
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, bool)
                    ):
                        switched = self.result.autoescape_on
                        if node.value.value is False:
                            switched = self.result.autoescape_off
                        switched.append(self.span(node))
                    # app.jinja_options = {"autoescape": True, ...}
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == "jinja_options"
                        and _sets_autoescape(node.value)
                    ):
                        self.result.autoescape_on.append(self.span(node))
            elif isinstance(node, ast.Call):
                func = node.func
                name = dotted(func) or ""
                if name.endswith("add_template_global"):
                    self._add_template_global(node)
                elif name.endswith("globals.update"):
                    for kw in node.keywords:
                        if kw.arg:
                            self.result.template_globals.add(kw.arg)
                    for arg in node.args:
                        if isinstance(arg, ast.Dict):
                            for key in arg.keys:
                                if isinstance(key, ast.Constant):
                                    self.result.template_globals.add(str(key.value))
                        else:
                            self.result.template_globals_unknown = True
                elif name.endswith(("context_processor", "template_context_processors")):
                    # app.context_processor(inject): keys of what `inject` returns
                    processor = node.args[0] if node.args else None
                    function = self._module_function(processor)
                    keys = _returned_keys(function) if function is not None else None
                    if keys is None:
                        self.result.template_globals_unknown = True
                    else:
                        self.result.template_globals.update(keys)
                qual = self.evaluator.qualify(func)
                if qual in ("jinja2.Environment", "jinja2.environment.Environment"):
                    for kw in node.keywords:
                        if (
                            kw.arg == "autoescape"
                            and isinstance(kw.value, ast.Constant)
                            and kw.value.value is False
                        ):
                            self.result.autoescape_off.append(self.span(node))

    def _add_template_global(self, node: ast.Call) -> None:
        """``add_template_global(f)`` (named f.__name__) or ``(obj, "name")``."""
        name: str | None = None
        for kw in node.keywords:
            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                name = str(kw.value.value)
        if name is None and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            name = str(node.args[1].value)
        if name is None and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name):
                name = first.id
            elif isinstance(first, ast.Attribute):
                name = first.attr
        if name is not None:
            self.result.template_globals.add(name)

    def _module_function(
        self, node: ast.expr | None
    ) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if not isinstance(node, ast.Name):
            return None
        for function, qualname, _ in _functions(self.tree.body, "", None):
            if qualname.rsplit(".", 1)[-1] == node.id:
                return function
        return None


def analyze_taint(tree: ast.Module, text: str, path: str, imports: dict[str, str]) -> ModuleTaint:
    return TaintAnalyzer(tree, text, path, imports).run()


# -- helpers ---------------------------------------------------------------------------

# Module-wide template facts (globals, autoescape) need a walk of the whole tree:
# only modules that mention them pay for it.
_TEMPLATE_FACT_WORDS: Final = re.compile(
    r"globals|autoescape|template_global|context_processor|Environment"
)


def _has_loop(body: list[ast.stmt]) -> bool:
    """Whether a loop statement occurs anywhere in ``body`` (nested defs included)."""
    return any(
        isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)) for stmt in all_statements(body)
    )


_NUMERIC: Final = frozenset({"int", "float", "bool"})
# String methods whose result is no longer than the string (a short one stays short).
_SAME_LENGTH_METHODS: Final = frozenset(
    {"lower", "upper", "casefold", "swapcase", "strip", "lstrip", "rstrip"}
)
# A slice of at most this many characters holds at most one ".." component.
SHORT_SLICE: Final = 5
_ITEM_READS: Final = frozenset({"get", "getlist", "pop", "setdefault", "__getitem__", "read"})
_CONTAINER_READS: Final = _ITEM_READS | {"items", "values", "keys", "copy", "to_dict"}
_BUILTINS: Final = frozenset(
    {"open", "eval", "exec", "compile", "str", "repr", "int", "float", "bool", "len", "list",
     "tuple", "set", "dict", "sorted", "reversed", "format", "abs", "round", "hash", "id",
     "isinstance"}
)  # fmt: skip


def _functions(
    body: list[ast.stmt], prefix: str, class_name: str | None, depth: int = 0
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str, str | None]]:
    """Functions and methods, including ones nested in others (routes and context
    processors defined inside an app factory), named ``outer.inner``."""
    if depth > 20:
        return
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt, prefix + stmt.name, class_name
            yield from _functions(stmt.body, f"{prefix}{stmt.name}.", None, depth + 1)
        elif isinstance(stmt, ast.ClassDef):
            yield from _functions(stmt.body, f"{prefix}{stmt.name}.", stmt.name, depth + 1)
        elif isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            for block in ("body", "orelse", "finalbody"):
                yield from _functions(getattr(stmt, block, []), prefix, class_name, depth + 1)
            for handler in getattr(stmt, "handlers", []):
                yield from _functions(handler.body, prefix, class_name, depth + 1)


def _union(taints: Iterable[Taint]) -> Taint:
    result: set[Origin] = set()
    for taint in taints:
        result |= taint
    return _bounded(result)


def _join(ends: list[dict[str, Taint]], start: dict[str, Taint] | None = None) -> dict[str, Taint]:
    """The state where paths meet: each name may hold what any path left in it. With
    ``start``, not taking any of the paths is one more way through."""
    merged: dict[str, Taint] = dict(start) if start is not None else {}
    for env in ends:
        for name, taint in env.items():
            merged[name] = _bounded(merged.get(name, CLEAN) | taint)
    _complete_rests(merged, ends if start is None else [start, *ends])
    return merged


def _bounded(taint: Iterable[Origin]) -> Taint:
    items = list(dict.fromkeys(taint))
    if len(items) <= MAX_ORIGINS:
        return frozenset(items)
    # keep sources first: they are what findings are made of; then a fixed order, so
    # that what is kept does not follow set iteration (it changes per process)
    items.sort(key=origin_order)
    return frozenset(items[:MAX_ORIGINS])


def origin_order(origin: Origin) -> tuple[object, ...]:
    """A total order of origins: sources, then parameters, then calls; shorter paths
    first; then by what they are, all the way down a call's arguments."""
    args = tuple((key, tuple(sorted(origin_order(o) for o in taint))) for key, taint in origin.args)
    return (
        origin.kind != "source",
        origin.kind != "param",
        len(origin.steps),
        origin.kind,
        origin.label,
        origin.callee,
        origin.via,
        tuple((s.path, s.line, s.column, s.message) for s in origin.steps),
        tuple(sorted(origin.cleared)),
        origin.shape,
        origin.depth,
        args,
        tuple(sorted(map(repr, origin.guards))),
    )


def _strips_path(node: ast.Call) -> bool:
    """A chain of ``.replace(x, "")`` (or ``"_"``) calls taking out every ``/`` and
    every ``.`` (or ``..``, after the slashes): what is left cannot climb out of a
    directory or name an absolute path."""
    removed: list[str] = []  # outermost call first: the last replacement made
    current: ast.expr = node
    while (
        isinstance(current, ast.Call)
        and isinstance(current.func, ast.Attribute)
        and current.func.attr == "replace"
        and len(current.args) == 2
    ):
        old, new = current.args
        if (
            isinstance(old, ast.Constant)
            and isinstance(old.value, str)
            and isinstance(new, ast.Constant)
            and isinstance(new.value, str)
            and not any(ch in new.value for ch in "./\\")
        ):
            removed.append(old.value)
        current = current.func.value
    if "/" not in removed:
        return False
    slashes = removed.index("/")
    return "." in removed or ".." in removed[:slashes]


_SAFE_RESULTS: Final = frozenset({"int", "float", "uuid.UUID", "decimal.Decimal"})


def _safe_converters(body: list[ast.stmt], evaluator: Evaluator) -> set[str]:
    """Names registered with ``X.url_map.converters["name"] = Cls`` where ``Cls``, a
    class of this module, has a ``to_python`` that returns only ``int(...)``,
    ``UUID(...)`` (or ``str()`` of one) or raises: no text reaches the view."""
    classes = {stmt.name: stmt for stmt in body if isinstance(stmt, ast.ClassDef)}
    found: set[str] = set()
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "converters"
            and isinstance(target.value.value, ast.Attribute)
            and target.value.value.attr == "url_map"
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id in classes
        ):
            continue
        method = next(
            (
                item
                for item in classes[stmt.value.id].body
                if isinstance(item, ast.FunctionDef) and item.name == "to_python"
            ),
            None,
        )
        if method is not None and _returns_no_text(method, evaluator):
            found.add(target.slice.value)
    return found


def _returns_no_text(method: ast.FunctionDef, evaluator: Evaluator) -> bool:
    """Every ``return`` gives ``int(...)``/``UUID(...)`` (or ``str()`` of one, also
    through a local bound to one), or returns the value only under ``if value in
    SENTINELS:`` (one of a few fixed strings)."""
    safe: set[str] = set()
    fixed: set[int] = set()  # returns guarded by a membership test of what they return
    for node in walk(method):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _safe_result(node.value, evaluator, safe)
        ):
            safe.add(node.targets[0].id)
        elif (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name)
            and len(node.test.ops) == 1
            and isinstance(node.test.ops[0], ast.In)
        ):
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Return)
                    and isinstance(stmt.value, ast.Name)
                    and stmt.value.id == node.test.left.id
                ):
                    fixed.add(id(stmt))
    returns = [n for n in walk(method) if isinstance(n, ast.Return)]
    return bool(returns) and all(
        id(r) in fixed or _safe_result(r.value, evaluator, safe) for r in returns
    )


def _safe_result(node: ast.expr | None, evaluator: Evaluator, safe: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in safe
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        qualified = evaluator.qualify(node.func) or dotted(node.func) or ""
        if qualified in _SAFE_RESULTS:
            return True
        if qualified == "str":
            return _safe_result(node.args[0], evaluator, safe)
    return False


def read_off_request(attr: str, steps: tuple[Step, ...] = ()) -> Origin:
    """The source ``request.<attr>`` (``get_json()`` for a method) is, read off the
    request object wherever it was passed."""
    name = attr.removesuffix("()")
    origin = Origin("source", f"request.{attr}", steps=steps, shape=_request_shape(attr))
    if name in tables.SAME_ORIGIN_ATTRIBUTES or name in tables.BROWSER_SET_ATTRIBUTES:
        origin = origin.clear({"redirect"})
    return origin


def _read_off(taint: Taint, attr: str, step: Step) -> Taint:
    """``value.args`` (``attr`` one of the request's sources, ``step`` where it is
    read): request data when the value is the request object; remembered on a
    parameter's origin (``via``), for the callers that pass the request; a string read
    off anything else."""
    found: set[Origin] = set()
    for origin in taint:
        if origin.kind == "request":
            found.add(read_off_request(attr, (*origin.steps, step)))
        elif origin.kind == "param" and not origin.via:
            found.add(replace(origin, via=attr, shape=_request_shape(attr)))
        else:
            found.add(origin.as_str())
    return frozenset(found)


def _request_shape(attr: str) -> str:
    """The shape of ``request.<attr>`` (``get_json()`` for a method)."""
    name = attr.removesuffix("()")
    return tables.REQUEST_ATTRIBUTES.get(name) or tables.REQUEST_METHODS.get(name, "str")


def _shallow(taint: Taint) -> Taint:
    """Taint to keep as a call's argument: call origins nested deeper than
    MAX_CALL_DEPTH are dropped, so `x = f(x)` repeated in a loop or down a long
    function cannot grow origins without bound (sources and params are kept)."""
    return _bounded(o for o in taint if o.kind != "call" or o.depth < MAX_CALL_DEPTH)


def _as_obj(taint: Taint) -> Taint:
    """A container holding the values: JSON when a view returns it, not HTML."""
    return frozenset(o if o.shape == "obj" else replace(o, shape="obj") for o in taint)


def _as_short(taint: Taint) -> Taint:
    """A short slice of each string (see Origin.shape); a container's slice is items."""
    return frozenset(o if o.shape != "str" else replace(o, shape="short") for o in taint)


def _inner_short(taint: Taint) -> Taint:
    """A short string after a non-empty start (``uid + name[-4:]``) cannot leave the
    directory: its one ".." at most takes back the start, and it is not absolute. The
    start must hold no ".." of its own (see _may_hold_dots): two short pieces in a row
    could take back more than it."""
    return frozenset(o.clear({"path", "dotdot"}) if o.shape == "short" else o for o in taint)


def _may_hold_dots(taint: Taint) -> bool:
    """Whether a value may hold a ".." that no path check saw: a short piece."""
    return any(o.shape == "short" or "dotdot" in o.cleared for o in taint)


def _short_slice(node: ast.expr) -> bool:
    """``[-4:]``, ``[:3]``, ``[2:5]``: a slice of at most SHORT_SLICE items."""
    if not isinstance(node, ast.Slice) or node.step is not None:
        return False
    lower = _index(node.lower) if node.lower is not None else 0
    upper = _index(node.upper) if node.upper is not None else None
    if lower is None:
        return False
    if upper is None:
        return -SHORT_SLICE <= lower < 0
    return (lower >= 0) == (upper >= 0) and 0 <= upper - lower <= SHORT_SLICE


def _empty_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("", b"")


def _as_str(taint: Taint) -> Taint:
    return frozenset(o.as_str() for o in taint) if taint else CLEAN


def _fixed_host(
    node: ast.expr, taint: Taint, constants: Callable[[], Mapping[str, str]] = dict
) -> Taint:
    """``f"https://api.example.com/{x}"``, ``API + "/" + x`` (``API`` a module string
    constant with a scheme and host): x cannot change the host: not SSRF."""
    fixed = _prefix_clears(_literal_prefix(node, constants))
    return frozenset(o.clear(fixed) for o in taint) if fixed else taint


_FIXED_HOST_KINDS: Final = frozenset({"ssrf", "redirect"})
_URLJOIN: Final = frozenset({"urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin"})
_SAME_SITE_KINDS: Final = frozenset({"redirect"})
_COMPOUND: Final = tuple(
    getattr(ast, name)
    for name in ("If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try", "TryStar", "Match")
    if hasattr(ast, name)  # TryStar: Python 3.11
)


def _prefix_clears(prefix: str) -> frozenset[str] | None:
    """What a string starting with ``prefix`` cannot be, whatever follows: another host
    (``https://api.example.com/``), or another site (``/app/``; not ``/`` alone, which
    ``/evil.example`` or ``\\evil.example`` turns into a protocol-relative URL)."""
    if _FIXED_HOST.match(prefix):
        return _FIXED_HOST_KINDS
    if len(prefix) >= 2 and prefix[0] == "/" and prefix[1] not in "/\\":
        return _SAME_SITE_KINDS
    return None


def _literal_prefix(node: ast.expr, constants: Callable[[], Mapping[str, str]]) -> str:
    """The text a string expression starts with, as far as literals and module string
    constants say (``f"{API}/v1/{x}"`` -> ``"https://api.example.com/v1/"``)."""
    parts: list[ast.expr]
    if isinstance(node, ast.JoinedStr):
        parts = list(node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = []
        stack: list[ast.expr] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
                stack += (current.right, current.left)  # left first
            else:
                parts.append(current)
    elif isinstance(node, ast.BinOp):  # "https://host/%s" % x: the format string
        first = node.left
        while isinstance(first, ast.BinOp):
            first = first.left
        parts = [first]
    else:
        parts = [node]
    prefix = ""
    for part in parts:
        if isinstance(part, ast.FormattedValue) and part.conversion == -1:
            part = part.value if part.format_spec is None else part
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            prefix += part.value
        elif isinstance(part, ast.Name) and part.id in (known := constants()):
            prefix += known[part.id]
        elif isinstance(part, ast.JoinedStr):  # f"/app/{lang}/" + rest
            inner = _literal_prefix(part, constants)
            prefix += inner
            if len(part.values) != 1 or not isinstance(part.values[0], ast.Constant):
                break  # it holds a value: what follows is not known text
        elif not prefix and _is_url_for(part) and _more_text(parts, part):
            # url_for("index") + "#tab": a path on this site, then text that keeps it so
            prefix = "/~"
        else:
            break
    return prefix


def _more_text(parts: list[ast.expr], part: ast.expr) -> bool:
    """The part after ``part`` is literal text that does not start a new path (a bare
    ``url_for("index") + x`` could be "/" + "/evil.example")."""
    following = parts[parts.index(part) + 1 :]
    return bool(following) and (
        isinstance(following[0], ast.Constant)
        and isinstance(following[0].value, str)
        and following[0].value[:1] not in ("", "/", "\\")
    )


def _is_url_for(node: ast.expr) -> bool:
    """``url_for(...)`` without ``_external=True``: a path beginning with one '/'."""
    return (
        isinstance(node, ast.Call)
        and (dotted(node.func) or "").rsplit(".", 1)[-1] == "url_for"
        and not any(kw.arg in ("_external", "_scheme") for kw in node.keywords)
    )


def _rest_key(name: str) -> str:
    """The env key of what a keyed object's other keys may hold (see _keyed_store)."""
    return f"{name}[*]"


def _key_entry(name: str, key: str | int) -> str:
    """The env key of what ``name`` holds under one tracked key (see _keyed_store)."""
    return f"{name}[{key!r}]"


def _store_key(target: ast.Attribute | ast.Subscript) -> str | int | None:
    """The key a store to ``target`` is tracked under: ``".a"`` for ``rec.a``, the
    constant of ``d["k"]``; None when the key is not known."""
    if isinstance(target, ast.Attribute):
        return "." + target.attr
    return _constant_key(target)


def _constant_key(node: ast.Subscript) -> str | int | None:
    key = node.slice
    if (
        isinstance(key, ast.Constant)
        and isinstance(key.value, (str, int))
        and not isinstance(key.value, bool)
    ):
        return key.value
    return None


def _complete_rests(merged: dict[str, Taint], ends: list[dict[str, Taint]]) -> None:
    """After a join: on a path where an object got no keyed store, any key may hold
    whatever the object as a whole held there."""
    for rest in [k for k in merged if k.endswith("[*]")]:
        name = rest[:-3]
        for env in ends:
            if rest not in env:
                merged[rest] = _bounded(merged[rest] | env.get(name, CLEAN))


def _argument_node(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(node.args) > index and not any(isinstance(a, ast.Starred) for a in node.args):
        return node.args[index]
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _string_parts(node: ast.expr) -> list[ast.expr] | None:
    """The pieces of an f-string or a ``+`` chain, left to right (None otherwise)."""
    if isinstance(node, ast.JoinedStr):
        return list(node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _string_parts(node.left) if isinstance(node.left, ast.BinOp) else [node.left]
        right = _string_parts(node.right) if isinstance(node.right, ast.BinOp) else [node.right]
        if left is None or right is None:
            return None
        return left + right
    return None


def _returns_sandbox(node: ast.FunctionDef | ast.AsyncFunctionDef, evaluator: Evaluator) -> bool:
    """Every return of ``node`` gives a ``jinja2.sandbox`` environment, built right there
    or bound to a name from one."""
    built: set[str] = set()
    returns: list[ast.expr | None] = []
    for stmt in all_statements(node.body):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            qual = evaluator.qualify(stmt.value.func) or ""
            if qual.startswith("jinja2.sandbox."):
                built |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.Return):
            returns.append(stmt.value)

    def sandbox(value: ast.expr | None) -> bool:
        if isinstance(value, ast.Name):
            return value.id in built
        return isinstance(value, ast.Call) and (evaluator.qualify(value.func) or "").startswith(
            "jinja2.sandbox."
        )

    return bool(returns) and all(sandbox(value) for value in returns)


def _sets_autoescape(value: ast.expr) -> bool:
    """``{"autoescape": True}`` or ``dict(..., autoescape=True)``."""
    if isinstance(value, ast.Dict):
        return any(
            isinstance(k, ast.Constant)
            and k.value == "autoescape"
            and isinstance(v, ast.Constant)
            and v.value is True
            for k, v in zip(value.keys, value.values, strict=False)
        )
    return isinstance(value, ast.Call) and any(
        kw.arg == "autoescape" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in value.keywords
    )


def _makes_path(call: ast.Call, evaluator: Evaluator) -> bool:
    """``Path(...)``, ``Path(...).resolve()`` / ``.absolute()``: a call giving a Path
    (not ``Path(...).read_text()``, which gives the file's text)."""
    func = call.func
    while (
        isinstance(func, ast.Attribute)
        and func.attr in ("resolve", "absolute")
        and isinstance(func.value, ast.Call)
    ):
        func = func.value.func
    return evaluator.qualify(func) in tables.PATH_CLASSES


def _splitext_extension(node: ast.Subscript) -> bool:
    """``os.path.splitext(x)[1]`` (or ``[-1]``)."""
    return (
        _index(node.slice) in (1, -1)
        and isinstance(node.value, ast.Call)
        and (dotted(node.value.func) or "").endswith("path.splitext")
    )


def _index(node: ast.expr) -> int | None:
    """A literal integer subscript: ``1``, ``-1`` (a unary minus in the tree)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _index(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _dotless_suffix(left: ast.expr, right: ast.expr) -> bool:
    """``"." + x.split(".")[-1]`` (``rsplit(".", 1)[-1]``, ``rpartition(".")[2]``,
    lower- or upper-cased): the last dot-separated part after fixed text."""
    if not (
        isinstance(left, ast.Constant)
        and isinstance(left.value, str)
        and left.value
        and not left.value.endswith(("/", "\\"))
    ):
        return False
    while (
        isinstance(right, ast.Call)
        and isinstance(right.func, ast.Attribute)
        and right.func.attr in _CASE_FOLDS
        and not right.args
    ):
        right = right.func.value
    if not isinstance(right, ast.Subscript):
        return False
    split = right.value
    if not (
        isinstance(split, ast.Call)
        and isinstance(split.func, ast.Attribute)
        and split.args
        and isinstance(split.args[0], ast.Constant)
        and split.args[0].value == "."
    ):
        return False
    attr, index = split.func.attr, _index(right.slice)
    return (attr in ("split", "rsplit") and index == -1) or (
        attr == "rpartition" and index in (2, -1)
    )


def _binding_targets(stmt: ast.stmt) -> list[ast.expr]:
    """What a statement binds: assignment, loop and with targets, imports' names."""
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        return [stmt.target]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [ast.Name((a.asname or a.name).split(".")[0]) for a in stmt.names]
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [ast.Name(stmt.name)]
    if isinstance(stmt, ast.Delete):
        return list(stmt.targets)
    return []


def _names(target: ast.expr) -> Iterator[str]:
    for node in walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _clear_name(env: dict[str, Taint], name: str, kinds: set[str]) -> None:
    """Clear a validated name's taint; an expression subject is recorded under its
    key in ``env`` (never a valid identifier) and consulted when it is evaluated."""
    if name.startswith("expr:"):
        env[name] = frozenset({Origin("validated", ",".join(sorted(kinds)))})
    elif name in env:
        env[name] = frozenset(o.clear(kinds) for o in env[name])


_URL_WORDS: Final = ("url", "next", "redirect", "host", "target", "path", "uri", "link")
_VALIDATOR_WORDS: Final = ("safe", "allowed", "valid", "trusted", "permitted")


def _is_url_validator(name: str, argument: ast.expr | None = None) -> bool:
    """``is_safe_url``, ``_is_safe_next_url``, ``url_has_allowed_host_and_scheme``,
    ``validate_api_url``, ``is_allowed(url)``: a yes/no check named for validating,
    about a URL by its own name or by the name of the value it checks."""
    lowered = name.lower()
    if name in tables.SAFE_URL_HELPERS:
        return True
    if not any(word in lowered for word in _VALIDATOR_WORDS):
        return False
    checked = (dotted(argument) or "").lower() if argument is not None else ""
    return any(word in lowered or word in checked for word in _URL_WORDS)


_CHECK_VERBS: Final = ("check", "validate", "ensure", "verify", "assert", "guard", "require")
_PATH_CHECK_OBJECTS: Final = (
    "path", "access", "permission", "dir", "folder", "inside", "within", "travers",
    "sandbox", "contain",
)  # fmt: skip


_CONTAINMENT_CALLS: Final = frozenset(
    {"relative_to", "is_relative_to", "startswith", "commonpath", "commonprefix"}
)


_ANSWERS: Final = (ast.Call, ast.Compare, ast.BoolOp, ast.UnaryOp)


def _normalizing(node: ast.Call, evaluator: Evaluator) -> bool:
    """``os.path.realpath(...)``, ``Path(...).resolve()``: absolute, no ".." left."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in tables.NORMALIZING_METHODS:
        return True
    return evaluator.qualify(func) in tables.NORMALIZING_CALLS


def _is_bool(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _checks_containment(
    function: ast.FunctionDef | ast.AsyncFunctionDef, evaluator: Evaluator
) -> bool:
    """A predicate over a path: normalises, tests containment, returns a boolean."""
    args = function.args.posonlyargs + function.args.args
    if not args:
        return False
    normalizes = contains = answers = False
    for node in walk(function):
        if isinstance(node, ast.Call):
            normalizes = normalizes or _normalizing(node, evaluator)
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else evaluator.qualify(func) or ""
            contains = contains or called.rsplit(".", 1)[-1] in _CONTAINMENT_CALLS
        elif isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            answers = answers or isinstance(value, _ANSWERS) or _is_bool(value)
    return normalizes and contains and answers


def _is_path_check(func: ast.expr) -> bool:
    """``check_access_permission``, ``ensure_inside_dir``, ``validate_path``: called for
    its side effect (it raises), named for checking where a path leads. Not
    ``validate_file``: checking a file's type says nothing about its name's path."""
    return _named_check(func, _PATH_CHECK_OBJECTS)


def _is_url_check(call: ast.Call) -> bool:
    """``check_url(url)``, ``validate_feed_url(link)``, ``ensure_allowed_host(target)``
    called for its side effect (it raises): named for checking a URL, by its own name
    or by the name of what it checks. ``is_safe_url`` answers instead (see _if)."""
    return bool(call.args) and _named_check(call.func, _URL_CHECK_OBJECTS, call.args[0])


_URL_CHECK_OBJECTS: Final = ("url", "uri", "host", "link")


def _named_check(func: ast.expr, objects: tuple[str, ...], checked: ast.expr | None = None) -> bool:
    """A function named with a checking verb (``check_``, ``validate_``, ...) and one of
    ``objects``, in its own name or in the name of the value it is given."""
    lowered = (dotted(func) or "").rsplit(".", 1)[-1].lower()
    if not any(w in _CHECK_VERBS for w in lowered.strip("_").split("_")):
        return False
    argument = (dotted(checked) or "").lower() if checked is not None else ""
    return any(o in lowered or o in argument for o in objects)


def _subject(node: ast.expr) -> str:
    """How a validated value is named: a local name, or the expression itself."""
    return node.id if isinstance(node, ast.Name) else "expr:" + ast.dump(node)


def _local_path_check(test: ast.BoolOp | ast.expr) -> tuple[str, bool] | None:
    """A check that a redirect target is a path on this site: it starts with "/" and
    its second character is neither "/" nor "\\" (``//evil.example`` and
    ``/\\evil.example`` are other sites). ``x.startswith("/") and not
    x.startswith(("//", "/\\"))`` -> (x, True); ``not x.startswith("/") or
    x[1:2] in ("/", "\\")`` -> (x, False)."""
    if not isinstance(test, ast.BoolOp):
        return None
    positive = isinstance(test.op, ast.And)
    starts: set[str] = set()
    rejected: dict[str, set[str]] = {}
    for value in test.values:
        negated = isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)
        inner = value.operand if isinstance(value, ast.UnaryOp) and negated else value
        prefixes = _startswith(inner)
        if prefixes is not None:
            subject, texts = prefixes
            if texts == {"/"} and negated != positive:
                starts.add(subject)
            elif texts and all(t[:1] == "/" and len(t) == 2 for t in texts) and negated == positive:
                rejected.setdefault(subject, set()).update(t[1] for t in texts)
            continue
        second = _second_char_in(inner)
        if second is not None and negated == positive:
            rejected.setdefault(second[0], set()).update(second[1])
    for subject in starts:
        if {"/", "\\"} <= rejected.get(subject, set()):
            return subject, positive
    return None


def _startswith(node: ast.expr) -> tuple[str, set[str]] | None:
    """``x.startswith("/")`` / ``x.startswith(("//", "/\\"))``: x and the prefixes."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and len(node.args) == 1
    ):
        return None
    arg = node.args[0]
    items = arg.elts if isinstance(arg, ast.Tuple) else [arg]
    texts = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
    if len(texts) != len(items):
        return None
    return _subject(node.func.value), texts


def _second_char_in(node: ast.expr) -> tuple[str, set[str]] | None:
    """``x[1:2] in ("/", "\\")`` / ``x[1] in "/\\"``: x and the characters."""
    if not (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In)
        and isinstance(node.left, ast.Subscript)
    ):
        return None
    index = node.left.slice
    second = (isinstance(index, ast.Constant) and index.value == 1) or (
        isinstance(index, ast.Slice)
        and isinstance(index.lower, ast.Constant)
        and index.lower.value == 1
        and isinstance(index.upper, ast.Constant)
        and index.upper.value == 2
        and index.step is None
    )
    if not second:
        return None
    container = node.comparators[0]
    if isinstance(container, ast.Constant) and isinstance(container.value, str):
        chars = set(container.value)
    elif isinstance(container, (ast.Tuple, ast.List, ast.Set)):
        chars = {
            e.value
            for e in container.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    else:
        return None
    return _subject(node.left.value), chars


def _validated_url(test: ast.expr) -> tuple[str | None, bool]:
    """What a redirect-target check validates, and whether the test is positive.

    ``if is_safe_url(x):`` and ``if x and is_safe_url(x):`` -> (x, True);
    ``if not is_safe_url(x):`` and ``if urlsplit(x).netloc or urlsplit(x).scheme:``
    -> (x, False). ``x`` may be an expression (``request.args.get("next")``), then
    named by :func:`_subject`.
    """
    local = _local_path_check(test)
    if local is not None:
        return local
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            subject, positive = _validated_url(value)
            if subject is not None and positive:
                return subject, True
        return None, False
    if isinstance(test, ast.BoolOp):
        # `if x is None or not is_safe_url(x):` failing makes every disjunct false:
        # then x passed the check
        for value in test.values:
            subject, positive = _validated_url(value)
            if subject is None and isinstance(value, ast.BoolOp):
                subject, positive = _excepting_literals(value)
            if subject is not None and not positive:
                return subject, False
        return None, False
    negated = False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negated, test = True, test.operand
    if isinstance(test, ast.Call):
        name = (dotted(test.func) or "").split(".")[-1]
        if test.args and _is_url_validator(name, test.args[0]):
            return _subject(test.args[0]), not negated
    checked: str | None = None
    for node in walk(test):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("netloc", "scheme", "hostname")
            and isinstance(node.value, ast.Call)
            and (dotted(node.value.func) or "").split(".")[-1] in ("urlparse", "urlsplit")
            and node.value.args
        ):
            checked = _subject(node.value.args[0])
    if checked is not None:
        # `if parsed.netloc ...: abort()` flags a bad URL: the test is "unsafe"
        return checked, negated
    return None, False


def _excepting_literals(test: ast.BoolOp) -> tuple[str | None, bool]:
    """``x != "internal" and not is_safe_url(x)``: false when x is that literal or is
    safe, so as a disjunct it is a negative check of x like ``not is_safe_url(x)``."""
    if not isinstance(test.op, ast.And):
        return None, False
    checked: str | None = None
    for value in test.values:
        subject, positive = _validated_url(value)
        if subject is not None and not positive and checked is None:
            checked = subject
            continue
        membership = _membership(value)
        if membership is None or membership[1]:
            return None, False  # not `x != literal` / `x not in LITERALS`
    if checked is None:
        return None, False
    others = {m[0] for v in test.values if (m := _membership(v)) is not None}
    return (checked, False) if others <= {checked} else (None, False)


def _membership(test: ast.expr) -> tuple[str, bool] | None:
    """``x in C`` / ``x == "lit"`` -> (x, True); ``x not in C`` / ``x != "lit"`` -> (x, False).
    ``x`` may be an item (``parts[1]``), named by :func:`_subject`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _membership(test.operand)  # `not x in C`, as `x not in C`
        return None if inner is None else (inner[0], not inner[1])
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left = test.left
    if (
        isinstance(left, ast.Call)
        and isinstance(left.func, ast.Attribute)
        and left.func.attr in _CASE_FOLDS
        and not left.args
        and not left.keywords
    ):
        # `fmt.upper() == "TXT"`: fmt is one of the few spellings of "txt"
        left = left.func.value
    if not isinstance(left, (ast.Name, ast.Subscript)):
        return None
    # a name, or an item such as parts[1] (named by _subject; not an attribute such as
    # request.method, which every view tests and nothing needs cleared)
    subject = _subject(left)
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, ast.In):
        return subject, True
    if isinstance(op, ast.NotIn):
        return subject, False
    if isinstance(right, ast.Constant) and isinstance(op, (ast.Eq, ast.NotEq)):
        return subject, isinstance(op, ast.Eq)
    return None


_CASE_FOLDS: Final = frozenset({"lower", "upper", "casefold", "strip", "lstrip", "rstrip"})


def _allow_listed(test: ast.expr) -> tuple[list[str], bool]:
    """The variables an allow-list test checks, and whether the test passing means
    the values are allowed (True) or rejected (False).

    ``x not in A or other`` failing means x is in A, and ``x not in A or y not in B``
    failing means both are; ``x not in A and x != "b"`` failing means x is in A or is
    "b": allow-listed. A conjunction with an unrelated condition proves nothing about
    x and is not used.
    """
    single = _membership(test)
    if single is not None:
        return [single[0]], single[1]
    if not isinstance(test, ast.BoolOp):
        return [], False
    parts = [_membership(v) for v in test.values]
    if isinstance(test.op, ast.Or):
        # the test failing makes every disjunct false: each `x not in A` then holds
        rejecting = sorted({p[0] for p in parts if p is not None and not p[1]})
        return rejecting, False
    if all(p is not None for p in parts):
        names = {p[0] for p in parts if p is not None}
        positives = {p[1] for p in parts if p is not None}
        if len(names) == 1 and len(positives) == 1:
            return [names.pop()], positives.pop()
    for p in parts:
        if p is not None and p[1]:
            return [p[0]], True  # `x in A and ...` passing means x is in A
    return [], False


def _shell_true(node: ast.Call) -> bool:
    qual_name = dotted(node.func) or ""
    if qual_name.endswith(("getoutput", "getstatusoutput")):
        return True
    return any(
        kw.arg == "shell" and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in node.keywords
    )


def _safe_yaml(node: ast.Call) -> bool:
    loaders = [kw.value for kw in node.keywords if kw.arg == "Loader"]
    if len(node.args) > 1:
        loaders.append(node.args[1])
    return any((dotted(v) or "").endswith(tables.SAFE_YAML_LOADERS) for v in loaders)


def _non_html_mimetype(node: ast.Call) -> bool:
    for kw in node.keywords:
        if kw.arg in ("mimetype", "content_type") and isinstance(kw.value, ast.Constant):
            return "html" not in str(kw.value.value)
    return False


def _mentions_static(node: ast.expr, static_names: set[str]) -> bool:
    """A path expression under the static folder: a 'static' path segment,
    ``app.static_folder``, or a local name already known to hold such a path."""
    for sub in walk(node):
        if isinstance(sub, ast.Name) and sub.id in static_names:
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            parts = re.split(r"[\\/]", sub.value)
            if "static" in parts:
                return True
        if isinstance(sub, ast.Attribute) and sub.attr == "static_folder":
            return True
    return False


def _returned_keys(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str] | None:
    keys: set[str] = set()
    for sub in walk(node):
        if isinstance(sub, ast.Return) and sub.value is not None:
            value = sub.value
            if isinstance(value, ast.Dict):
                for key in value.keys:
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        return None
                    keys.add(key.value)
            elif isinstance(value, ast.Call) and dotted(value.func) == "dict":
                if value.args:
                    return None
                keys.update(kw.arg for kw in value.keywords if kw.arg)
            else:
                return None
    return keys


def _first(nodes: list[ast.expr]) -> ast.expr | None:
    return nodes[0] if nodes else None
