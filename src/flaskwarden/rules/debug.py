"""FW1: debug mode and the development server, as written in Python code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Final

from flaskwarden.findings import Confidence, Finding, Location, Severity
from flaskwarden.model import ClassRef, Project, Resolved, is_dev_name
from flaskwarden.python import names
from flaskwarden.python.evaluate import Value
from flaskwarden.python.facts import UNNAMED, ConfigWrite, ModuleFacts, Ref, RunCall
from flaskwarden.rules import location, make_finding, python_rule

ALL_INTERFACES: Final = frozenset({"0.0.0.0", "::", "", "[::]", "0:0:0:0:0:0:0:0"})
_DEBUG_KWARGS: Final = ("debug", "use_debugger", "use_evalex")
_AUTH_WORDS: Final = ("login", "auth", "required", "admin", "permission", "role", "jwt", "token")


def dev_server(call: RunCall, module: ModuleFacts, project: Project) -> Resolved | None:
    """Whether ``call`` starts Werkzeug's development server, and how sure we are.
    A Flask-Script ``Server`` command object (or a project subclass of it) does, once
    its command is run."""
    if call.command is not None:
        if project.kind_of(call.receiver, module).kind == "script-server":
            return Resolved("flask-app", Confidence.HIGH)
        return None
    if call.receiver.endswith("run_simple"):
        return Resolved("flask-app", Confidence.HIGH)
    resolved = project.kind_of(call.receiver, module)
    if resolved.kind in ("flask-app", "socketio"):
        return resolved
    return None


def binds_all_interfaces(
    call: RunCall, module: ModuleFacts | None = None, project: Project | None = None
) -> bool:
    """``host`` is every interface (with the model, also through an imported constant)."""
    if module is not None and project is not None:
        host, _ = _argument(call, "host", module, project)
    else:
        host = call.kwargs.get("host")
    return host is not None and host.known and host.value in ALL_INTERFACES


def _resolve(
    value: Value, ref: Ref, module: ModuleFacts, project: Project
) -> tuple[Value, list[Location]]:
    """``value``, or when the analyzer could not know it, the constant ``ref`` names in
    another module; with where that constant is set."""
    if value.known or ref == UNNAMED:
        if value.constant and value.constant in module.constants:
            const = module.constants[value.constant]
            return value, [location(module, const.span, f"{value.constant} is set here")]
        return value, []
    if ref.startswith("config:"):
        # host=app.config["BIND_ADDRESS"]: a setting; every interface if any place
        # that sets it says so
        key = ref.partition(":")[2]
        settings = project.config_settings(key)
        chosen = next(
            (s for s in settings if s[1].value.value in ALL_INTERFACES),
            settings[0] if settings else None,
        )
        if chosen is None:
            return value, []
        where, assigned = chosen
        return replace(assigned.value, constant=key), [
            location(where, assigned.span, f"{key} is set here")
        ]
    found = project.constant(ref, module)
    if found is None:
        return value, []
    where, name, assigned = found
    resolved = replace(assigned.value, constant=name)
    return resolved, [location(where, assigned.span, f"{name} is set here")]


def _argument(
    call: RunCall, name: str, module: ModuleFacts, project: Project
) -> tuple[Value | None, list[Location]]:
    value = call.kwargs.get(name)
    if value is None:
        return None, []
    return _resolve(value, call.kwarg_refs.get(name, UNNAMED), module, project)


def _only_when_set(item: RunCall | ConfigWrite, module: ModuleFacts, project: Project) -> bool:
    """Inside an ``if`` that runs only where an environment variable is set: tested
    in this module (``env_gated``) or through another module's constants (gates)."""
    return item.env_gated or project.gated_off(item.gates, module)


def _env_note(value: Value) -> str:
    if value.env and value.env[0] != "?":
        return f" unless {value.env[0]} is set"
    return ""


@python_rule("FW101")
def debug_enabled(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """Debug mode switched on in code.

    ## What it does
    Finds Flask's debug mode turned on by the code itself: `app.run(debug=True)`,
    `use_debugger=True`/`use_evalex=True` (also Flask-Script's
    `Server(use_debugger=True)`, what `manage.py runserver` runs), `app.debug = True`,
    `app.config["DEBUG"] = True`,
    `config.update(DEBUG=True)`/`from_mapping(DEBUG=True)`, a module constant `DEBUG = True`
    that reaches the app (`debug=DEBUG`, `from_object`, `from_pyfile`), and `DEBUG = True`
    in a configuration class that is not named for development or testing. Values read
    from the environment are judged by what they are when the variable is unset:
    `os.environ.get("FLASK_DEBUG") == "1"` is off, `os.getenv("DEBUG", "true")` is on,
    and so is a write inside `if os.environ.get("FLASK_ENV") == "development":` (off),
    also when the test reads a constant of another module that is set from the
    environment (`if settings.DEBUG_FLAG != "False":`).
    Test code, and set-up functions named for development or testing
    (`create_dev_app`), are development configuration and are not reported.

    ## Why is this bad?
    Debug mode serves the Werkzeug interactive debugger: any request that raises an
    exception gets a Python console in the browser, running code in the application's
    process (remote code execution, CWE-489). The PIN that guards it is derived from
    predictable host data. A staging server left in debug mode leaked its AWS keys this
    way. Critical when the same server also binds every interface.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(debug=True)
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
    ```

    ## Fix safety
    Replacing a literal `debug=True` with an environment switch that defaults to off is
    safe: development keeps working with `FLASK_DEBUG=1` or `flask run --debug`.

    ## References
    - CWE-489: Active Debug Code
    - https://flask.palletsprojects.com/en/stable/debugging/
    - https://werkzeug.palletsprojects.com/en/stable/debug/
    """
    if module.is_test:
        return  # test code configures test apps; it is never deployed
    for call in module.run_calls:
        server = dev_server(call, module, project)
        if server is None or _only_when_set(call, module, project):
            continue
        for name in _DEBUG_KWARGS:
            if call.kwarg_refs.get(name, "").startswith("config:"):
                continue  # debug=app.config["DEBUG"]: reported where the setting is
            value, related = _argument(call, name, module, project)
            if value is None or not value.truthy:
                continue
            span = call.kwarg_spans.get(name, call.span)
            exposed = binds_all_interfaces(call, module, project)
            where = " on every network interface" if exposed else ""
            yield make_finding(
                "FW101",
                module,
                span,
                f"{name}={_shown(value)} starts the Werkzeug debugger{_env_note(value)}{where}: "
                "any error page becomes a Python console in the browser (remote code "
                'execution). Use debug=os.environ.get("FLASK_DEBUG") == "1" so it is off '
                "unless explicitly set.",
                severity=Severity.CRITICAL if exposed else Severity.HIGH,
                confidence=server.confidence,
                related=related,
            )
            break
    for write in module.config_writes:
        # Test code and development-named set-up (create_dev_app) are development
        # configuration, as DevelopmentConfig is.
        if write.key != "DEBUG" or _only_when_set(write, module, project):
            continue
        if names.is_dev_name(write.scope, debug_counts=False):
            continue
        value, related = _resolve(write.value, write.value_ref, module, project)
        if not value.truthy:
            continue
        app = project.is_app(write.receiver, module)
        if app is None:
            continue
        yield make_finding(
            "FW101",
            module,
            write.span,
            f"DEBUG is set to {_shown(value)}{_env_note(value)}: the app serves "
            "the Werkzeug debugger (remote code execution on any error). Read it from the "
            'environment, off by default: os.environ.get("FLASK_DEBUG") == "1".',
            confidence=app.confidence,
            related=related,
        )
    yield from _debug_config_classes(module, project)
    yield from _debug_config_module(module, project)


def _shown(value: Value, *, as_switch: bool = True) -> str:
    shown = f"{value.constant} ({value.value!r})" if value.constant else repr(value.value)
    if as_switch and isinstance(value.value, str) and value.value:
        # "False" and "0" are true to Python: a classic way to leave debug on
        shown += " (a non-empty string, which is true)"
    return shown


def _debug_config_classes(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    loaded = project.loaded_classes()
    for cls in module.classes.values():
        attr = cls.attrs.get("DEBUG")
        if attr is None or not attr.value.truthy or is_dev_name(cls.name):
            continue
        ref = ClassRef(module, cls)
        if not project.is_config_class(ref):
            continue
        heirs = [
            sub
            for sub in project.subclasses(ref)
            if not is_dev_name(sub.cls.name)
            and (found := project.effective_attr(sub, "DEBUG")) is not None
            and found[0] == ref
        ]
        if project.subclasses(ref) and not heirs and (module.path, cls.name) not in loaded:
            continue  # a base whose non-development subclasses all override DEBUG
        names = sorted(heir.cls.name for heir in heirs)
        via = f" (inherited by {', '.join(names)})" if heirs else ""
        related = []
        for holder in (ref, *heirs):
            key = (holder.module.path, holder.cls.name)
            if key in loaded:
                _, loader, load = loaded[key]
                related.append(location(loader, load.span, f"{holder.cls.name} is loaded here"))
        yield make_finding(
            "FW101",
            module,
            attr.span,
            f"DEBUG = {_shown(attr.value)}{_env_note(attr.value)} in configuration class "
            f"{cls.name}{via}, which is not a development or testing config: an app "
            "configured from it serves the Werkzeug debugger (remote code execution). Set "
            "DEBUG = False here and turn it on only in a DevelopmentConfig.",
            related=related,
        )


def _debug_config_module(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    attr = module.constants.get("DEBUG")
    if attr is None or not attr.value.truthy or is_dev_name(module.module.rsplit(".", 1)[-1]):
        return
    loaded = project.loaded_modules().get(module.path)
    if loaded is None and not project.is_config_module(module):
        return
    related = []
    if loaded is not None:
        _, loader, load = loaded
        related.append(location(loader, load.span, f"{load.method} loads this module here"))
    yield make_finding(
        "FW101",
        module,
        attr.span,
        f"DEBUG = {_shown(attr.value)} in a configuration module{_env_note(attr.value)}: "
        "the app loading it serves the Werkzeug debugger (remote code execution). Read it "
        'from the environment, off by default: os.environ.get("FLASK_DEBUG") == "1".',
        related=related,
    )


@python_rule("FW102")
def run_at_import(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """`app.run()` executed when the module is imported.

    ## What it does
    Finds calls that start the development server (`app.run()`, `socketio.run(app)`,
    `werkzeug.serving.run_simple`) which run when the module is *imported*: at module top
    level, in the `else:` branch of the `if __name__ == "__main__":` guard, or in a
    function that module level calls (`main()`, `status = serve()`). Under the guard
    (either operand order), or in a function only the guarded block calls, is fine; so
    are test modules, which a WSGI server never imports, and Flask-Script's
    `manager.add_command("runserver", Server())`, which only registers a command.

    ## Why is this bad?
    Production servers such as gunicorn and uWSGI import the module to find the app. A
    top-level `app.run()` then starts Flask's development server inside the worker
    (blocking it, or binding a second port), and with it whatever debug settings the
    call carries, while the team believes gunicorn serves the app.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    app.run()
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run()
    ```

    ## Fix safety
    Wrapping the call in the main guard is safe: `python app.py` still starts the
    development server; importing the module no longer does.

    ## References
    - CWE-668: Exposure of Resource to Wrong Sphere
    - https://flask.palletsprojects.com/en/stable/deploying/
    """
    if module.is_test:
        return
    reachable = project.import_time_functions(module)
    for call in module.run_calls:
        server = dev_server(call, module, project)
        if server is None or call.command is not None:
            continue  # a Flask-Script Server() only serves when its command is run
        if call.scope == "" and call.context in ("import", "main-else"):
            where = (
                "in the else branch of the __main__ guard"
                if call.context == "main-else"
                else "at module top level"
            )
        elif call.scope and call.scope.split(".", 1)[0] in reachable:
            where = f"in {call.scope}(), which module level calls"
        else:
            continue
        yield make_finding(
            "FW102",
            module,
            call.span,
            f"The development server is started {where}, so it runs whenever the module is "
            "imported: gunicorn or uWSGI importing it would start Werkzeug's dev server in "
            'the worker. Move the call under if __name__ == "__main__":.',
            confidence=server.confidence,
        )


@python_rule("FW103")
def dev_server_all_interfaces(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """Development server bound to every network interface.

    ## What it does
    Finds the development server started with `host="0.0.0.0"`, `"::"` or `""` (directly,
    through a module constant, or as the default of an environment lookup such as
    `os.environ.get("HOST", "0.0.0.0")`, or a constant imported from another module),
    also Flask-Script's `Server(host="0.0.0.0")`, which `manage.py runserver` starts.
    `host="127.0.0.1"` (the default) is fine, and so is a production server (gunicorn,
    uWSGI) binding `0.0.0.0` in a container, or `"0.0.0.0"` anywhere it is not the
    development server's host (a socket, a network range).

    ## Why is this bad?
    Binding every interface puts Werkzeug's unhardened, single-process server directly on
    the network, in front of whatever proxy and authentication were meant to sit ahead of
    it. Together with debug mode it is a pre-authentication remote code execution reachable
    by anyone who can route to the host (critical, unless debug is only switched on by an
    environment variable).

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(host="0.0.0.0", port=5000)
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(host="127.0.0.1", port=5000)
    ```

    ## Fix safety
    Unsafe (`--unsafe-fixes`): binding loopback is right for local development, but a
    container or VM that runs this script to be reached from outside stops answering;
    serve the network with gunicorn or uWSGI behind a proxy instead.

    ## References
    - CWE-1327: Binding to an Unrestricted IP Address
    - https://flask.palletsprojects.com/en/stable/deploying/
    """
    if module.is_test:
        return
    for call in module.run_calls:
        server = dev_server(call, module, project)
        if server is None or not binds_all_interfaces(call, module, project):
            continue
        host, related = _argument(call, "host", module, project)
        if host is None:
            continue
        # Debug on by default: not inside an if that only runs when a variable is set.
        debug_on = not _only_when_set(call, module, project) and any(
            (v := _argument(call, name, module, project)[0]) is not None and v.truthy
            for name in _DEBUG_KWARGS
        )
        extra = (
            " with debug on: anyone who can reach this host gets the debugger console"
            if (debug_on)
            else ""
        )
        yield make_finding(
            "FW103",
            module,
            call.kwarg_spans.get("host", call.span),
            f"The development server binds every interface (host={_shown(host, as_switch=False)}"
            f"{_env_note(host)}){extra}. Bind 127.0.0.1 for local work and serve the network "
            "through gunicorn or uWSGI behind a proxy.",
            severity=Severity.CRITICAL if debug_on else Severity.MEDIUM,
            confidence=server.confidence,
            related=related,
        )


@python_rule("FW106")
def diagnostic_endpoint(module: ModuleFacts, project: Project) -> Iterator[Finding]:
    """Diagnostic endpoint reachable without authentication.

    ## What it does
    Finds routes that expose the process's internals: the whole `os.environ`, the whole
    `app.config`/`current_app.config` (or a secret or connection URL read out of it),
    `tracemalloc`/`gc` statistics, `sys.modules`, `globals()`/`locals()` in what the view
    returns (directly, through locals, or through `str`/`jsonify`/`render_template`), or
    that run `eval`/`exec`, when the view has no authentication decorator
    (`login_required`, `*_required`, ...) and does not check `current_user`,
    `request.authorization` or `abort(401/403)` itself. A secret the view only *uses*
    (a token sent in an outbound request, a key that signs a JWT) is not exposed.

    ## Why is this bad?
    Environment variables and config hold the secret key, database passwords and cloud
    credentials; memory statistics and module lists map the process for an attacker;
    `eval` is code execution. Endpoints added "temporarily" for debugging are forgotten
    and shipped (CWE-215).

    ## Example
    ```python
    import os
    from flask import Flask, jsonify

    app = Flask(__name__)

    @app.route("/debug/env")
    def env():
        return jsonify(dict(os.environ))
    ```

    ## Use instead
    ```python
    import os
    from flask import Flask, jsonify

    app = Flask(__name__)

    @app.route("/healthz")
    def health():
        return jsonify(status="ok", version=os.environ.get("APP_VERSION", "dev"))
    ```

    ## Fix safety
    No automatic fix: remove the endpoint, or protect it with authentication and keep it
    out of production builds.

    ## References
    - CWE-215: Insertion of Sensitive Information Into Debugging Code
    """
    if module.is_test:
        return
    for route in project.routes(module):
        function = route.function
        if not function.usages or function.auth_checked:
            continue
        if any(
            deco.attr not in names.ROUTE_ATTRS
            and any(word in deco.text.lower() for word in _AUTH_WORDS)
            for deco in function.decorators
        ):
            continue
        first = function.usages[0]
        exposed = ", ".join(dict.fromkeys(u.what for u in function.usages))
        confidence = Confidence.HIGH if route.receiver_kind != "unknown" else Confidence.MEDIUM
        yield make_finding(
            "FW106",
            module,
            first.span,
            f"Route {route.path or function.qualname!r} ({function.qualname}) exposes "
            f"{exposed} with no authentication: it can leak secrets and process internals "
            "to anyone. Remove it, or require authentication and keep it out of production.",
            confidence=confidence,
        )
