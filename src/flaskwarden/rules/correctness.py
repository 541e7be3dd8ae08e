"""FW6: Flask correctness, from seed 003's debug guide: routes that 405 on their own
form, POST without redirect, blueprints that vanish, slashes turned off globally.

(FW604, template variables no view passes, lives with the template model in
:mod:`flaskwarden.rules.injection`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from flaskwarden.appfacts.graph import AppGraph, FnKey, RouteInfo, app_facts, app_graph
from flaskwarden.findings import Confidence, Finding
from flaskwarden.rules import ScanContext, location, make_finding, project_rule

_IMPLIED: Final = frozenset({"HEAD", "OPTIONS"})


@project_rule("FW601")
def method_not_allowed_branch(ctx: ScanContext) -> Iterator[Finding]:
    """A route whose body handles a method the route does not accept.

    ## What it does
    Finds views that branch on `request.method == "POST"` (or `in ("POST", ...)`, or
    `form.validate_on_submit()`) while their route allows only other methods: most
    often `@app.route("/x")` without `methods=`, which is GET only. Routes whose
    `methods=` is not a literal list are skipped, and so is a branch on a method that
    another view of the same app or blueprint takes at the same URL (no 405 then).

    ## Why is this bad?
    Flask answers the form's POST with 405 Method Not Allowed before the view runs: the
    branch is dead code and the form never works (seed 003's debug guide, symptom 2).

    ## Example
    ```python
    from flask import Flask, redirect, render_template, request

    app = Flask(__name__)


    @app.route("/newsletter")
    def newsletter():
        if request.method == "POST":
            return redirect("/thanks")
        return render_template("newsletter.html")
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, render_template, request

    app = Flask(__name__)


    @app.route("/newsletter", methods=["GET", "POST"])
    def newsletter():
        if request.method == "POST":
            return redirect("/thanks")
        return render_template("newsletter.html")
    ```

    ## Fix safety
    Adding the method to `methods=` is safe when the branch was meant to run; it also
    exposes that code path to requests, so review it as new code.

    ## References
    - https://flask.palletsprojects.com/en/stable/quickstart/#http-methods
    """
    graph = app_graph(ctx)
    for key in sorted(graph.routes):
        route = graph.routes[key]
        allowed = route.methods
        if allowed is None or route.module.is_test:
            continue
        accepted = allowed | _IMPLIED if "GET" in allowed else allowed | {"OPTIONS"}
        dead = [t for t in route.function.method_tests if not set(t.methods) & accepted]
        # another view at the same URL takes those methods: no 405, only a dead branch
        # (and adding the method here would take the requests away from that view)
        if dead:
            served = _served_elsewhere(graph, key, route)
            dead = [t for t in dead if not set(t.methods) <= served]
        if not dead:
            continue
        test = dead[0]
        shown = ", ".join(sorted(allowed))
        given = "" if any(e.methods for e in route.entries) else " (no methods= given)"
        wanted = sorted(set(test.methods) - accepted)
        fix = ", ".join(f'"{m}"' for m in sorted(allowed | {wanted[0]}))
        where = f"line {test.span.line}"
        if route.module is not route.entry_modules[0]:
            where = f"{route.module.path}:{test.span.line}"
        yield make_finding(
            "FW601",
            route.entry_modules[0],
            route.entries[0].span,
            f"{route.function.qualname}() branches on {test.text} ({where}) but "
            f"its route allows only {shown}{given}: Flask answers that request with 405 "
            f"Method Not Allowed and the branch never runs. Add methods=[{fix}].",
            related=[location(route.module, t.span, f"branch on {t.text}") for t in dead],
        )


def _served_elsewhere(graph: AppGraph, key: FnKey, route: RouteInfo) -> frozenset[str]:
    """The methods other views answer at one of this route's URLs: routes of the same
    app or blueprint object (the same reference in the same module), same rule."""
    urls = {
        (module.path, entry.receiver, entry.path)
        for entry, module in zip(route.entries, route.entry_modules, strict=True)
        if entry.path
    }
    served: set[str] = set()
    for other_key, other in graph.routes.items():
        if other_key == key or other.methods is None:
            continue
        if any(
            (module.path, entry.receiver, entry.path) in urls
            for entry, module in zip(other.entries, other.entry_modules, strict=True)
        ):
            served |= other.methods
    return frozenset(served)


@project_rule("FW602")
def post_without_redirect(ctx: ScanContext) -> Iterator[Finding]:
    """A successful POST answered with a rendered page instead of a redirect.

    ## What it does
    Finds `return render_template(...)` in the `request.method == "POST"` (or
    `form.validate_on_submit()`) branch of a view that accepts GET and POST, after the
    branch wrote something (`db.session.commit()`, `.save()`, `create_*(...)`, an
    `INSERT`...), or after such a branch that writes and falls through to the view's
    shared `return render_template(...)` (the usual Flask-WTF shape). Error pages (a
    4xx status) and re-rendering a form that failed validation (no write on the way
    to it: a write followed by `return redirect(...)`, one whose `except` branch
    leads there, the `else` of `if send_email(...): return redirect(...)`, or the
    path where a flag the `except` branch set, `if form_valid: return ...`, sent the
    success elsewhere) are not reported.

    ## Why is this bad?
    The browser's page is now the POST's response: refreshing it, or going back and
    forward, submits the form again and repeats the write (an order placed twice, a
    comment posted twice). Seed 003: always redirect after a successful POST.

    ## Example
    ```python
    from flask import Flask, render_template, request

    from shop import db

    app = Flask(__name__)


    @app.route("/checkout", methods=["GET", "POST"])
    def checkout():
        if request.method == "POST":
            order = db.create_order(request.form["email"])
            return render_template("done.html", order=order)
        return render_template("checkout.html")
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, render_template, request, url_for

    from shop import db

    app = Flask(__name__)


    @app.route("/checkout", methods=["GET", "POST"])
    def checkout():
        if request.method == "POST":
            order = db.create_order(request.form["email"])
            return redirect(url_for("order_page", order_id=order.id))
        return render_template("checkout.html")
    ```

    ## Fix safety
    No automatic fix: the page after the redirect needs its own GET route that loads
    what the POST created.

    ## References
    - https://en.wikipedia.org/wiki/Post/Redirect/Get
    - https://flask.palletsprojects.com/en/stable/patterns/flashing/
    """
    graph = app_graph(ctx)
    for key in sorted(graph.routes):
        route = graph.routes[key]
        allowed = route.methods
        if route.module.is_test or (allowed is not None and "POST" not in allowed):
            continue
        for span in dict.fromkeys(route.function.post_renders):
            yield make_finding(
                "FW602",
                route.module,
                span,
                f"{route.function.qualname}() renders a page after a successful POST instead "
                "of redirecting: refreshing it submits the form again and repeats the write "
                "(duplicate orders, posts). Redirect to a GET page (POST-Redirect-GET): "
                "return redirect(url_for(...)).",
            )


@project_rule("FW603")
def unregistered_blueprint(ctx: ScanContext) -> Iterator[Finding]:
    """A blueprint with routes that nothing registers: its URLs are all 404.

    ## What it does
    Finds module-level `Blueprint(...)` objects that have routes (decorators or
    `add_url_rule`, in any module) but that no `register_blueprint(...)` call in the
    project registers, directly, through an import, or in a loop over a literal list.
    Only reported when the project registers blueprints by name: if some registration
    is computed (a loop over discovered modules, a parameter), nothing is reported.

    ## Why is this bad?
    The routes were written and reviewed, but every request to them is a 404 in
    production: an API the mobile app calls, a webhook. Usually a `register_blueprint`
    line lost in a refactor (seed 003: "blueprints need registration").

    ## Example
    ```python
    from flask import Blueprint, Flask

    admin = Blueprint("admin", __name__, url_prefix="/admin")
    shop = Blueprint("shop", __name__)


    @admin.get("/")
    def dashboard():
        return "back office"


    @shop.get("/")
    def index():
        return "shop"


    app = Flask(__name__)
    app.register_blueprint(shop)
    ```

    ## Use instead
    ```python
    from flask import Blueprint, Flask

    admin = Blueprint("admin", __name__, url_prefix="/admin")
    shop = Blueprint("shop", __name__)


    @admin.get("/")
    def dashboard():
        return "back office"


    @shop.get("/")
    def index():
        return "shop"


    app = Flask(__name__)
    app.register_blueprint(shop)
    app.register_blueprint(admin)
    ```

    ## Fix safety
    Registering it publishes its routes: check they are meant to be reachable (and
    protected) before adding the line.

    ## References
    - https://flask.palletsprojects.com/en/stable/blueprints/#registering-blueprints
    """
    graph = app_graph(ctx)
    if not graph.registered or graph.dynamic_registrations:
        return
    for key in sorted(graph.blueprints):
        routes = graph.blueprint_routes.get(key)
        if not routes or key in graph.registered:
            continue
        module, construction = graph.blueprints[key]
        if module.is_test:
            continue
        name = key[1]
        views = ", ".join(f"{graph.routes[r].function.qualname}()" for r in routes[:4])
        count = f"{len(routes)} routes" if len(routes) > 1 else "a route"
        yield make_finding(
            "FW603",
            module,
            construction.span,
            f"blueprint {name} has {count} ({views}{', ...' if len(routes) > 4 else ''}) "
            "but no register_blueprint() call registers it: every one of its URLs is 404. "
            f"Register it where the app is made: app.register_blueprint({name}).",
            confidence=Confidence.HIGH,
            related=[
                location(graph.routes[r].module, graph.routes[r].function.span, "route")
                for r in routes[:10]
            ],
        )


@project_rule("FW605")
def global_strict_slashes_off(ctx: ScanContext) -> Iterator[Finding]:
    """`app.url_map.strict_slashes = False` for the whole app.

    ## What it does
    Finds `strict_slashes` turned off on a Flask app's URL map, which changes how every
    route matches a trailing slash. `strict_slashes=False` on one route is not reported.

    ## Why is this bad?
    Flask normally redirects `/products` to `/products/` so each page has one URL. Off
    globally, both URLs serve the page: caches and proxies store it twice, search
    engines see duplicates, relative links in the page resolve differently depending on
    which URL was used, and rules written for one form miss the other (seed 003 calls it
    risky). Informational.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.url_map.strict_slashes = False
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/api/status/", strict_slashes=False)
    def status():
        return {"ok": True}
    ```

    ## Fix safety
    Removing the line brings back Flask's redirects: clients that call the other form
    of a URL get a 308 to the canonical one.

    ## References
    - https://flask.palletsprojects.com/en/stable/quickstart/#unique-urls-redirection-behavior
    - https://werkzeug.palletsprojects.com/en/stable/routing/#werkzeug.routing.Map
    """
    graph = app_graph(ctx)
    for path in sorted(graph.modules):
        module = graph.modules[path]
        facts = app_facts(module)
        if facts is None or module.is_test:
            continue
        for receiver, span in facts.strict_slashes:
            if graph.project.kind_of(receiver, module).kind not in ("flask-app", "unknown"):
                continue
            yield make_finding(
                "FW605",
                module,
                span,
                "strict_slashes is turned off for every route: /page and /page/ both serve "
                "each page (duplicate URLs for caches, proxies and search engines; relative "
                "links break on one of them). Keep Flask's redirect and set "
                "strict_slashes=False only on the routes that need it.",
            )
