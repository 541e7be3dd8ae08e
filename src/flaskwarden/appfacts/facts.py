"""Facts about one module's Flask application structure and request-time behaviour.

Produced per file by :mod:`flaskwarden.appfacts.analyzer` (in the worker processes,
cached with the module facts), joined across modules by :mod:`flaskwarden.appfacts.graph`.
Frozen and picklable: no AST node is kept.

References use the module facts' form (``global:name``, ``local:<function>:<name>``,
``param:<function>:<name>``, ``import:pkg.mod.name``), so the project model can say
what they are. Calls use ``fn:<qualname>`` for a function or method of the same module.

*Labels* say where a value may come from: ``request`` (request data), or
``param:<name>`` (a parameter of the enclosing function, resolved across calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from flaskwarden.python.facts import Ref, Span
from flaskwarden.python.guards import NO_GUARDS, UNKNOWN_CALL, CallLiterals, Guard

Labels = frozenset[str]
REQUEST: str = "request"


# The receiver of a route exposed on a Flask-AppBuilder / Flask-Admin view class
# (`@expose("/x")`): served by the app once the view is added to it.
EXPOSED_VIEW: Final = "exposed:view"


@dataclass(frozen=True)
class Entry:
    """A way Flask calls a function per request: a route, a hook, an error handler.

    ``methods`` is ``None`` when the route's methods are not a literal list; ``()``
    when none are given (``route``: GET only).
    """

    kind: str  # "route", "hook", "errorhandler", "template", "graphql" (a resolver)
    attr: str  # route, post, before_request, errorhandler, ...
    receiver: Ref
    span: Span
    methods: tuple[str, ...] | None = ()
    path: str = ""


@dataclass(frozen=True)
class CallEntry:
    """``app.add_url_rule(rule, view_func=f)``, ``app.before_request(f)``, ...: the
    call form of an :class:`Entry`, naming the function by reference."""

    entry: Entry
    target: Ref  # global:f, import:pkg.views.f, fn:<qualname> (a nested function)


@dataclass(frozen=True)
class CallSite:
    """A call from a function to (possibly) project code, with the labels each
    argument carries (positional index or keyword name)."""

    callee: Ref
    args: tuple[tuple[str, Labels], ...]
    span: Span
    literals: CallLiterals = UNKNOWN_CALL  # for deciding the callee's guards
    guards: frozenset[Guard] = NO_GUARDS  # the caller makes this call only on this path


@dataclass(frozen=True)
class Growth:
    """A module-level container grown in a function: ``cache[k] = v``, ``.append(v)``."""

    target: Ref  # global:cache or import:pkg.state.cache
    op: str  # "[k] = ...", "append", "add", "update", "setdefault", ...
    labels: Labels  # where the key (or the appended value) comes from
    always: bool  # grows on every call whatever the value (list.append)
    span: Span


@dataclass(frozen=True)
class GlobalWrite:
    """``global x`` in a function that then assigns ``x``."""

    names: tuple[str, ...]
    span: Span  # the ``global`` statement
    assigned: tuple[Span, ...]


@dataclass(frozen=True)
class Blocking:
    """A call that holds the worker: ``time.sleep``, ``subprocess.run`` without a
    timeout, outbound HTTP without a timeout."""

    # "sleep", "subprocess", "command" (os.system, os.popen: no timeout can be passed),
    # "http"
    kind: str
    what: str
    span: Span
    # a sleep: its literal duration in seconds (None: not a literal), and whether it
    # is in a `while` loop (polling)
    seconds: float | None = None
    polling: bool = False
    guards: frozenset[Guard] = NO_GUARDS  # made only on this path of the function


@dataclass(frozen=True)
class MethodTest:
    """A branch on ``request.method`` (or on ``form.validate_on_submit()``)."""

    methods: tuple[str, ...]
    span: Span
    text: str


@dataclass(frozen=True)
class CacheDecorator:
    """``functools.cache`` / ``lru_cache(maxsize=None)`` (unbounded) on a function."""

    what: str
    span: Span


@dataclass(frozen=True)
class FunctionApp:
    """What one function (or method) does that the FW4-FW6 rules ask about."""

    qualname: str
    span: Span
    is_async: bool
    params: tuple[str, ...]
    class_name: str | None
    entries: tuple[Entry, ...] = ()
    # Project decorators on the function (their nested wrappers run per request).
    decorators: tuple[Ref, ...] = ()
    cache: CacheDecorator | None = None
    calls: tuple[CallSite, ...] = ()
    global_writes: tuple[GlobalWrite, ...] = ()
    grows: tuple[Growth, ...] = ()
    # Containers this function checks with len() and evicts from or clears.
    bounded: frozenset[str] = frozenset()
    blocking: tuple[Blocking, ...] = ()
    method_tests: tuple[MethodTest, ...] = ()
    form_reads: tuple[Span, ...] = ()
    # Reads an Authorization/token header, or is decorated for token auth.
    token_auth: bool = False
    # Validates a Flask-WTF form (form.validate_on_submit(), a *Form's .validate()),
    # which checks that form's CSRF token.
    validates_form: bool = False
    # `return render_template(...)` after a write, on the POST path.
    post_renders: tuple[Span, ...] = ()
    # Module-level names used as a database connection (conn.execute(...)).
    connection_uses: tuple[Ref, ...] = ()
    csrf_exempt: Span | None = None
    nested: tuple[str, ...] = ()  # qualnames of functions defined inside this one
    defaults: tuple[tuple[str, object], ...] = ()  # literal parameter defaults


@dataclass(frozen=True)
class Container:
    """A module-level ``dict``/``list``/``set`` (``bounded`` for ``deque(maxlen=...)``,
    cachetools caches and the like)."""

    name: str
    kind: str
    bounded: bool
    span: Span


@dataclass(frozen=True)
class WeakStore:
    """A value put into a weak container whose type cannot be weakly referenced."""

    container: Ref
    value: str  # what the value is: "a str", "request data (str)", ...
    certain: bool
    span: Span


@dataclass(frozen=True)
class Connection:
    """A module-level database connection."""

    name: str
    driver: str
    shared_flag: bool  # check_same_thread=False
    span: Span


@dataclass(frozen=True)
class Construction:
    """``x = Something(...)`` that may make a Flask app or a blueprint."""

    callee: Ref
    target: Ref
    span: Span
    scope: str
    # url_prefix="/admin" given to it (a Blueprint); None when not given, "?" when not
    # a literal
    url_prefix: str | None = None


@dataclass(frozen=True)
class Registration:
    """``x.register_blueprint(bp)``: the blueprint refs it may register (``dynamic``
    when they cannot be named: a loop over a computed list, a parameter, a call)."""

    receiver: Ref
    blueprints: tuple[Ref, ...]
    dynamic: bool
    span: Span
    url_prefix: str | None = None  # as for Construction


@dataclass(frozen=True)
class Setting:
    """A Flask setting given a literal value: class attribute, module constant,
    ``app.config[...]``, ``config.update(...)``."""

    key: str
    value: object
    span: Span
    owner: str  # class name, "" for module level, function qualname for code
    form: str  # "class", "module", "config"
    # Under `if app.testing:`/`if app.debug:` or in a development/testing branch.
    dev_guarded: bool = False


@dataclass(frozen=True)
class SetCookie:
    """``response.set_cookie(name, value, ...)``."""

    name: str
    sensitive: str  # why the cookie looks sensitive ("" if it does not)
    missing: tuple[str, ...]  # of secure, httponly, samesite (absent or off)
    span: Span


@dataclass(frozen=True)
class ViewClass:
    """A class whose methods Flask calls per request (``MethodView``, ``Resource``
    subclasses, or a class passed as ``view_func``)."""

    name: str
    bases: tuple[Ref, ...]
    methods: tuple[str, ...]  # qualnames


@dataclass
class AppFacts:
    """Everything the FW4-FW6 rules need from one module."""

    functions: dict[str, FunctionApp] = field(default_factory=dict)
    call_entries: list[CallEntry] = field(default_factory=list)
    classes: dict[str, ViewClass] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    # Containers (refs) some code of this module clears or removes entries from.
    evicted: set[Ref] = field(default_factory=set)
    weak_containers: dict[str, Span] = field(default_factory=dict)  # name -> creation
    weak_kinds: dict[str, str] = field(default_factory=dict)  # name -> class name
    weak_stores: list[WeakStore] = field(default_factory=list)
    connections: dict[str, Connection] = field(default_factory=dict)
    constructions: list[Construction] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    # module-level names holding an instance of a project class: client -> fn:RatesClient
    instances: dict[str, Ref] = field(default_factory=dict)
    strict_slashes: list[tuple[Ref, Span]] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    cookies: list[SetCookie] = field(default_factory=list)
    # Renders templates (serves HTML pages to browsers).
    renders: bool = False
    # Security header names found in string literals (lower case).
    headers: set[str] = field(default_factory=set)
    talisman: bool = False
    # CSRF protection in use: "Flask-WTF", "SeaSurf", "csrf function check_csrf", ...
    csrf: list[str] = field(default_factory=list)
    # csrf.exempt(api_bp), csrf.exempt(view): what is exempted, and where
    csrf_exemptions: list[tuple[Ref, Span]] = field(default_factory=list)
    # Cookie sessions or Flask-Login in use: what shows it ("flask.session", ...).
    sessions: str = ""
