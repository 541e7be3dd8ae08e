"""Facts extracted from one Python module: small, frozen, picklable.

The analyzer (:mod:`flaskwarden.python.analyze`) turns source into these; the project
model (:mod:`flaskwarden.model`) joins them across modules; rules read both. Nothing
here refers to an AST node, so facts can cross process boundaries and be cached.

References to names are strings of the form ``kind:payload``:

- ``local:<function>:<name>`` a name bound inside a function,
- ``global:<name>`` a name bound at module level of this module,
- ``import:<qualified.name>`` an imported name (``import:flask.Flask``),
- ``param:<function>:<name>`` a parameter of a function,
- ``self:<Class>`` the instance in a method of a module-level class, and
  ``self:<Class>.<attr>`` an attribute of it (bound as ``bindings["self:C.attr"]``),
- ``?`` anything the analyzer cannot name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from flaskwarden.python.evaluate import Value

Ref = str
UNNAMED: Ref = "?"


@dataclass(frozen=True)
class Span:
    """Where a fact is in the file, with the first line of its source for snippets."""

    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str


def span_of(node: object, lines: list[str], max_snippet: int = 200) -> Span:
    """The :class:`Span` of an AST node, with its first source line as snippet."""
    line = getattr(node, "lineno", 1)
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return Span(
        line,
        getattr(node, "col_offset", 0) + 1,
        getattr(node, "end_lineno", None) or line,
        (getattr(node, "end_col_offset", None) or 0) + 1,
        text[:max_snippet],
    )


def source_lines(text: str) -> list[str]:
    """``text`` split into lines as :func:`ast.get_source_segment` splits it (on
    ``\\r\\n``, ``\\r`` and ``\\n`` only, line ends kept): once per file, for
    :func:`source_segment`."""
    return list(io.StringIO(text, newline=""))


def parser_lines(text: str) -> list[str]:
    """``text``'s lines as the parser numbers them, without line ends: unlike
    ``str.splitlines`` not broken at form feeds, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``,
    ``\\u2028`` or ``\\u2029``, so ``lines[node.lineno - 1]`` is the node's line."""
    return [line.rstrip("\r\n") for line in source_lines(text)]


def source_segment(lines: list[str], node: object) -> str | None:
    """:func:`ast.get_source_segment` over lines from :func:`source_lines`, without
    splitting the whole file again for every call."""
    lineno = getattr(node, "lineno", None)
    end_lineno = getattr(node, "end_lineno", None)
    col = getattr(node, "col_offset", None)
    end_col = getattr(node, "end_col_offset", None)
    if lineno is None or end_lineno is None or col is None or end_col is None:
        return None
    first, last = int(lineno) - 1, int(end_lineno) - 1
    start, end = int(col), int(end_col)
    if not (0 <= first <= last < len(lines)):
        return None
    if first == last:
        return lines[first].encode()[start:end].decode()
    head = lines[first].encode()[start:].decode()
    tail = lines[last].encode()[:end].decode()
    return "".join([head, *lines[first + 1 : last], tail])


@dataclass(frozen=True)
class Origin:
    """What a name was bound to: a call (``callee`` is a ref), another name, or other."""

    kind: Literal["call", "alias", "other"]
    ref: Ref = UNNAMED


# Where a statement runs relative to import: at import time, only under the main
# guard, in the else branch of the main guard (import time), or inside a function.
Context = Literal["import", "main", "main-else", "function"]


@dataclass(frozen=True)
class Gate:
    """An enclosing ``if`` whose test reads constants of other modules
    (``if settings.FLASK_DEBUG == "False":``). One file's analysis cannot tell whether
    such a branch runs when no environment variable is set; the project model can, once
    it has looked the constants up (:meth:`flaskwarden.model.Project.gated_off`)."""

    test: str  # the test as source, each such constant renamed to a placeholder (_fw0)
    refs: tuple[tuple[str, Ref], ...]  # placeholder -> the constant it stands for
    branch: bool  # True: the if's body (runs when the test is true); False: its else


# Flask-Script's development-server command (Flask-Script 2.0, and the old flask.ext
# namespace): `manage.py runserver` runs app.run() through it.
SCRIPT_SERVERS: Final = frozenset(
    {"flask_script.Server", "flask_script.commands.Server", "flask.ext.script.Server"}
)


@dataclass(frozen=True)
class RunCall:
    """``<receiver>.run(...)``: possibly the Flask development server."""

    receiver: Ref
    scope: str
    context: Context
    kwargs: dict[str, Value]
    kwarg_spans: dict[str, Span]
    span: Span
    positional_app: Ref | None = None  # socketio.run(app, ...)
    # Arguments the analyzer could not evaluate but can name (`debug=settings.DEBUG`,
    # an imported constant): the model resolves them across modules.
    kwarg_refs: dict[str, Ref] = field(default_factory=dict)
    # Inside `if <env lookup>:` that is false when no variable is set (off by default).
    env_gated: bool = False
    # Enclosing ifs that read other modules' constants: the model decides (see Gate).
    gates: tuple[Gate, ...] = ()
    # Not a call that runs the server but a Flask-Script command object
    # (`manager.add_command("runserver", Server(host=...))`): the server starts when
    # `manage.py <command>` is run. The name it is registered under ("" when not
    # known); None for every other run call. The receiver is then `call:<the class>`.
    command: str | None = None


@dataclass(frozen=True)
class ConfigWrite:
    """A configuration key set on an app: ``app.config["K"] = v``, ``app.debug = v`` ..."""

    receiver: Ref
    scope: str
    key: str
    value: Value
    span: Span
    form: str
    value_ref: Ref = UNNAMED  # when the value is a name from another module
    env_gated: bool = False  # see RunCall.env_gated
    gates: tuple[Gate, ...] = ()  # see RunCall.gates


@dataclass(frozen=True)
class ConfigLoad:
    """``app.config.from_object(...)`` / ``from_pyfile(...)`` and what it names."""

    receiver: Ref
    method: str
    target: Ref
    target_text: str
    span: Span
    # Classes named as values of a dict that the target subscripts (config[name]).
    candidates: tuple[Ref, ...] = ()
    # The subscripted dict when it lives in another module (from config import config).
    mapping: Ref = UNNAMED


@dataclass(frozen=True)
class Assigned:
    """A value bound to an upper-case name (module constant or class attribute)."""

    value: Value
    span: Span


@dataclass(frozen=True)
class ClassFacts:
    name: str
    bases: tuple[Ref, ...]
    attrs: dict[str, Assigned]
    span: Span
    # Attributes hashed on the way in: a property setter (@password.setter), or an
    # __init__ parameter passed to a hash function (generate_password_hash(password)).
    hashed_attrs: tuple[str, ...] = ()
    # Class attributes that are descriptor instances (`password = PasswordProperty(...)`):
    # attribute -> ref of the descriptor class. A descriptor class whose __set__ hashes
    # lists "__set__" in its hashed_attrs.
    descriptors: tuple[tuple[str, Ref], ...] = ()


@dataclass(frozen=True)
class Decorator:
    """A decorator: its callee ref (``import:flask_login.login_required``), the
    attribute it ends in (``route``) and the receiver ref when it is ``x.attr(...)``."""

    ref: Ref
    attr: str
    receiver: Ref
    text: str
    args: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Usage:
    """A notable use inside a function body (for diagnostic-endpoint detection)."""

    what: str
    span: Span


@dataclass(frozen=True)
class FunctionFacts:
    qualname: str
    span: Span
    params: tuple[str, ...]
    decorators: tuple[Decorator, ...]
    returns: tuple[Origin, ...]
    calls: tuple[str, ...]  # names of module-level functions this one calls
    usages: tuple[Usage, ...] = ()
    auth_checked: bool = False
    is_async: bool = False


@dataclass(frozen=True)
class UrlRule:
    """``app.add_url_rule("/path", view_func=view)``: a route without a decorator."""

    receiver: Ref
    path: str
    function: str  # qualname in this module
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """A local observation a rule turns into a finding (e.g. a DSN with a password)."""

    kind: str
    span: Span
    detail: str = ""
    scope: str = ""
    ref: Ref = UNNAMED  # what the event is about, when the model must judge it
    main: bool = False  # in the module's `if __name__ == "__main__":` block


@dataclass(eq=False)
class ModuleFacts:
    """Everything the rules need from one Python file.

    Compared by identity: two facts objects are the same module only if they are
    the same object (a field-by-field comparison would walk whole modules).
    """

    path: str
    module: str
    is_test: bool = False
    imports_flask: bool = False
    imports: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, list[Origin]] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    constants: dict[str, Assigned] = field(default_factory=dict)
    import_time_calls: list[str] = field(default_factory=list)
    run_calls: list[RunCall] = field(default_factory=list)
    config_writes: list[ConfigWrite] = field(default_factory=list)
    config_loads: list[ConfigLoad] = field(default_factory=list)
    url_rules: list[UrlRule] = field(default_factory=list)
    # Module-level dicts of names: config = {"production": ProductionConfig, ...}.
    mappings: dict[str, tuple[Ref, ...]] = field(default_factory=dict)
    # Their string keys, in the same order ("" for a key that is not a literal).
    mapping_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Literal defaults of environment lookups: os.getenv("FLASK_CONFIG") or "default",
    # os.environ.get("APP_ENV", "production") (a setting chosen by name, a mapping key).
    env_defaults: dict[str, set[str]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    # Environment variables the module reads (os.environ[...], .get, getenv, ...).
    env_reads: set[str] = field(default_factory=set)
    # Module-level names bound to a proxy of Flask's request:
    # request = LocalProxy(lambda: flask.request) (the taint engine's sources).
    request_proxies: set[str] = field(default_factory=set)
    # Secret key literals the module refuses to start with (`if app.secret_key ==
    # "CHANGE ME": sys.exit(...)`): a default that fails fast, not a key in use.
    refused_secrets: set[object] = field(default_factory=set)
    # Line -> codes suppressed on the logical statement covering that line.
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)
    # Upper-case names used in suppression comments that are not catalog codes.
    suppression_problems: list[tuple[int, str]] = field(default_factory=list)
    # Results of the extra analyzers (python.source.EXTRA_ANALYZERS): the taint
    # summaries (taint.engine.ModuleTaint) and the app facts (appfacts.AppFacts).
    taint: Any = None
    app: Any = None
