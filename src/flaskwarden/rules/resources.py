"""FW5: concurrency and resources in code that runs per request.

A Flask worker serves many requests, often on several threads at once, for days. What
a view leaves in a module-level container stays there; what it writes to a module
global, every other thread sees; what it waits for, it waits for holding the worker.
These rules follow the request path (routes, hooks, error handlers, GraphQL resolvers
and the project functions they call, see :mod:`flaskwarden.appfacts.graph`) and judge
bounds by what the code does (``lru_cache(maxsize=N)``, ``deque(maxlen=N)``, a ``len()``
check, eviction), not by names.
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskwarden.appfacts.facts import Blocking, FunctionApp, WeakStore
from flaskwarden.appfacts.graph import AppGraph, FnKey, Reach, app_facts, app_graph
from flaskwarden.findings import Confidence, Finding
from flaskwarden.python.facts import ModuleFacts
from flaskwarden.rules import ScanContext, location, make_finding, project_rule


def _reached(graph: AppGraph) -> Iterator[tuple[ModuleFacts, FunctionApp, Reach, FnKey]]:
    """Every function that runs per request, in a stable order."""
    for key in sorted(graph.reached):
        module = graph.modules.get(key[0])
        facts = app_facts(module)
        if module is None or facts is None or module.is_test:
            continue
        function = facts.functions.get(key[1])
        if function is not None:
            yield module, function, graph.reached[key], key


def _blocking_calls(
    graph: AppGraph,
) -> Iterator[tuple[ModuleFacts, FunctionApp, Reach, Blocking]]:
    """Blocking calls made per request (not on a path every caller rules out)."""
    for module, function, reach, key in _reached(graph):
        for call in function.blocking:
            if graph.live(key, call.guards, function):
                yield module, function, reach, call


def _where(function: FunctionApp, reach: Reach) -> str:
    """`in view search() (GET /search)` or `in helper(), reached from view ...`."""
    if reach.entry_function is function:
        return f"in {reach.describe()}"
    return f"in {function.qualname}(), reached from {reach.describe()}"


@project_rule("FW501")
def unbounded_request_cache(ctx: ScanContext) -> Iterator[Finding]:
    """A module-level container that grows with request data and is never trimmed.

    ## What it does
    Finds module-level `dict`, `list` and `set` objects (also `defaultdict`,
    `OrderedDict`, `Counter`, `deque()` without `maxlen`) that code running per request
    grows: `cache[key] = ...`, `.setdefault(key, ...)`, `.update(...)` or `.add(key)`
    with a key that comes from the request (directly, or through the arguments of the
    project functions a view calls), and `.append(...)`, which grows on every call.
    Also `functools.cache` / `lru_cache(maxsize=None)` on a function a view calls with
    request data. Not reported: `lru_cache(maxsize=N)`, `deque(maxlen=N)`, cachetools
    and Flask-Caching caches, a container the same function checks with `len()`, one
    that code anywhere clears or removes entries from, a store under a key the code
    has just found in that container (`if name in prices: prices[name] = ...`), and
    code only a script or module level runs.

    ## Why is this bad?
    The worker process lives for days. Every distinct search term, user agent or id an
    attacker sends adds an entry that is never freed: memory grows until the OOM killer
    restarts the worker (CWE-770). Seed 002's `/leak` cache is this bug.

    ## Example
    ```python
    from flask import Flask, request

    app = Flask(__name__)
    cache = {}


    @app.route("/leak")
    def memory_leak():
        cache[request.args.get("key")] = request.args.get("value")
        return "Cached"
    ```

    ## Use instead
    ```python
    import functools

    from flask import Flask, request

    app = Flask(__name__)


    @functools.lru_cache(maxsize=1024)
    def lookup(key):
        return key.upper()


    @app.route("/cached")
    def cached():
        return lookup(request.args.get("key", ""))
    ```

    ## Fix safety
    No automatic fix: choose a bound (`maxsize`, a TTL) or an external cache (Redis via
    Flask-Caching), which also shares entries between workers.

    ## References
    - CWE-770: Allocation of Resources Without Limits or Throttling
    - https://docs.python.org/3/library/functools.html#functools.lru_cache
    - https://flask-caching.readthedocs.io/
    """
    graph = app_graph(ctx)
    seen: set[tuple[str, int]] = set()
    for module, function, reach, key in _reached(graph):
        for growth in function.grows:
            found = graph.resolve(growth.target, module)
            if found is None:
                continue
            owner, name = found
            facts = app_facts(owner)
            container = facts.containers.get(name) if facts is not None else None
            if container is None or container.bounded or (owner.path, name) in graph.evicted:
                continue
            if growth.target in function.bounded:
                continue
            from_request = graph.is_request_data(growth.labels, key)
            if not (growth.always or from_request):
                continue
            if (module.path, growth.span.line) in seen:
                continue
            seen.add((module.path, growth.span.line))
            how = (
                "gains an entry on every call"
                if growth.always
                else "gains an entry per distinct request value"
            )
            where = "" if owner is module else f" in {owner.path}"
            yield make_finding(
                "FW501",
                module,
                growth.span,
                f"{name} (a module-level {container.kind}{where}, line {container.span.line}) "
                f"{how} here ({growth.op}) {_where(function, reach)}, and nothing removes "
                "entries: the worker's memory grows until it is killed. Bound it: "
                "functools.lru_cache(maxsize=N), cachetools.LRUCache/TTLCache, or "
                "Flask-Caching.",
                related=[location(owner, container.span, f"{name} is created here")],
            )
    yield from _unbounded_cache_decorators(graph)


def _unbounded_cache_decorators(graph: AppGraph) -> Iterator[Finding]:
    for key in sorted(graph.tainted):
        if not graph.tainted[key] or key not in graph.reached:
            continue
        module = graph.modules.get(key[0])
        facts = app_facts(module)
        function = facts.functions.get(key[1]) if facts is not None else None
        if module is None or function is None or function.cache is None or module.is_test:
            continue
        params = ", ".join(sorted(graph.tainted[key]))
        yield make_finding(
            "FW501",
            module,
            function.cache.span,
            f"{function.cache.what} on {function.qualname}() keeps one result per distinct "
            f"argument forever, and per-request code passes it request data ({params}; "
            f"{graph.reached[key].describe()}): memory grows with every new value. Use "
            "functools.lru_cache(maxsize=N).",
        )


@project_rule("FW502")
def per_request_global(ctx: ScanContext) -> Iterator[Finding]:
    """A module global assigned by code that runs per request.

    ## What it does
    Finds `global x` in a view, a hook (`before_request`, `before_app_request`, ...), an
    error handler or a project function they call, followed by an assignment to `x`
    (`x = ...`, `x += 1`). Assignments under a test of the same name (`if _client is
    None: _client = make()`, a one-time initialisation) are not reported, nor are the
    writes of a function guarded by a flag (`if _ready: return _x` before `_ready =
    True`); neither are `g.x = ...` and `session[...] = ...`, which are per request by
    design.

    ## Why is this bad?
    Production servers run several requests at once on threads of one process (gunicorn
    `--threads`, uWSGI, waitress, the dev server). A module global is one value for all
    of them: a request can read the user another request just stored, and `x += 1`
    loses updates (race condition, CWE-362). Seed 002's `global current_user` is this.

    ## Example
    ```python
    from flask import Flask, request

    app = Flask(__name__)
    current_user = None


    @app.before_request
    def set_current_user():
        global current_user
        current_user = request.args.get("user")


    @app.route("/data")
    def get_data():
        return f"Data for {current_user}"
    ```

    ## Use instead
    ```python
    from flask import Flask, g, request

    app = Flask(__name__)


    @app.before_request
    def set_request_data():
        g.user = request.args.get("user")


    @app.route("/data")
    def get_data():
        return {"user": g.user}
    ```

    ## Fix safety
    No automatic fix: move the value to `flask.g` (per request), the session (per
    user) or a shared store with atomic updates (Redis `INCR`, a database).

    ## References
    - CWE-362: Concurrent Execution using Shared Resource with Improper Synchronization
    - https://flask.palletsprojects.com/en/stable/appcontext/#storing-data
    """
    graph = app_graph(ctx)
    for module, function, reach, _ in _reached(graph):
        for write in function.global_writes:
            names = ", ".join(write.names)
            lines = ", ".join(str(s.line) for s in write.assigned)
            yield make_finding(
                "FW502",
                module,
                write.span,
                f"global {names} is assigned per request (line {lines}) "
                f"{_where(function, reach)}: every thread of the worker shares it, so "
                "concurrent requests see and overwrite each other's value. Keep "
                "per-request state on flask.g (g.x = ...) or in the session.",
                related=[location(module, s, f"{names} assigned here") for s in write.assigned],
            )


@project_rule("FW503")
def blocking_view(ctx: ScanContext) -> Iterator[Finding]:
    """A call that holds the worker: `time.sleep`, a subprocess without a timeout.

    ## What it does
    Finds `time.sleep(...)` and `subprocess.run/call/check_call/check_output(...)` (and
    `Popen.wait()`/`.communicate()`) without `timeout=`, and commands that cannot take
    one (`os.system`, `os.popen(...).read()`, `subprocess.getoutput`), in code that
    runs per request: a view, a hook, or a project function they call. Polling loops
    are found by their sleep, however short; a single pause under a second (a retry
    back-off) is not reported.

    ## Why is this bad?
    A sync Flask view holds one worker (a process or thread) until it returns. A few
    requests that sleep, or one hung command, exhaust the pool and every other user gets
    timeouts (thread-pool exhaustion, CWE-400). Seed 002's `/slow` view is this.

    ## Example
    ```python
    import time

    from flask import Flask

    app = Flask(__name__)


    @app.route("/slow")
    def slow_request():
        time.sleep(10)
        return "Done"
    ```

    ## Use instead
    ```python
    import subprocess

    from flask import Flask

    app = Flask(__name__)


    @app.route("/version")
    def version():
        done = subprocess.run(["git", "describe"], capture_output=True, timeout=5)
        return done.stdout
    ```

    ## Fix safety
    No automatic fix: pass `timeout=`, or move slow work to a task queue (Celery, RQ)
    and let the page poll for the result; rate-limit logins instead of sleeping.

    ## References
    - CWE-400: Uncontrolled Resource Consumption
    - https://docs.python.org/3/library/subprocess.html#subprocess.run
    - https://docs.gunicorn.org/en/stable/design.html#how-many-workers
    """
    graph = app_graph(ctx)
    for module, function, reach, call in _blocking_calls(graph):
        if call.kind == "sleep":
            if call.seconds is not None and call.seconds < 1 and not call.polling:
                continue  # a short pause (a retry back-off), not a held worker
            why = (
                "polls in a loop, sleeping while holding the worker"
                if call.polling
                else "sleeps while holding the worker"
            )
            fix = (
                "Do not sleep in a request: rate-limit (Flask-Limiter) or move the "
                "wait to a background job."
            )
        elif call.kind == "subprocess":
            why = "waits for a command with no timeout; a hung command holds the worker"
            fix = "Pass timeout=..., or run it in a task queue (Celery, RQ)."
        elif call.kind == "command":
            why = "waits for a command that takes no timeout; a hung command holds the worker"
            fix = (
                "Run it with subprocess.run([...], timeout=...) instead, or in a task "
                "queue (Celery, RQ)."
            )
        else:
            continue
        yield make_finding(
            "FW503",
            module,
            call.span,
            f"{call.what} {_where(function, reach)} {why}: a few such requests exhaust "
            f"the server's workers and everyone else waits. {fix}",
        )


@project_rule("FW504")
def http_without_timeout(ctx: ScanContext) -> Iterator[Finding]:
    """Outbound HTTP without a timeout in code that runs per request.

    ## What it does
    Finds `requests.get/post/...` (and `requests.Session` methods) and
    `urllib.request.urlopen(...)` called without `timeout=` by a view, a hook or a
    project function they call, or with `timeout=None`, which is the same. A helper that
    passes on its own `timeout=None` parameter (`def fetch(url, timeout=None)`) is
    reported when some caller on the request path leaves it out. httpx, whose default
    timeout is 5 seconds, is not reported; neither is a call passing `**options`.

    ## Why is this bad?
    requests and urllib wait forever by default. When the upstream hangs, each request
    to this view holds a worker until the client gives up; the pool is exhausted and the
    whole app stops answering (CWE-1088).

    ## Example
    ```python
    import requests
    from flask import Flask

    app = Flask(__name__)


    @app.route("/rates")
    def rates():
        return requests.get("https://api.example.com/rates").json()
    ```

    ## Use instead
    ```python
    import requests
    from flask import Flask

    app = Flask(__name__)


    @app.route("/rates")
    def rates():
        return requests.get("https://api.example.com/rates", timeout=5).json()
    ```

    ## Fix safety
    Adding `timeout=` is safe; pick a value below the server's worker timeout and handle
    `requests.Timeout`.

    ## References
    - CWE-1088: Synchronous Access of Remote Resource without Timeout
    - https://requests.readthedocs.io/en/latest/user/advanced/#timeouts
    """
    graph = app_graph(ctx)
    for module, function, reach, call in _blocking_calls(graph):
        if call.kind != "http":
            continue
        yield make_finding(
            "FW504",
            module,
            call.span,
            f"{call.what} has no timeout {_where(function, reach)}: it waits forever "
            "by default, so a slow or hung upstream holds this worker and soon all of "
            "them. Pass timeout=... (e.g. timeout=5) and handle the timeout error.",
        )


@project_rule("FW505")
def weakref_of_immutable(ctx: ScanContext) -> Iterator[Finding]:
    """A `WeakValueDictionary`/`WeakSet` that stores `str`, `int` or `bytes` values.

    ## What it does
    Finds values put into a `weakref.WeakValueDictionary` (keys into a
    `WeakKeyDictionary`, items into a `WeakSet`) that cannot be weakly referenced:
    string, number and bytes literals, f-strings, `str()`/`int()` results, string
    methods, request data, and (medium confidence) fields read out of a record or dict
    (`row["description"]`). Reported at the container, with the stores.

    ## Why is this bad?
    `str`, `int`, `bytes`, `tuple` and `None` do not support weak references: the store
    raises `TypeError: cannot create weak reference to 'str' object` on the first
    request that reaches it. Seed 002 proposes exactly this as the "fix" for a leaking
    cache; a weak container is no size bound anyway (CWE-704).

    ## Example
    ```python
    import weakref

    from flask import Flask, request

    app = Flask(__name__)
    cache = weakref.WeakValueDictionary()


    @app.route("/leak")
    def memory_leak():
        cache[request.args.get("key")] = request.args.get("value")
        return "Cached"
    ```

    ## Use instead
    ```python
    import weakref

    from flask import Flask

    app = Flask(__name__)
    sessions = weakref.WeakValueDictionary()


    class Session:
        pass


    @app.route("/open/<name>")
    def open_session(name):
        session = Session()
        sessions[name] = session
        return "opened"
    ```

    ## Fix safety
    No automatic fix: for a bounded cache of strings use `functools.lru_cache(maxsize=N)`
    or `cachetools.LRUCache`; keep weak containers for objects owned elsewhere.

    ## References
    - CWE-704: Incorrect Type Conversion or Cast
    - https://docs.python.org/3/library/weakref.html
    """
    graph = app_graph(ctx)
    stores: dict[tuple[str, str], list[tuple[ModuleFacts, WeakStore]]] = {}
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None or module.is_test:
            continue
        for store in facts.weak_stores:
            if store.container.startswith("import:"):
                found = graph.resolve(store.container, module)
                if found is None:
                    continue
                owner, key = found[0], f"global:{found[1]}"
            else:
                owner, key = module, store.container
            owner_facts = app_facts(owner)
            if owner_facts is not None and key in owner_facts.weak_containers:
                stores.setdefault((owner.path, key), []).append((module, store))
    for (path, key), found_stores in sorted(stores.items()):
        owner = graph.modules[path]
        owner_facts = app_facts(owner)
        if owner_facts is None:
            continue
        kind = owner_facts.weak_kinds.get(key, "weak container")
        name = key.rsplit(":", 1)[-1]
        first_module, first = found_stores[0]
        certain = any(store.certain for _, store in found_stores)
        what = "keys" if kind == "WeakKeyDictionary" else "values"
        yield make_finding(
            "FW505",
            owner,
            owner_facts.weak_containers[key],
            f"{name} is a weakref.{kind}, but {first_module.path}:{first.span.line} stores "
            f"{first.value} in it: str, int and bytes {what} cannot be weakly referenced, "
            "so that store raises TypeError at run time. A weak container is not a size "
            "bound either: use functools.lru_cache(maxsize=N) or cachetools.LRUCache.",
            confidence=Confidence.HIGH if certain else Confidence.MEDIUM,
            related=[location(m, s.span, f"stores {s.value}") for m, s in found_stores],
        )


@project_rule("FW506")
def shared_db_connection(ctx: ScanContext) -> Iterator[Finding]:
    """One database connection, opened at import, shared by every request thread.

    ## What it does
    Finds a module-level `sqlite3.connect(...)` (also PyMySQL, MySQLdb,
    mysql-connector) opened with `check_same_thread=False`, or any such module-level
    connection that code running per request uses (`conn.execute(...)`, `.cursor()`,
    `.commit()`), in its own module or through an import.

    ## Why is this bad?
    These connections are not safe to share between threads: concurrent requests
    interleave their statements and transactions on one connection (a commit in one
    request commits another's half-done writes), or sqlite raises `ProgrammingError`.
    `check_same_thread=False` only turns off the check (CWE-362).

    ## Example
    ```python
    import sqlite3

    from flask import Flask

    app = Flask(__name__)
    conn = sqlite3.connect("shop.db", check_same_thread=False)


    @app.route("/count")
    def count():
        return str(conn.execute("SELECT count(*) FROM products").fetchone()[0])
    ```

    ## Use instead
    ```python
    import sqlite3

    from flask import Flask, g

    app = Flask(__name__)


    def get_db():
        if "db" not in g:
            g.db = sqlite3.connect("shop.db")
        return g.db


    @app.teardown_appcontext
    def close_db(exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()


    @app.route("/count")
    def count():
        return str(get_db().execute("SELECT count(*) FROM products").fetchone()[0])
    ```

    ## Fix safety
    No automatic fix: open a connection per request on `flask.g` and close it in
    `teardown_appcontext`, or use a pool (SQLAlchemy, Flask-SQLAlchemy).

    ## References
    - CWE-362: Concurrent Execution using Shared Resource with Improper Synchronization
    - https://flask.palletsprojects.com/en/stable/patterns/sqlite3/
    - https://docs.python.org/3/library/sqlite3.html#sqlite3.connect
    """
    graph = app_graph(ctx)
    used: dict[tuple[str, str], tuple[ModuleFacts, FunctionApp, Reach]] = {}
    for module, function, reach, _ in _reached(graph):
        for ref in function.connection_uses:
            found = graph.resolve(ref, module)
            if found is not None:
                used.setdefault((found[0].path, found[1]), (module, function, reach))
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None or module.is_test:
            continue
        for name, connection in sorted(facts.connections.items()):
            use = used.get((path, name))
            if use is None and not (connection.shared_flag and module.imports_flask):
                continue
            flag = " with check_same_thread=False" if connection.shared_flag else ""
            how = ""
            related = []
            if use is not None:
                use_module, use_function, reach = use
                how = f", used per request by {use_function.qualname}() (from {reach.describe()})"
                related.append(location(use_module, use_function.span, "uses it per request"))
            yield make_finding(
                "FW506",
                module,
                connection.span,
                f"{name} is one {connection.driver} connection opened at import{flag} and "
                f"shared by every request thread{how}: concurrent requests interleave "
                "statements and transactions on it. Open a connection per request on "
                "flask.g and close it in teardown_appcontext, or use a pool (SQLAlchemy).",
                related=related,
            )


@project_rule("FW507")
def async_view(ctx: ScanContext) -> Iterator[Finding]:
    """An `async def` view on Flask.

    ## What it does
    Finds route functions declared `async def` on a Flask app or blueprint (not Quart,
    FastAPI or other ASGI frameworks).

    ## Why is this bad?
    Flask is WSGI: it runs each async view in a fresh event loop on the worker thread
    and waits for it, so the worker is held exactly as long as with a plain `def`, and
    every request pays for a loop. Code written as if it were concurrent (seed 002's
    "async support") is not; informational.

    ## Example
    ```python
    import asyncio

    from flask import Flask

    app = Flask(__name__)


    @app.route("/async")
    async def async_view():
        await asyncio.sleep(1)
        return "Async Response"
    ```

    ## Use instead
    ```python
    import asyncio

    from quart import Quart

    app = Quart(__name__)


    @app.route("/async")
    async def async_view():
        await asyncio.sleep(1)
        return "Async Response"
    ```

    ## Fix safety
    No automatic fix: use a plain `def` view on Flask, or port the app to Quart (the
    same API on ASGI) when the I/O concurrency is needed.

    ## References
    - https://flask.palletsprojects.com/en/stable/async-await/
    - https://quart.palletsprojects.com/
    """
    graph = app_graph(ctx)
    for key in sorted(graph.routes):
        route = graph.routes[key]
        if not route.function.is_async or route.module.is_test:
            continue
        yield make_finding(
            "FW507",
            route.module,
            route.function.span,
            f"async def view {route.function.qualname}() on Flask: Flask runs it in a new "
            "event loop on the worker thread and waits, so it holds the worker like a "
            "plain def and gains no concurrency. Use def, or Quart/an ASGI framework if "
            "you need async I/O.",
        )
