"""FW3: injection and output encoding, by taint analysis across functions, modules and
into Jinja templates; FW604: template variables no view passes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from flaskwarden.discover import FileKind
from flaskwarden.findings import Confidence, Finding, Location
from flaskwarden.jinja import CONTEXT_GLOBALS, EXTENSION_GLOBALS, Template, parse_template
from flaskwarden.python.facts import ModuleFacts, Span
from flaskwarden.rules import ScanContext, project_rule
from flaskwarden.taint import tables
from flaskwarden.taint.engine import Origin, RenderCall, Step, origin_order
from flaskwarden.taint.resolve import Flow, Resolver, taint_of

_WHY: Final = {
    "xss": (
        "is put into the HTML response unescaped: an attacker's link runs script in the "
        "victim's session (reflected XSS). Render it through a template (autoescaped) or "
        "escape it with markupsafe.escape()."
    ),
    "ssti": (
        "becomes part of a template's source: Jinja expressions in it run on the server "
        "(server-side template injection, often remote code execution). Pass user data as "
        "a context variable: render_template_string(TEMPLATE, value=value)."
    ),
    "redirect": (
        "is used as a redirect target: attackers send victims through your domain to a "
        "phishing site (open redirect). Redirect to url_for(...) or check that the target "
        "has no scheme and no host."
    ),
    "sql": (
        "is formatted into the text of an SQL statement: an attacker can read or change "
        "any data (SQL injection). Pass it as a bound parameter: execute(sql, (value,))."
    ),
    "path": (
        "is used in a filesystem path: '../' reads or writes any file the app can reach "
        "(path traversal). Use send_from_directory() or werkzeug.utils.secure_filename()."
    ),
    "code": (
        "is executed as code, a shell command or deserialised: the attacker runs commands "
        "on the server. Never evaluate request data; pass argument lists without shell=True "
        "and use json or yaml.safe_load for data."
    ),
    "ssrf": (
        "decides where the server sends a request: attackers reach internal services and "
        "cloud metadata endpoints (SSRF). Allow only known hosts."
    ),
}


@dataclass
class _State:
    """The taint resolver and the template model, built once per scan."""

    resolver: Resolver
    templates: dict[str, Template] = field(default_factory=dict)
    by_name: dict[str, list[Template]] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)


def _state(ctx: ScanContext) -> _State:
    """Built once per scan and shared by the rules of this family."""
    state = ctx.cache.get("injection")
    if isinstance(state, _State):
        return state
    state = _State(Resolver(ctx.project))
    parsed_templates = ctx.cache.get("templates")
    if isinstance(parsed_templates, dict):
        # parsed (in parallel, cached) by the per-file phase of the scan
        for parsed in parsed_templates.values():
            state.templates[parsed.path] = parsed
    else:
        for source in ctx.files:
            if source.kind is not FileKind.TEMPLATE:
                continue
            data = ctx.read(source)
            if data is None:
                continue
            result = parse_template(source.rel, data)
            if isinstance(result, Template):
                state.templates[source.rel] = result
            else:
                ctx.diagnostics.append(result)
    for template in state.templates.values():
        state.by_name.setdefault(template.name, []).append(template)
    for module in ctx.project.modules:
        state.flows.extend(state.resolver.flows(module))
    ctx.cache["injection"] = state
    return state


def _related(origin: Origin) -> tuple[Location, ...]:
    return tuple(Location(s.path, s.line, s.column, message=s.message) for s in origin.steps)


def _flow_findings(ctx: ScanContext, kind: str) -> Iterator[Finding]:
    state = _state(ctx)
    rule = tables.RULE_OF_KIND[kind]
    for flow in state.flows:
        if flow.hit.kind != kind or flow.module.is_test:
            continue  # test apps are not deployed
        yield _finding(rule, flow.module, flow.hit.span, flow.origin, flow.hit.what, kind)


def _finding(
    rule: str, module: ModuleFacts, span: Span, origin: Origin, what: str, kind: str
) -> Finding:
    from flaskwarden import catalog

    spec = catalog.spec(rule)
    return Finding(
        rule=rule,
        message=f"{origin.label} reaches {what} and {_WHY[kind]}",
        path=module.path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        severity=spec.severity,
        confidence=Confidence.HIGH if len(origin.steps) <= 8 else Confidence.MEDIUM,
        snippet=span.snippet,
        related=_related(origin),
        flow=True,
    )


@project_rule("FW301")
def reflected_xss(ctx: ScanContext) -> Iterator[Finding]:
    """Request data in an HTML response built in Python.

    ## What it does
    Follows request data (`request.args`, `request.form`, string route parameters, ...)
    through assignments, string formatting and project helper functions into an HTML
    response a view builds itself: a returned f-string, `%` or `.format` string,
    `make_response(...)`, `Response(...)`, or `Markup(...)`. `markupsafe.escape()` on the
    way clears it; so does `Markup("<b>%s</b>") % value`, which escapes `value`.
    Request data stored on `g` or on the request (`g.payload = request.get_json()` in a
    `before_request` hook) is request data wherever it is read back, as in every FW3 rule.
    Route parameters are request data unless their converter returns no text: `int`,
    `float`, `uuid`, or one of the app's own whose `to_python` returns `int(...)` or
    `UUID(...)`.

    ## Why is this bad?
    Flask escapes what templates print, not strings a view builds. A link with a script
    in its query string runs that script in the victim's session (reflected XSS, CWE-79).

    ## Example
    ```python
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/hello")
    def hello():
        name = request.args.get("name", "")
        return f"<h1>Hello {name}</h1>"
    ```

    ## Use instead
    ```python
    from flask import Flask, request
    from markupsafe import escape

    app = Flask(__name__)

    @app.route("/hello")
    def hello():
        name = request.args.get("name", "")
        return f"<h1>Hello {escape(name)}</h1>"
    ```

    ## Fix safety
    No automatic fix: escape the value or move the markup into a template.

    ## References
    - CWE-79: Improper Neutralization of Input During Web Page Generation
    - https://flask.palletsprojects.com/en/stable/web-security/#cross-site-scripting-xss
    """
    yield from _flow_findings(ctx, "xss")


@project_rule("FW302")
def template_xss(ctx: ScanContext) -> Iterator[Finding]:
    """Request data rendered unescaped by a Jinja template.

    ## What it does
    Follows request data into `render_template("page.html", value=...)` and into the
    template (and the templates it extends or includes), and reports the line that prints
    it without escaping: `{{ value|safe }}`, inside `{% autoescape false %}`, in a template
    whose extension Flask does not autoescape (`.txt`, `.j2`, ...; unless the app turns
    autoescaping on for all, `app.jinja_options = {..., "autoescape": True}`), or anywhere
    when the app turns autoescaping off. Printing it normally (`{{ value }}` in `.html`)
    is safe, and so is `{{ value|tojson|safe }}`: `tojson` escapes `<`, `>`, `&` and `'`.

    ## Why is this bad?
    `|safe` tells Jinja the value is trusted HTML. If it came from the request, an
    attacker's markup and scripts run in every viewer's browser (stored or reflected XSS,
    CWE-79). The view and the template are in different files, so reviews miss it.

    ## Example
    ```python title=app.py
    from flask import Flask, render_template, request

    app = Flask(__name__)

    @app.route("/profile")
    def profile():
        return render_template("profile.html", bio=request.args.get("bio", ""))
    ```
    ```jinja title=templates/profile.html
    <div class="bio">{{ bio|safe }}</div>
    ```

    ## Use instead
    ```python title=app.py
    from flask import Flask, render_template, request

    app = Flask(__name__)

    @app.route("/profile")
    def profile():
        return render_template("profile.html", bio=request.args.get("bio", ""))
    ```
    ```jinja title=templates/profile.html
    <div class="bio">{{ bio }}</div>
    ```

    ## Fix safety
    No automatic fix: drop `|safe`, or sanitise the HTML with an allow-list (bleach).

    ## References
    - CWE-79: Improper Neutralization of Input During Web Page Generation
    - https://flask.palletsprojects.com/en/stable/templating/#controlling-autoescaping
    """
    state = _state(ctx)
    global_off = [
        (module, span)
        for module in ctx.project.modules
        if (taint := taint_of(module)) is not None
        for span in taint.autoescape_off
    ]
    global_on = any(
        (taint := taint_of(module)) is not None and taint.autoescape_on
        for module in ctx.project.modules
    )
    for module in ctx.project.modules:
        taint = taint_of(module)
        if taint is None:
            continue
        if module.is_test:
            continue
        for function in taint.functions.values():
            for render in function.renders:
                yield from _render_xss(state, module, render, bool(global_off), global_on)


def _render_xss(
    state: _State, module: ModuleFacts, render: RenderCall, global_off: bool, global_on: bool
) -> Iterator[Finding]:
    from flaskwarden import catalog

    spec = catalog.spec("FW302")
    group = _template_group(state, render.templates, module.path)
    for name, taint in render.context:
        sources = [
            o for o in state.resolver.render_context(module, taint) if "template" not in o.cleared
        ]
        if not sources:
            continue
        # the shortest flow, in a fixed order (sources come out of a set)
        origin = min(sources, key=origin_order)
        for template, rendered in group:
            for output in template.outputs:
                if output.name != name or (output.escaped and not global_off):
                    continue
                if global_on and not global_off and output.how.startswith("not autoescaped"):
                    continue  # the app autoescapes every template, whatever its extension
                how = output.how or "autoescaping turned off for the app"
                # an extended or included template prints what the rendered one is given
                printed = "" if template is rendered else f" by {template.name}"
                steps = (
                    *origin.steps,
                    Step(
                        module.path,
                        render.span.line,
                        render.span.column,
                        f"passed to {rendered.name} as {name}",
                    ),
                )
                yield Finding(
                    rule="FW302",
                    message=(
                        f"{origin.label} is passed to {rendered.name} as {name!r} and printed"
                        f"{printed} with {how}: it is not escaped, so an attacker's HTML and "
                        "scripts run "
                        f"in the browser (XSS). Print it as {{{{ {name} }}}} and let "
                        "autoescaping work, or sanitise it with an allow-list first."
                    ),
                    path=template.path,
                    line=output.line,
                    severity=spec.severity,
                    confidence=Confidence.HIGH,
                    snippet=f"{{{{ {name} }}}} ({how})",
                    related=tuple(
                        Location(s.path, s.line, s.column, message=s.message) for s in steps
                    ),
                    flow=True,
                )


def _resolve(state: _State, name: str, near: str) -> list[Template]:
    """The template files ``render_template(name)`` can mean from the file ``near``:
    with several apps (or blueprints) defining the name, the ones whose templates
    folder is nearest to it; more than one means the choice is ambiguous."""
    candidates = state.by_name.get(name, [])
    if len(candidates) <= 1:
        return candidates
    near_dir = near.rsplit("/", 1)[0].split("/") if "/" in near else []

    def closeness(template: Template) -> int:
        parts = template.path.split("/")
        n = 0
        while n < min(len(parts), len(near_dir)) and parts[n] == near_dir[n]:
            n += 1
        return n

    best = max(closeness(t) for t in candidates)
    return [t for t in candidates if closeness(t) == best]


def _template_group(
    state: _State, names: tuple[str, ...], near: str
) -> list[tuple[Template, Template]]:
    """The templates a render call involves: themselves, their parents and includes,
    each with the template the call renders that brings it in."""
    seen: dict[str, tuple[Template, Template]] = {}
    stack = [(t, t) for name in names for t in _resolve(state, name, near)]
    while stack:
        template, rendered = stack.pop()
        if template.path in seen:
            continue
        seen[template.path] = (template, rendered)
        for ref in (*template.extends, *template.includes):
            stack.extend((t, rendered) for t in _resolve(state, ref, template.path))
    return list(seen.values())


@project_rule("FW303")
def template_injection(ctx: ScanContext) -> Iterator[Finding]:
    """Request data in the source of a template (server-side template injection).

    ## What it does
    Follows request data into the *template text* given to `render_template_string`,
    `jinja2.Template(...)` or `Environment.from_string(...)`. Passing it as a context
    variable (`render_template_string(TEMPLATE, q=q)`) is safe and not reported.

    ## Why is this bad?
    Template source is code: `{{ ''.__class__.__mro__[1].__subclasses__() }}` and its
    relatives reach Python objects from Jinja, which usually ends in remote code execution
    on the server (CWE-1336).

    ## Example
    ```python
    from flask import Flask, render_template_string, request

    app = Flask(__name__)

    @app.route("/greet")
    def greet():
        name = request.args.get("name", "")
        return render_template_string("<p>Hello " + name + "</p>")
    ```

    ## Use instead
    ```python
    from flask import Flask, render_template_string, request

    app = Flask(__name__)

    @app.route("/greet")
    def greet():
        name = request.args.get("name", "")
        return render_template_string("<p>Hello {{ name }}</p>", name=name)
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine
    """
    yield from _flow_findings(ctx, "ssti")


@project_rule("FW304")
def open_redirect(ctx: ScanContext) -> Iterator[Finding]:
    """Request data as a redirect target.

    ## What it does
    Follows request data (typically `?next=`) into `redirect(...)`. A target built with
    `url_for(...)`, a path prefix such as `"/app/" + slug` (not `"/"` alone: `"/" +
    "/evil.example"` is another site), or checked first (`if urlsplit(x).netloc or
    urlsplit(x).scheme: abort(400)`, a project helper named like `is_safe_url` or
    `url_is_allowed` whose failure returns, aborts or replaces the value, or a check that
    it starts with "/" and its second character is neither "/" nor "\\") is not reported,
    nor is the `Referer` header: the victim's browser sets it, so "back where you came
    from" leads nowhere an attacker chooses.

    ## Why is this bad?
    Phishing mail links to your real domain, which forwards the victim to the attacker's
    look-alike login page (CWE-601).

    ## Example
    ```python
    from flask import Flask, redirect, request

    app = Flask(__name__)

    @app.route("/login", methods=["POST"])
    def login():
        return redirect(request.args.get("next", "/"))
    ```

    ## Use instead
    ```python
    from urllib.parse import urlsplit
    from flask import Flask, abort, redirect, request

    app = Flask(__name__)

    @app.route("/login", methods=["POST"])
    def login():
        target = request.args.get("next", "/")
        if urlsplit(target).netloc or urlsplit(target).scheme:
            abort(400)
        return redirect(target)
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-601: URL Redirection to Untrusted Site
    """
    yield from _flow_findings(ctx, "redirect")


@project_rule("FW305")
def sql_injection(ctx: ScanContext) -> Iterator[Finding]:
    """Request data in the text of an SQL statement.

    ## What it does
    Follows request data into the SQL text given to `execute`/`executemany`/
    `executescript`, `sqlalchemy.text(...)` or `.raw(...)`, through f-strings, `%`,
    `.format` and `+`, across helper functions in other modules. Values passed as bound
    parameters (`execute(sql, (value,))`) and values from `int`/`float`/`uuid` route
    converters or `int(...)` are not reported.
    Arguments of GraphQL resolvers (Graphene, Ariadne, Strawberry) are request data too.

    ## Why is this bad?
    The attacker writes part of your query: `' OR 1=1 --` returns every row, a stacked
    statement drops tables (CWE-89).

    ## Example
    ```python
    import sqlite3
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/search")
    def search():
        term = request.args.get("q", "")
        db = sqlite3.connect("shop.db")
        rows = db.execute(f"SELECT name FROM products WHERE name LIKE '%{term}%'").fetchall()
        return {"results": [r[0] for r in rows]}
    ```

    ## Use instead
    ```python
    import sqlite3
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/search")
    def search():
        term = request.args.get("q", "")
        db = sqlite3.connect("shop.db")
        rows = db.execute("SELECT name FROM products WHERE name LIKE ?", (f"%{term}%",)).fetchall()
        return {"results": [r[0] for r in rows]}
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-89: Improper Neutralization of Special Elements used in an SQL Command
    """
    yield from _flow_findings(ctx, "sql")


@project_rule("FW306")
def path_traversal(ctx: ScanContext) -> Iterator[Finding]:
    """Request data in a filesystem path.

    ## What it does
    Follows request data (including an upload's `filename`) into `open`, `send_file`,
    `os.remove` and friends, and `file.save(path)`, through `os.path.join` and string
    building. `secure_filename`, `safe_join` and `send_from_directory` are safe, and so
    is a piece that cannot leave the directory: a name with every `/` and `.` removed,
    an extension after a fixed start (`"." + name.rsplit(".", 1)[-1]`), or a slice of
    at most five characters after a non-empty start (`uid + name[-4:]`: its one `..` at
    most takes back the start). Arguments of GraphQL resolvers (Graphene, Ariadne,
    Strawberry) are request data too.

    ## Why is this bad?
    `../../etc/passwd` or an absolute path reads or overwrites any file the app can reach,
    including its own code and secrets (CWE-22).

    ## Example
    ```python
    import os
    from flask import Flask, request, send_file

    app = Flask(__name__)

    @app.route("/download")
    def download():
        return send_file(os.path.join("invoices", request.args["name"]))
    ```

    ## Use instead
    ```python
    from flask import Flask, request, send_from_directory

    app = Flask(__name__)

    @app.route("/download")
    def download():
        return send_from_directory("invoices", request.args["name"])
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-22: Improper Limitation of a Pathname to a Restricted Directory
    """
    yield from _flow_findings(ctx, "path")


@project_rule("FW307")
def upload_in_static(ctx: ScanContext) -> Iterator[Finding]:
    """An uploaded file saved under the static folder.

    ## What it does
    Finds `request.files[...]` saved (`.save(path)`) to a path under `static/` or
    `app.static_folder`.

    ## Why is this bad?
    Everything in the static folder is served back as-is: an uploaded `.html` or `.svg`
    runs script on your origin, and files of any type are published to anyone who guesses
    the name (CWE-434).

    ## Example
    ```python
    import os
    from flask import Flask, request
    from werkzeug.utils import secure_filename

    app = Flask(__name__)

    @app.route("/avatar", methods=["POST"])
    def avatar():
        upload = request.files["avatar"]
        upload.save(os.path.join("static/avatars", secure_filename(upload.filename)))
        return "ok"
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask, request
    from werkzeug.utils import secure_filename

    app = Flask(__name__)

    @app.route("/avatar", methods=["POST"])
    def avatar():
        upload = request.files["avatar"]
        upload.save(os.path.join(app.instance_path, "avatars", secure_filename(upload.filename)))
        return "ok"
    ```

    ## Fix safety
    No automatic fix: store uploads outside the static folder and serve them with
    `send_from_directory` and a fixed content type.

    ## References
    - CWE-434: Unrestricted Upload of File with Dangerous Type
    """
    from flaskwarden import catalog

    spec = catalog.spec("FW307")
    for module in ctx.project.modules:
        taint = taint_of(module)
        if taint is None:
            continue
        for span in taint.static_saves:
            yield Finding(
                rule="FW307",
                message=(
                    "An uploaded file is saved under the static folder, which serves it back "
                    "as-is: an uploaded .html or .svg runs script on your origin. Store uploads "
                    "outside static/ and serve them with send_from_directory()."
                ),
                path=module.path,
                line=span.line,
                column=span.column,
                end_line=span.end_line,
                end_column=span.end_column,
                severity=spec.severity,
                snippet=span.snippet,
            )


@project_rule("FW308")
def code_injection(ctx: ScanContext) -> Iterator[Finding]:
    """Request data executed as code or a shell command, or deserialised unsafely.

    ## What it does
    Follows request data into `eval`, `exec`, `compile`, `os.system`, `os.popen`,
    `subprocess.*(..., shell=True)`, `pickle.loads`, `marshal.loads` and `yaml.load`
    without a safe loader. `shlex.quote()` clears the shell case.
    Arguments of GraphQL resolvers (Graphene, Ariadne, Strawberry) are request data too.

    ## Why is this bad?
    The attacker runs code of their choice on the server (CWE-94).

    ## Example
    ```python
    import subprocess
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/ping")
    def ping():
        host = request.args.get("host", "localhost")
        return subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True).stdout
    ```

    ## Use instead
    ```python
    import subprocess
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/ping")
    def ping():
        host = request.args.get("host", "localhost")
        return subprocess.run(["ping", "-c", "1", host], capture_output=True).stdout
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-94: Improper Control of Generation of Code
    - CWE-78: OS Command Injection
    - CWE-502: Deserialization of Untrusted Data
    """
    yield from _flow_findings(ctx, "code")


@project_rule("FW309")
def ssrf(ctx: ScanContext) -> Iterator[Finding]:
    """Request data as the URL of an outbound request.

    ## What it does
    Follows request data into the URL of `requests.*`, `httpx.*` and
    `urllib.request.urlopen`/`Request`. A URL whose scheme and host are fixed literals
    (`f"https://api.example.com/items/{item}"`) is not reported: the value cannot change
    where the request goes. Neither is request data that only fills the query string
    after a literal `?` (`f"{VERIFY_URL}?response={token}"`, a captcha check), nor
    request data joined to a base URL after a literal path from the root
    (`urljoin(API, "/zones/" + name)` keeps `API`'s host; `urljoin(API, name)` does not),
    nor a URL passed first to a check called as a statement (`check_url(url)`,
    `validate_feed_url(url)`: named for checking a URL, it raises when the URL is not
    allowed).
    Arguments of GraphQL resolvers (Graphene, Ariadne, Strawberry) are request data too.

    ## Why is this bad?
    The server fetches whatever the attacker names: internal admin services, databases
    speaking HTTP, the cloud metadata endpoint with its credentials (CWE-918).

    ## Example
    ```python
    import urllib.request
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/preview")
    def preview():
        with urllib.request.urlopen(request.args["url"], timeout=5) as response:
            return {"size": len(response.read())}
    ```

    ## Use instead
    ```python
    import urllib.request
    from flask import Flask, request

    app = Flask(__name__)

    @app.route("/preview")
    def preview():
        item = int(request.args["item"])
        url = f"https://api.example.com/items/{item}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return {"size": len(response.read())}
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - CWE-918: Server-Side Request Forgery
    """
    yield from _flow_findings(ctx, "ssrf")


@project_rule("FW604")
def undefined_template_variable(ctx: ScanContext) -> Iterator[Finding]:
    """A template reads a variable that no `render_template` call for it passes.

    ## What it does
    For each template rendered by `render_template("name.html", ...)` with explicit
    keyword arguments, finds variables the template (or a template it extends or
    includes) prints or tests that no such call passes, and that are not defined in the
    templates (`{% set %}`, loop variables, macro parameters, imports), not Flask's
    context (`request`, `session`, `g`, `config`, `url_for`, ...), and not added by the
    app's context processors or `jinja_env.globals`. Calls with `**context` are skipped.

    ## Why is this bad?
    Jinja renders an undefined variable as an empty string, silently: a confirmation page
    that says "We'll email the receipt to ." ships unnoticed.

    ## Example
    ```python title=app.py
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route("/thanks")
    def thanks():
        return render_template("thanks.html", order_id=42)
    ```
    ```jinja title=templates/thanks.html
    <p>Order {{ order_id }}: the receipt goes to {{ email }}.</p>
    ```

    ## Use instead
    ```python title=app.py
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route("/thanks")
    def thanks():
        return render_template("thanks.html", order_id=42, email="a@example.com")
    ```
    ```jinja title=templates/thanks.html
    <p>Order {{ order_id }}: the receipt goes to {{ email }}.</p>
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://jinja.palletsprojects.com/en/stable/api/#undefined-types
    """
    from flaskwarden import catalog

    state = _state(ctx)
    provided: set[str] = set(CONTEXT_GLOBALS)
    for module in ctx.project.modules:
        for target in module.imports.values():
            provided |= EXTENSION_GLOBALS.get(target.partition(".")[0], frozenset())
        taint = taint_of(module)
        if taint is None:
            continue
        if taint.template_globals_unknown:
            return  # a context processor whose keys cannot be known statically
        provided |= taint.template_globals
    passed: dict[str, set[str]] = {}
    spread: set[str] = set()
    renders: list[tuple[ModuleFacts, RenderCall]] = []
    for module in ctx.project.modules:
        taint = taint_of(module)
        for function in taint.functions.values() if taint else ():
            for render in function.renders:
                renders.append((module, render))
                if any(len(_resolve(state, n, module.path)) > 1 for n in render.templates):
                    continue  # which of several same-named templates Flask picks is unclear
                group = _template_group(state, render.templates, module.path)
                defined: set[str] = set()
                for member, _ in group:
                    defined |= member.defines | member.locals_seen
                for template, _ in group:
                    passed.setdefault(template.path, set()).update(
                        name for name, _ in render.context
                    )
                    passed[template.path].update(defined)
                    if render.spread or any(t.dynamic_includes for t, _ in group):
                        spread.add(template.path)
    spec = catalog.spec("FW604")
    for path in sorted(passed):
        template = state.templates[path]
        if path in spread:
            continue  # a **context spread or a dynamic include: the context is unknown
        missing = {
            name: line
            for name, line in template.reads.items()
            if name not in passed[path]
            and name not in provided
            and name not in template.defines
            and name not in template.optional
        }
        for name, line in sorted(missing.items(), key=lambda item: item[1]):
            column, end_column = template.read_columns.get(name, (1, 0))
            yield Finding(
                rule="FW604",
                message=(
                    f"{template.name} uses {name!r}, but no render_template call for it "
                    f"passes {name!r}: Jinja renders it as an empty string, silently. Pass "
                    "it from the view, or define it in the template."
                ),
                path=path,
                line=line,
                column=column,
                end_column=end_column,
                severity=spec.severity,
                snippet=f"{{{{ {name} }}}}",
            )
