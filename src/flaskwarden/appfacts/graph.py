"""The per-scan join of every module's :class:`AppFacts`: which functions run per
request, which apps exist, which blueprints they register.

*Per request* means reached from a route view, a ``before_request``/``after_request``/
``teardown_*`` hook (app or blueprint, ``before_app_request`` included), an error
handler, a context processor or template filter, a method of a class-based view, or a
project function any of those calls (in the same module or, through imports, another
one). A function only module level or a script's ``main()`` calls is not per request.

Request data is followed into called functions' parameters, so a helper that caches
its argument is judged by what its per-request callers pass. The graph is built once
per scan (:func:`app_graph` keeps it in ``ctx.cache``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Final

from flaskwarden.appfacts.facts import (
    EXPOSED_VIEW,
    REQUEST,
    AppFacts,
    Construction,
    Entry,
    FunctionApp,
    Labels,
    Registration,
)
from flaskwarden.discover import FileKind, SourceFile
from flaskwarden.model import Project
from flaskwarden.python.facts import ModuleFacts, Ref
from flaskwarden.python.guards import UNKNOWN_CALL, CallLiterals, Guard, refuted
from flaskwarden.python.source import is_test_path, module_name
from flaskwarden.rules import ScanContext

FnKey = tuple[str, str]  # (module path, function qualname)
NameKey = tuple[str, str]  # (module path, module-level name)

VIEW_BASES: Final = frozenset(
    {
        "flask.views.MethodView",
        "flask.views.View",
        "flask.MethodView",
        "flask_restful.Resource",
        "flask_restx.Resource",
        "flask_restplus.Resource",
        "flask_smorest.MethodView",
        "apiflask.views.MethodView",
        "apiflask.MethodView",
    }
)
_VIEW_METHODS: Final = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"}
)
_OTHER_FRAMEWORKS: Final = ("quart", "fastapi", "starlette", "sanic", "aiohttp", "django")
_MAX_DEPTH: Final = 8
# Distinct call shapes remembered per function; past this it counts as reached by any.
_MAX_CONTEXTS: Final = 16
# How much of a skipped file the byte searches look at.
_PEEK_BYTES: Final = 2 * 1024 * 1024
_SETTINGS_BYTES: Final = (b"_COOKIE_", b"WTF_CSRF", b"strict_slashes", b"set_cookie")
_HEADER_BYTES: Final = (
    b"x-content-type-options",
    b"x-frame-options",
    b"content-security-policy",
    b"frame-ancestors",
)


def prefixed(prefix: str, rule: str) -> str:
    """``/admin`` + ``/users`` -> ``/admin/users``, as Flask joins them."""
    if not prefix:
        return rule
    return "/".join((prefix.rstrip("/"), rule.lstrip("/"))) if rule else prefix


def app_facts(module: ModuleFacts | None) -> AppFacts | None:
    facts = getattr(module, "app", None) if module is not None else None
    return facts if isinstance(facts, AppFacts) else None


@dataclass(frozen=True)
class Reach:
    """How a function is reached per request: the entry it comes from."""

    entry_module: ModuleFacts
    entry_function: FunctionApp
    entry: Entry
    prefix: str = ""  # the url_prefix of the entry's blueprint

    def describe(self) -> str:
        fn = self.entry_function.qualname
        entry = self.entry
        if entry.kind == "route":
            methods = "/".join(entry.methods or ()) or ("GET" if entry.attr == "route" else "")
            path = prefixed(self.prefix, entry.path)
            where = f" ({methods} {path})".replace("  ", " ") if entry.path else ""
            return f"view {fn}(){where}"
        if entry.kind == "view":
            return f"class-based view method {fn}()"
        if entry.kind == "errorhandler":
            return f"error handler {fn}()"
        if entry.kind == "template":
            return f"template helper {fn}() ({entry.attr})"
        if entry.kind == "graphql":
            return f"GraphQL resolver {fn}()"
        return f"{entry.attr} hook {fn}()"


@dataclass(frozen=True)
class RouteInfo:
    """A route function with everything that routes to it."""

    module: ModuleFacts
    function: FunctionApp
    entries: tuple[Entry, ...]
    # the module each entry is written in (add_url_rule may be in another one)
    entry_modules: tuple[ModuleFacts, ...]

    @property
    def methods(self) -> frozenset[str] | None:
        """Allowed methods (None: not known statically)."""
        allowed: set[str] = set()
        for entry in self.entries:
            if entry.methods is None:
                return None
            allowed |= set(entry.methods) or {"GET"}
        return frozenset(allowed)


@dataclass(frozen=True)
class AppSite:
    """A Flask application object: where it is made, and the variable holding it."""

    module: ModuleFacts
    construction: Construction


@dataclass
class AppGraph:
    """Everything the FW4-FW6 rules need across modules."""

    project: Project
    modules: dict[str, ModuleFacts] = field(default_factory=dict)
    reached: dict[FnKey, Reach] = field(default_factory=dict)
    tainted: dict[FnKey, set[str]] = field(default_factory=dict)
    # The literal arguments of the calls a function is reached through, or None when
    # some way in passes anything (a view, a call with other arguments): a path that
    # every one of them rules out (``if remote:`` when all pass remote=False) is dead.
    contexts: dict[FnKey, set[CallLiterals] | None] = field(default_factory=dict)
    routes: dict[FnKey, RouteInfo] = field(default_factory=dict)
    apps: list[AppSite] = field(default_factory=list)
    blueprints: dict[NameKey, tuple[ModuleFacts, Construction]] = field(default_factory=dict)
    registered: dict[NameKey, list[tuple[ModuleFacts, Registration, int]]] = field(
        default_factory=dict
    )
    dynamic_registrations: list[tuple[ModuleFacts, Registration]] = field(default_factory=list)
    blueprint_routes: dict[NameKey, list[FnKey]] = field(default_factory=dict)
    evicted: set[NameKey] = field(default_factory=set)
    _resolved: dict[tuple[str, Ref], tuple[ModuleFacts, str] | None] = field(default_factory=dict)
    _view_classes: dict[NameKey, bool] = field(default_factory=dict)
    _reads_form: dict[FnKey, bool] = field(default_factory=dict)
    _checks_token: dict[FnKey, bool] = field(default_factory=dict)
    _base_lists: dict[NameKey, list[tuple[ModuleFacts, str]]] = field(default_factory=dict)
    _app_of: dict[str, AppSite | None] = field(default_factory=dict)

    # -- resolution ---------------------------------------------------------------------

    def resolve(
        self, ref: Ref, module: ModuleFacts, depth: int = 0
    ) -> tuple[ModuleFacts, str] | None:
        """The module and module-level name (``Class.method`` for methods) a ref names,
        following imports and re-exports through the project's modules."""
        key = (module.path, ref)
        if key in self._resolved:
            return self._resolved[key]
        self._resolved[key] = None  # recursion guard
        found = self._resolve(ref, module, depth)
        self._resolved[key] = found
        if found is not None:
            self.modules.setdefault(found[0].path, found[0])
        return found

    def _resolve(self, ref: Ref, module: ModuleFacts, depth: int) -> tuple[ModuleFacts, str] | None:
        kind, _, payload = ref.partition(":")
        if kind in ("global", "fn"):
            return module, payload
        if kind != "import" or depth > _MAX_DEPTH:
            return None
        parts = payload.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            target = self.project.find_module(".".join(parts[:cut]), module)
            if target is None:
                continue
            name = ".".join(parts[cut:])
            head, _, rest = name.partition(".")
            if _defines(target, head) or head not in target.imports:
                return target, name
            # a re-export: `from .views import bp` in a package __init__
            forwarded = target.imports[head] + (f".{rest}" if rest else "")
            if forwarded == payload:
                return target, name
            return self.resolve(f"import:{forwarded}", target, depth + 1)
        return None

    def function(
        self, ref: Ref, module: ModuleFacts, depth: int = 0
    ) -> tuple[ModuleFacts, FunctionApp] | None:
        found = self.resolve(ref, module)
        if found is None:
            return None
        target, name = found
        facts = app_facts(target)
        if facts is None:
            return None
        function = facts.functions.get(name)
        if function is not None:
            return target, function
        head, _, attr = name.partition(".")
        instance_class = facts.instances.get(head)
        if instance_class is not None and attr and "." not in attr and depth <= _MAX_DEPTH:
            # `client.fetch()` with `client = RatesClient()` in that module (bounded:
            # module-level instances of each other's classes would go round forever)
            return self.function(f"{instance_class}.{attr}", target, depth + 1)
        cls, _, method = name.rpartition(".")
        if cls and method:  # self.method() defined in a base class
            for base_module, base in self._bases(target, cls, 0):
                base_facts = app_facts(base_module)
                if base_facts is not None and f"{base}.{method}" in base_facts.functions:
                    return base_module, base_facts.functions[f"{base}.{method}"]
        return None

    def _bases(self, module: ModuleFacts, cls: str, depth: int) -> list[tuple[ModuleFacts, str]]:
        """A class's project base classes, nearest first (memoised: class hierarchies
        are shared by many views)."""
        key = (module.path, cls)
        if key in self._base_lists:
            return self._base_lists[key]
        self._base_lists[key] = []  # recursion guard
        facts = app_facts(module)
        view = facts.classes.get(cls) if facts is not None else None
        found: list[tuple[ModuleFacts, str]] = []
        if view is not None and depth <= _MAX_DEPTH:
            for base in view.bases:
                target = self.resolve(base, module)
                if target is not None and (target[0].path, target[1]) != key:
                    found.append(target)
                    found.extend(self._bases(target[0], target[1], depth + 1))
        self._base_lists[key] = found
        return found

    def is_view_class(self, module: ModuleFacts, cls: str, depth: int = 0) -> bool:
        key = (module.path, cls)
        if key in self._view_classes:
            return self._view_classes[key]
        self._view_classes[key] = False
        facts = app_facts(module)
        view = facts.classes.get(cls) if facts is not None else None
        result = False
        if view is not None and depth <= _MAX_DEPTH:
            for base in view.bases:
                if base.startswith("import:") and base[7:] in VIEW_BASES:
                    result = True
                    break
                found = self.resolve(base, module)
                if found is not None and self.is_view_class(found[0], found[1], depth + 1):
                    result = True
                    break
        self._view_classes[key] = result
        return result

    def class_methods(
        self, module: ModuleFacts, cls: str
    ) -> Iterator[tuple[ModuleFacts, FunctionApp]]:
        """Methods of a class and of its project base classes."""
        for owner, name in ((module, cls), *self._bases(module, cls, 0)):
            facts = app_facts(owner)
            view = facts.classes.get(name) if facts is not None else None
            if facts is None or view is None:
                continue
            for qualname in view.methods:
                if qualname in facts.functions:
                    yield owner, facts.functions[qualname]

    def flask_receiver(self, ref: Ref, module: ModuleFacts) -> str | None:
        """``flask-app``/``blueprint`` when ``ref`` is (or may be) one."""
        if ref == EXPOSED_VIEW:
            return "blueprint"  # an extension's view class, added to the app
        kind = self.project.kind_of(ref, module).kind
        if kind in ("flask-app", "blueprint"):
            return kind
        if kind == "unknown" and module.imports_flask and not _other_framework(module):
            return "unknown"
        return None

    # -- building ---------------------------------------------------------------------------

    def build(self) -> AppGraph:
        for module in self.project.modules:
            self.modules[module.path] = module
        self.modules = dict(sorted(self.modules.items()))
        entries = list(self._entries())
        for module, function, entry, entry_module in entries:
            key = (module.path, function.qualname)
            if entry.kind == "route":
                current = self.routes.get(key)
                self.routes[key] = RouteInfo(
                    module,
                    function,
                    (*(current.entries if current else ()), entry),
                    (*(current.entry_modules if current else ()), entry_module),
                )
        self._reach([(m, f, e) for m, f, e, _ in entries])
        self._apps()
        for key, reach in self.reached.items():
            prefix = self.url_prefix(reach.entry.receiver, reach.entry_module)
            if prefix:
                self.reached[key] = replace(reach, prefix=prefix)
        for module in list(self.modules.values()):
            facts = app_facts(module)
            if facts is None:
                continue
            for ref in facts.evicted:
                found = self.resolve(ref, module)
                if found is not None:
                    self.evicted.add((found[0].path, found[1]))
        return self

    def _entries(self) -> Iterator[tuple[ModuleFacts, FunctionApp, Entry, ModuleFacts]]:
        for module in self.project.modules:
            facts = app_facts(module)
            if facts is None:
                continue
            for function in facts.functions.values():
                for entry in function.entries:
                    # a GraphQL resolver is reached through the schema's view, not
                    # registered on an app itself
                    if (
                        entry.kind == "graphql"
                        or self.flask_receiver(entry.receiver, module) is not None
                    ):
                        yield module, function, entry, module
            for call in facts.call_entries:
                if self.flask_receiver(call.entry.receiver, module) is None:
                    continue
                target = self.resolve(call.target, module)
                if target is None:
                    continue
                owner, name = target
                owner_facts = app_facts(owner)
                if owner_facts is None:
                    continue
                if name in owner_facts.functions:
                    yield owner, owner_facts.functions[name], call.entry, module
                elif name in owner_facts.classes:
                    view = Entry("view", "view_func", "?", call.entry.span)
                    for method_module, method in self.class_methods(owner, name):
                        yield method_module, method, view, module
            for cls in facts.classes:
                if self.is_view_class(module, cls):
                    for method_module, method in self.class_methods(module, cls):
                        view = Entry("view", "MethodView", "?", method.span)
                        yield method_module, method, view, method_module

    def _reach(self, entries: list[tuple[ModuleFacts, FunctionApp, Entry]]) -> None:
        queue: deque[tuple[ModuleFacts, FunctionApp]] = deque()
        for module, function, entry in entries:
            key = (module.path, function.qualname)
            reach = Reach(module, function, entry)
            params = self.tainted.setdefault(key, set())
            # URL parameters: a route's arguments, a class-based view's get()/post()...
            if entry.kind == "route" or (
                entry.kind == "view" and function.qualname.rsplit(".", 1)[-1] in _VIEW_METHODS
            ):
                params.update(p for p in function.params if p not in ("self", "cls"))
            self.contexts[key] = None
            if key not in self.reached:
                self.reached[key] = reach
                queue.append((module, function))
            # a project decorator's inner wrapper runs on every request to the view; a
            # decorator factory's (@requires("admin")) is one level further in
            for deco_module, wrapper in self.decorator_wrappers(module, function):
                self._visit(deco_module, wrapper, reach, set(), queue, UNKNOWN_CALL)
        while queue:
            module, function = queue.popleft()
            key = (module.path, function.qualname)
            reach = self.reached[key]
            tainted = self.tainted.get(key, set())
            for call in function.calls:
                if not self.live(key, call.guards, function):
                    continue
                found = self.function(call.callee, module)
                if found is None:
                    continue
                callee_module, callee = found
                params = _tainted_params(call.args, tainted, callee, call.callee)
                self._visit(callee_module, callee, reach, params, queue, call.literals)

    def _visit(
        self,
        module: ModuleFacts,
        function: FunctionApp,
        reach: Reach,
        params: set[str],
        queue: deque[tuple[ModuleFacts, FunctionApp]],
        literals: CallLiterals,
    ) -> None:
        key = (module.path, function.qualname)
        known = self.tainted.setdefault(key, set())
        new = key not in self.reached or not params <= known
        known |= params
        contexts = self.contexts.get(key, set())
        if contexts is not None and literals not in contexts:
            new = True  # what was dead under the other calls may run under this one
            if (literals.consts or not literals.spread) and len(contexts) < _MAX_CONTEXTS:
                contexts.add(literals)
                self.contexts[key] = contexts
            else:
                self.contexts[key] = None
        self.reached.setdefault(key, reach)
        if new:
            queue.append((module, function))

    def live(self, key: FnKey, guards: frozenset[Guard], function: FunctionApp) -> bool:
        """Whether a path of a reached function can run: some way in does not rule
        out its guards."""
        if not guards:
            return True
        contexts = self.contexts.get(key)
        if contexts is None:
            return True
        params = tuple(p for p in function.params if p not in ("self", "cls"))
        return any(not refuted(guards, c, params, function.defaults) for c in contexts)

    def decorator_wrappers(
        self, module: ModuleFacts, function: FunctionApp
    ) -> Iterator[tuple[ModuleFacts, FunctionApp]]:
        """The functions nested in the project decorators on ``function``, at every
        depth: a decorator's wrapper runs on every call of what it decorates, a
        decorator factory's (``@requires("admin")``) one level further in."""
        for decorator in function.decorators:
            found = self.function(decorator, module)
            deco_facts = app_facts(found[0]) if found is not None else None
            if found is None or deco_facts is None:
                continue
            inner = list(found[1].nested)
            while inner:
                wrapper = deco_facts.functions.get(inner.pop())
                if wrapper is not None:
                    inner.extend(wrapper.nested)
                    yield found[0], wrapper

    def checks_form_token(self, module: ModuleFacts, function: FunctionApp, depth: int = 0) -> bool:
        """Validates a Flask-WTF form (which checks its CSRF token) itself, in the
        wrapper of a project decorator on it (``@api_login_required`` doing
        ``FlaskForm().validate()``), or in a project function it calls."""
        key = (module.path, function.qualname)
        if key in self._checks_token:
            return self._checks_token[key]
        self._checks_token[key] = function.validates_form  # recursion guard
        if function.validates_form or depth >= _MAX_DEPTH:
            return function.validates_form
        found = list(self.decorator_wrappers(module, function))
        for call in function.calls:
            callee = self.function(call.callee, module)
            if callee is not None:
                found.append(callee)
        result = any(self.checks_form_token(m, f, depth + 1) for m, f in found)
        self._checks_token[key] = result
        return result

    def reads_form(self, module: ModuleFacts, function: FunctionApp, depth: int = 0) -> bool:
        """Reads ``request.form``/``.files``/``.values`` itself or in a project function
        it calls (a view handing the parsing to a helper)."""
        key = (module.path, function.qualname)
        if key in self._reads_form:
            return self._reads_form[key]
        self._reads_form[key] = bool(function.form_reads)  # recursion guard
        if not function.form_reads and depth < _MAX_DEPTH:
            for call in function.calls:
                found = self.function(call.callee, module)
                if found is not None and self.reads_form(found[0], found[1], depth + 1):
                    self._reads_form[key] = True
                    break
        return self._reads_form[key]

    def is_request_data(self, labels: Labels, key: FnKey) -> bool:
        if REQUEST in labels:
            return True
        tainted = self.tainted.get(key, set())
        return any(label[6:] in tainted for label in labels if label.startswith("param:"))

    # -- apps and blueprints --------------------------------------------------------------

    def _apps(self) -> None:
        for module in list(self.modules.values()):
            facts = app_facts(module)
            if facts is None:
                continue
            for construction in facts.constructions:
                kind = self.project.kind_of(f"call:{construction.callee}", module).kind
                last = construction.callee.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
                if kind == "flask-app" and not module.is_test:
                    self.apps.append(AppSite(module, construction))
                elif (kind == "blueprint" or "Blueprint" in last) and not construction.scope:
                    name = construction.target.partition(":")[2]
                    if construction.target.startswith("global:"):
                        self.blueprints[(module.path, name)] = (module, construction)
        for module in list(self.modules.values()):
            facts = app_facts(module)
            if facts is None:
                continue
            for index, registration in enumerate(facts.registrations):
                if registration.dynamic:
                    self.dynamic_registrations.append((module, registration))
                for ref in registration.blueprints:
                    found = self.resolve(ref, module)
                    if found is not None:
                        key = (found[0].path, found[1])
                        self.registered.setdefault(key, []).append((module, registration, index))
        for key, route in self.routes.items():
            for entry, entry_module in zip(route.entries, route.entry_modules, strict=True):
                found = self.resolve(entry.receiver, entry_module)
                if found is not None and (found[0].path, found[1]) in self.blueprints:
                    self.blueprint_routes.setdefault((found[0].path, found[1]), []).append(key)

    def url_prefix(self, receiver: Ref, module: ModuleFacts) -> str:
        """The URL prefix of the blueprint ``receiver`` names: what every registration
        of it gives (when they agree), else what its constructor gives; "" when none is
        known (an app, no prefix, one that is not a literal)."""
        found = self.resolve(receiver, module) if receiver else None
        key = (found[0].path, found[1]) if found is not None else None
        if key is None or key not in self.blueprints:
            return ""
        given = {r.url_prefix for _, r, _ in self.registered.get(key, ()) if r.url_prefix}
        if not given:
            given = {self.blueprints[key][1].url_prefix or ""}
        prefix = given.pop() if len(given) == 1 else ""
        return "" if prefix == "?" else prefix

    def route_path(self, route: RouteInfo) -> str:
        """A route's URL rule with its blueprint's prefix (the first entry's)."""
        for entry, module in zip(route.entries, route.entry_modules, strict=True):
            if entry.path:
                return prefixed(self.url_prefix(entry.receiver, module), entry.path)
        return ""

    def app_of(self, path: str) -> AppSite | None:
        """The app a module belongs to: the one made nearest to it in the tree."""
        if path in self._app_of:
            return self._app_of[path]
        best: AppSite | None = None
        best_score = -1
        for site in self.apps:
            score = 2 * _shared_dirs(site.module.path, path) + (site.module.path == path)
            if score > best_score:
                best, best_score = site, score
        if self.apps:  # memoised once every app site is known
            self._app_of[path] = best
        return best

    def app_key(self, path: str) -> str:
        site = self.app_of(path)
        if site is None:
            return ""
        return _app_identity(site)

    def registration_order(self, route: RouteInfo) -> int:
        """The position of the route's blueprint among the registrations (app routes 0)."""
        for entry, entry_module in zip(route.entries, route.entry_modules, strict=True):
            found = self.resolve(entry.receiver, entry_module)
            if found is None:
                continue
            registered = self.registered.get((found[0].path, found[1]))
            if registered:
                return 1 + min(index for _, _, index in registered)
            if (found[0].path, found[1]) in self.blueprints:
                return 10_000
        return 0

    def load_settings_modules(self, ctx: ScanContext) -> None:
        """Parse the Python files the scan's prefilter skipped that set cookie, CSRF or
        URL-map options (a config module with no other keyword in it)."""
        analysed = {module.path for module in self.project.modules}
        for source in ctx.files:
            if source.kind is not FileKind.PYTHON or source.rel in analysed:
                continue
            data = _peek(ctx, source)
            if data is None or not any(needle in data for needle in _SETTINGS_BYTES):
                continue
            module = self.project.find_module(module_name(source.rel))
            if module is not None and module.path == source.rel:
                self.modules[module.path] = module

    def module_texts_mention(self, ctx: ScanContext, needles: tuple[bytes, ...]) -> bool:
        """A cheap byte search of every discovered file the analysis did not parse (a
        header set in a module no rule needed, in a template's meta tag, or by the
        reverse proxy's committed config); test code does not count."""
        parsed = {path for path, module in self.modules.items() if app_facts(module)}
        for source in ctx.files:
            if source.rel in parsed or source.kind is FileKind.LOCKFILE:
                continue
            if source.kind is FileKind.PYTHON and is_test_path(source.rel):
                continue  # a test asserting a header is absent sets none
            data = _peek(ctx, source)
            lowered = data.lower() if data is not None else b""
            if any(needle in lowered for needle in needles):
                return True
        return False


def _peek(ctx: ScanContext, source: SourceFile) -> bytes | None:
    """The first bytes of a file: from the scan's memory (every file is read once),
    or from disk for one the scan did not keep (over the size limit)."""
    data = ctx.read(source)
    if data is not None:
        return data[:_PEEK_BYTES]
    try:
        with open(source.path, "rb") as handle:
            return handle.read(_PEEK_BYTES)
    except OSError:
        return None


def header_evidence_bytes() -> tuple[bytes, ...]:
    return _HEADER_BYTES


def app_graph(ctx: ScanContext) -> AppGraph:
    """The graph for this scan, built once and shared by the FW4-FW6 rules."""
    graph = ctx.cache.get("appfacts.graph")
    if isinstance(graph, AppGraph) and graph.project is ctx.project:
        return graph
    graph = AppGraph(ctx.project)
    graph.load_settings_modules(ctx)
    graph.build()
    ctx.cache["appfacts.graph"] = graph
    return graph


def _tainted_params(
    args: tuple[tuple[str, Labels], ...], tainted: set[str], callee: FunctionApp, ref: Ref
) -> set[str]:
    """The callee's parameters that receive request data at this call."""
    found: set[str] = set()
    params = list(callee.params)
    offset = 0
    if callee.class_name and params and params[0] in ("self", "cls"):
        offset = 1
    for key, labels in args:
        if not (
            REQUEST in labels
            or any(label[6:] in tainted for label in labels if label.startswith("param:"))
        ):
            continue
        if key.isdigit():
            index = int(key) + offset
            if index < len(params):
                found.add(params[index])
        elif key in params:
            found.add(key)
    return found


def _defines(module: ModuleFacts, name: str) -> bool:
    facts = app_facts(module)
    return (
        name in module.bindings
        or name in module.functions
        or name in module.classes
        or (facts is not None and (name in facts.functions or name in facts.classes))
    )


def _other_framework(module: ModuleFacts) -> bool:
    return any(q.split(".")[0] in _OTHER_FRAMEWORKS for q in module.imports.values())


def _shared_dirs(a: str, b: str) -> int:
    parts_a = a.split("/")[:-1]
    parts_b = b.split("/")[:-1]
    n = 0
    while n < min(len(parts_a), len(parts_b)) and parts_a[n] == parts_b[n]:
        n += 1
    return n


def _app_identity(site: AppSite) -> str:
    return f"{site.module.path}:{site.construction.scope}:{site.construction.target}"
