"""The project model: Python module facts joined across files.

It answers the questions the rules ask instead of matching strings: *is this name a
Flask app?* (direct ``Flask(...)``, a factory's return value, an alias, an import from
another module of the project), *which configuration does this ``from_object`` load?*,
*does module level reach this function at import time?*, *is this function a route?*.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from flaskwarden.findings import Confidence
from flaskwarden.python import names
from flaskwarden.python.evaluate import Evaluator, Value
from flaskwarden.python.facts import (
    SCRIPT_SERVERS,
    UNNAMED,
    Assigned,
    ClassFacts,
    ConfigLoad,
    FunctionFacts,
    Gate,
    ModuleFacts,
    Origin,
    Ref,
)
from flaskwarden.python.source import module_name

# "other": known *not* to be an app (a Celery instance, a thread, a socket server...).
Kind = Literal[
    "flask-app",
    "blueprint",
    "socketio",
    "script-manager",  # Flask-Script's Manager: `manage.py <command>`
    "script-server",  # Flask-Script's Server command: the development server
    "other-app",
    "other",
    "unknown",
]

_CLASS_KINDS: Final[dict[str, Kind]] = {
    "flask.Flask": "flask-app",
    "flask.app.Flask": "flask-app",
    "flask.Blueprint": "blueprint",
    "flask.blueprints.Blueprint": "blueprint",
    "flask_socketio.SocketIO": "socketio",
    "quart.Quart": "other-app",
    "fastapi.FastAPI": "other-app",
    "apiflask.APIFlask": "flask-app",
    "connexion.FlaskApp": "other-app",
    "flask_script.Manager": "script-manager",
    "flask.ext.script.Manager": "script-manager",
    **dict.fromkeys(SCRIPT_SERVERS, "script-server"),
}
_VALUE_KINDS: Final[dict[str, Kind]] = {
    "flask.current_app": "flask-app",
    "flask.globals.current_app": "flask-app",
}
_APP_NAMES: Final = frozenset({"app", "application", "flask_app", "webapp", "wsgi_app"})
# Third-party packages whose classes may be Flask apps in disguise (Flask subclasses,
# Dash wrapping one): a class imported from them is not assumed to be something else.
_FLASKY_PACKAGES: Final = re.compile(r"^(flask|dash)", re.IGNORECASE)
_CONFIG_CLASS_NAME: Final = re.compile(r"(config|settings|configuration|conf)$", re.IGNORECASE)
_CONFIG_MODULE_NAME: Final = re.compile(
    r"(^|[._])(config|settings|local_settings|conf|default_settings|[a-z_]*_config|"
    r"[a-z_]*_settings)$"
)
_MODEL_BASES: Final = frozenset(
    {"Model", "Base", "DeclarativeBase", "Document", "DynamicDocument", "EmbeddedDocument"}
)


@dataclass(frozen=True)
class Resolved:
    kind: Kind
    confidence: Confidence


UNKNOWN_KIND: Final = Resolved("unknown", Confidence.LOW)


@dataclass(frozen=True)
class ClassRef:
    module: ModuleFacts
    cls: ClassFacts


@dataclass(frozen=True)
class Route:
    module: ModuleFacts
    function: FunctionFacts
    receiver_kind: Kind
    path: str
    methods: tuple[str, ...]


def is_dev_name(name: str) -> bool:
    """Named for development or testing (``DevelopmentConfig``, ``TestingConfig``)."""
    return names.is_dev_name(name)


def package_of(directory: Path) -> str:
    """The dotted package a scanned directory is: ``redash`` for ``redash/`` holding an
    ``__init__.py`` (``pkg.sub`` for nested packages), "" for a project root or a file."""
    parts: list[str] = []
    current = Path(os.path.abspath(directory))
    while (current / "__init__.py").is_file() and current.name.isidentifier():
        parts.append(current.name)
        if current.parent == current:
            break
        current = current.parent
    return ".".join(reversed(parts))


class Project:
    """All Python modules of one scan, with the joins the rules need."""

    def __init__(
        self,
        modules: Iterable[ModuleFacts],
        lazy: Mapping[str, Callable[[], ModuleFacts | None]] | None = None,
        package: str = "",
    ) -> None:
        """``modules`` were analysed up-front; ``lazy`` maps the paths of the other Python
        files (skipped by the prefilter) to a loader, called only when an import needs
        one of them. ``package`` is the dotted package the scanned directory itself is
        (:func:`package_of`), so that ``from redash.handlers import x`` finds
        ``handlers/`` when ``redash/`` is what was scanned."""
        self.modules: list[ModuleFacts] = sorted(modules, key=lambda m: m.path)
        self._entries: dict[str, ModuleFacts | Callable[[], ModuleFacts | None] | None] = {
            m.path: m for m in self.modules
        }
        for path, loader in (lazy or {}).items():
            self._entries.setdefault(path, loader)
        self._by_suffix: dict[str, list[str]] = {}
        prefix = package.split(".") if package else []
        for path in sorted(self._entries):
            name = module_name(path)
            parts = name.split(".")
            if prefix:
                parts = prefix if name == "__init__" else [*prefix, *parts]
            for i in range(len(parts)):
                self._by_suffix.setdefault(".".join(parts[i:]), []).append(path)
        # app.py next to app/: Python imports the package, whatever imports it
        packages = {
            p.removesuffix("/__init__.py") for p in self._entries if p.endswith("/__init__.py")
        }
        if packages:
            for suffix, paths in self._by_suffix.items():
                if len(paths) > 1:
                    self._by_suffix[suffix] = [
                        p for p in paths if p.removesuffix(".py") not in packages
                    ]
        self._kind_cache: dict[tuple[str, str], Resolved] = {}
        self._reachable: dict[str, set[str]] = {}
        self._subclasses: dict[tuple[str, str], list[ClassRef]] | None = None
        self._loaded_classes: dict[tuple[str, str], tuple[ClassRef, ModuleFacts, ConfigLoad]] | None
        self._loaded_classes = None
        self._loaded_modules: dict[str, tuple[ModuleFacts, ModuleFacts, ConfigLoad]] | None = None
        self._hashed_anywhere: set[str] | None = None
        self._imported: set[str] | None = None

    def _entry(self, path: str) -> ModuleFacts | None:
        entry = self._entries.get(path)
        if entry is None or isinstance(entry, ModuleFacts):
            return entry
        self._entries[path] = None  # a loader runs once, even if it fails
        loaded = entry()
        self._entries[path] = loaded
        return loaded

    # -- modules ------------------------------------------------------------------

    def find_module(self, dotted_name: str, near: ModuleFacts | None = None) -> ModuleFacts | None:
        """The project module for an import name, preferring the one nearest ``near``."""
        paths = self._by_suffix.get(dotted_name)
        if not paths:
            return None
        if len(paths) > 1 and near is not None:
            paths = sorted(paths, key=lambda p: -_common_prefix(p, near.path))
        for path in paths:
            module = self._entry(path)
            if module is not None:
                return module
        return None

    def find_module_by_file(self, filename: str, near: ModuleFacts) -> ModuleFacts | None:
        """A module loaded by ``from_pyfile("name.py")``: same name, nearest directory."""
        base = filename.rsplit("/", 1)[-1]
        matches = [p for p in self._entries if p.rsplit("/", 1)[-1] == base]
        near_dir = near.path.rsplit("/", 1)[0] if "/" in near.path else ""
        for path in sorted(matches, key=lambda p: -_common_prefix(p, near_dir)):
            module = self._entry(path)
            if module is not None:
                return module
        return None

    def split_import(self, qualified: str, near: ModuleFacts) -> tuple[ModuleFacts, str] | None:
        """``pkg.mod.name`` -> (module ``pkg.mod``, ``name``) when it is in the project."""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.find_module(".".join(parts[:cut]), near)
            if module is not None:
                return module, ".".join(parts[cut:])
        return None

    # -- what a name is ---------------------------------------------------------------

    def kind_of(self, ref: Ref, module: ModuleFacts) -> Resolved:
        """What kind of object ``ref`` (as written in ``module``) holds."""
        resolved = self._value_kind(ref, module, 0)
        if resolved.kind == "unknown" and module.imports_flask:
            name = ref.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
            if name in _APP_NAMES and not ref.startswith("call:"):
                return Resolved("flask-app", Confidence.MEDIUM)
        return resolved

    def is_app(self, ref: Ref, module: ModuleFacts) -> Resolved | None:
        resolved = self.kind_of(ref, module)
        return resolved if resolved.kind == "flask-app" else None

    def _value_kind(self, ref: Ref, module: ModuleFacts, depth: int) -> Resolved:
        if depth > 12 or ref == UNNAMED:
            return UNKNOWN_KIND
        key = (module.path, ref)
        cached = self._kind_cache.get(key)
        if cached is not None:
            return cached
        self._kind_cache[key] = UNKNOWN_KIND  # recursion guard
        result = self._compute_value_kind(ref, module, depth)
        self._kind_cache[key] = result
        return result

    def _compute_value_kind(self, ref: Ref, module: ModuleFacts, depth: int) -> Resolved:
        kind, _, payload = ref.partition(":")
        if kind == "call":
            return self._call_kind(payload, module, depth + 1)
        if kind in ("global", "local"):
            found = self._bound_kind(module.bindings.get(payload, []), module, depth)
            if found.kind == "unknown" and kind == "global" and payload in module.imports:
                return self._value_kind(f"import:{module.imports[payload]}", module, depth + 1)
            return found
        if kind == "self":
            cls, _, attr = payload.partition(".")
            if not attr:  # the instance itself: what its class makes
                return self._call_kind(f"global:{cls}", module, depth + 1)
            return self._bound_kind(module.bindings.get(ref, []), module, depth)
        if kind == "param":
            name = payload.rsplit(":", 1)[-1]
            if name in _APP_NAMES:
                return Resolved("flask-app", Confidence.MEDIUM)
            return UNKNOWN_KIND
        if kind == "import":
            if payload in _VALUE_KINDS:
                return Resolved(_VALUE_KINDS[payload], Confidence.HIGH)
            split = self.split_import(payload, module)
            if split is None:
                return UNKNOWN_KIND
            target, name = split
            if "." in name:
                return UNKNOWN_KIND
            return self._value_kind(f"global:{name}", target, depth + 1)
        return UNKNOWN_KIND

    def _bound_kind(self, origins: Iterable[Origin], module: ModuleFacts, depth: int) -> Resolved:
        """The first known kind among what a name was bound to."""
        for origin in origins:
            if origin.kind == "call":
                found = self._call_kind(origin.ref, module, depth + 1)
            elif origin.kind == "alias":
                found = self._value_kind(origin.ref, module, depth + 1)
            else:
                continue
            if found.kind != "unknown":
                return found
        return UNKNOWN_KIND

    def _call_kind(self, callee: Ref, module: ModuleFacts, depth: int) -> Resolved:
        """The kind of what calling ``callee`` returns (a class, or a factory function)."""
        if depth > 12:
            return UNKNOWN_KIND
        kind, _, payload = callee.partition(":")
        if kind == "import":
            if payload in _CLASS_KINDS:
                return Resolved(_CLASS_KINDS[payload], Confidence.HIGH)
            split = self.split_import(payload, module)
            if split is None:
                return _external_call_kind(payload)
            target, name = split
            return self._call_kind(f"global:{name}", target, depth + 1)
        if kind == "global":
            function = module.functions.get(payload)
            if function is not None:
                return self._bound_kind(function.returns, module, depth)
            cls = module.classes.get(payload)
            if cls is not None:
                # An app class wins over mixins: class App(LoggingMixin, Flask).
                kinds = [self._call_kind(base, module, depth + 1) for base in cls.bases]
                for found in kinds:
                    if found.kind not in ("unknown", "other"):
                        return found
                if kinds and all(found.kind == "other" for found in kinds):
                    return kinds[0]
                return UNKNOWN_KIND
            if payload in module.imports:
                return self._call_kind(f"import:{module.imports[payload]}", module, depth + 1)
        return UNKNOWN_KIND

    def import_chain(self, ref: Ref, module: ModuleFacts) -> Iterator[tuple[ModuleFacts, str]]:
        """The project modules an ``import:`` ref leads through, each with the name it
        has there, first to last, following re-exports (``from .common import
        request`` in a package's ``__init__``). Ends at a name the module does not
        import, at a dotted name (``Settings.DEBUG``) or where the project ends."""
        seen: set[str] = set()
        while ref.startswith("import:") and ref not in seen:
            seen.add(ref)
            split = self.split_import(ref[7:], module)
            if split is None:
                return
            module, name = split
            yield module, name
            if "." in name or name not in module.imports:
                return
            ref = f"import:{module.imports[name]}"

    def constant(self, ref: Ref, module: ModuleFacts) -> tuple[ModuleFacts, str, Assigned] | None:
        """The module constant an ``import:`` ref names (``from flags import DEBUG``,
        ``flags.DEBUG``), with the module that defines it, following re-exports."""
        for target, name in self.import_chain(ref, module):
            if "." in name:
                # Settings.DEBUG_MODE: a constant of a settings class
                owner, _, attr = name.partition(".")
                cls = target.classes.get(owner)
                if cls is None or attr not in cls.attrs or "." in attr:
                    return None
                return target, name, cls.attrs[attr]
            if name in target.constants:
                return target, name, target.constants[name]
        return None

    def config_settings(self, key: str) -> list[tuple[ModuleFacts, Assigned]]:
        """Where the project sets config ``key`` to a known value: config writes
        (``app.config["K"] = v``), config classes and modules that ``from_object`` or
        ``from_pyfile`` loads. A reading of ``app.config["K"]`` may get any of them."""
        found: list[tuple[ModuleFacts, Assigned]] = []
        for module in self.modules:
            for write in module.config_writes:
                if write.key == key and write.value.known:
                    found.append((module, Assigned(write.value, write.span)))
        for ref, _, _ in self.loaded_classes().values():
            attr = self.effective_attr(ref, key)
            if attr is not None and attr[1].value.known:
                found.append((attr[0].module, attr[1]))
        for loaded, _, _ in self.loaded_modules().values():
            constant = loaded.constants.get(key)
            if constant is not None and constant.value.known:
                found.append((loaded, constant))
        return found

    def gated_off(self, gates: Iterable[Gate], module: ModuleFacts) -> bool:
        """Whether one of ``gates`` keeps its branch from running when no environment
        variable is set: ``else:`` of ``if settings.FLASK_DEBUG == "False":`` where
        ``FLASK_DEBUG = os.environ.get("SKF_FLASK_DEBUG") or "False"`` (off unless set)."""
        for gate in gates:
            constants: dict[str, Value] = {}
            for placeholder, ref in gate.refs:
                found = self.constant(ref, module)
                if found is None:
                    break
                constants[placeholder] = found[2].value
            else:
                try:
                    test = ast.parse(gate.test, mode="eval").body
                except (SyntaxError, ValueError):
                    continue
                value = Evaluator(module.imports, constants).evaluate(test)
                if value.known and value.env and value.truthy != gate.branch:
                    return True
        return False

    # -- import-time reachability -----------------------------------------------------

    def is_imported(self, module: ModuleFacts) -> bool:
        """Whether another module of the project imports this one (or a name from it):
        a library of the app, whose ``__main__`` block is a manual self-test."""
        if self._imported is None:
            self._imported = set()
            for other in self.modules:
                for target in set(other.imports.values()):
                    for name in (target, target.rpartition(".")[0]):
                        found = self.find_module(name, other) if name else None
                        if found is not None and found is not other:
                            self._imported.add(found.path)
        return module.path in self._imported

    def import_time_functions(self, module: ModuleFacts) -> set[str]:
        """Module-level functions that module level calls, directly or through others."""
        cached = self._reachable.get(module.path)
        if cached is not None:
            return cached
        seen: set[str] = set()
        stack = list(module.import_time_calls)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            function = module.functions.get(name)
            if function is not None:
                stack.extend(function.calls)
        self._reachable[module.path] = seen
        return seen

    def runs_at_import(self, module: ModuleFacts, scope: str) -> bool:
        top = scope.split(".", 1)[0]
        return top in self.import_time_functions(module)

    # -- configuration ------------------------------------------------------------

    def resolve_class(self, ref: Ref, module: ModuleFacts, depth: int = 0) -> ClassRef | None:
        if depth > 8:
            return None
        kind, _, payload = ref.partition(":")
        if kind == "call":  # from_object(ProductionConfig()): an instance of the class
            return self.resolve_class(payload, module, depth + 1)
        if kind == "global":
            cls = module.classes.get(payload)
            if cls is not None:
                return ClassRef(module, cls)
            if payload in module.imports:
                return self.resolve_class(f"import:{module.imports[payload]}", module, depth + 1)
            return None
        if kind in ("import", "str"):
            split = self.split_import(payload, module)
            if split is None:
                return None
            target, name = split
            if "." in name:
                return None
            return self.resolve_class(f"global:{name}", target, depth + 1)
        return None

    def mro(self, ref: ClassRef) -> Iterator[ClassRef]:
        """The class and its project bases, depth first (enough for config classes)."""
        seen: set[tuple[str, str]] = set()
        stack = [ref]
        while stack:
            current = stack.pop(0)
            key = (current.module.path, current.cls.name)
            if key in seen:
                continue
            seen.add(key)
            yield current
            for base in current.cls.bases:
                resolved = self.resolve_class(base, current.module)
                if resolved is not None:
                    stack.append(resolved)

    def effective_attr(self, ref: ClassRef, name: str) -> tuple[ClassRef, Assigned] | None:
        for cls in self.mro(ref):
            if name in cls.cls.attrs:
                return cls, cls.cls.attrs[name]
        return None

    def subclasses(self, ref: ClassRef) -> list[ClassRef]:
        """Project classes deriving (directly or not) from ``ref``."""
        if self._subclasses is None:
            self._subclasses = {}
            for module in self.modules:
                for cls in module.classes.values():
                    child = ClassRef(module, cls)
                    for base in self.mro(child):
                        if base != child:
                            key = (base.module.path, base.cls.name)
                            self._subclasses.setdefault(key, []).append(child)
        return self._subclasses.get((ref.module.path, ref.cls.name), [])

    def loaded_classes(self) -> dict[tuple[str, str], tuple[ClassRef, ModuleFacts, ConfigLoad]]:
        """Classes some ``from_object`` loads, with the module and call that load them."""
        if self._loaded_classes is not None:
            return self._loaded_classes
        found: dict[tuple[str, str], tuple[ClassRef, ModuleFacts, ConfigLoad]] = {}
        for module in self.modules:
            for load in module.config_loads:
                if load.method != "from_object":
                    continue
                for target, where in self._load_targets(load, module):
                    cls = self.resolve_class(target, where)
                    if cls is not None:
                        found.setdefault((cls.module.path, cls.cls.name), (cls, module, load))
        self._loaded_classes = found
        return found

    def _load_targets(
        self, load: ConfigLoad, module: ModuleFacts
    ) -> Iterator[tuple[Ref, ModuleFacts]]:
        """What a from_object may load, with the module each ref is written in: the
        target, the values of a dict it subscripts, here or imported from another
        module (``from config import config; from_object(config[name])``)."""
        for target in (load.target, *load.candidates):
            yield target, module
        if load.mapping.startswith("import:"):
            split = self.split_import(load.mapping[7:], module)
            if split is not None and "." not in split[1]:
                where, name = split
                for target in where.mappings.get(name, ()):
                    yield target, where

    def loaded_modules(self) -> dict[str, tuple[ModuleFacts, ModuleFacts, ConfigLoad]]:
        """Modules whose upper-case names become config (from_object("m"), from_pyfile)."""
        if self._loaded_modules is not None:
            return self._loaded_modules
        found: dict[str, tuple[ModuleFacts, ModuleFacts, ConfigLoad]] = {}
        for module in self.modules:
            for load in module.config_loads:
                target: ModuleFacts | None = None
                if load.method == "from_pyfile" and load.target.startswith("str:"):
                    target = self.find_module_by_file(load.target[4:], module)
                elif load.method == "from_object":
                    name = load.target.partition(":")[2]
                    if load.target.startswith(("str:", "import:")):
                        target = self.find_module(name, module)
                if target is not None:
                    found.setdefault(target.path, (target, module, load))
        self._loaded_modules = found
        return found

    def is_config_module(self, module: ModuleFacts) -> bool:
        return module.path in self.loaded_modules() or bool(
            _CONFIG_MODULE_NAME.search(module.module)
        )

    def is_config_class(self, ref: ClassRef) -> bool:
        """Loaded by ``from_object``, named like configuration, deriving from such a
        class, or the base of one (``class Common`` under ``class Production(Common)``)."""
        return self._is_config_like(ref) or any(
            self._is_config_like(sub) for sub in self.subclasses(ref)
        )

    def _is_config_like(self, ref: ClassRef) -> bool:
        if (ref.module.path, ref.cls.name) in self.loaded_classes():
            return True
        for cls in self.mro(ref):
            if _CONFIG_CLASS_NAME.search(cls.cls.name):
                return True
            if (cls.module.path, cls.cls.name) in self.loaded_classes():
                return True
        return False

    # -- passwords ----------------------------------------------------------------

    def hashes_on_set(self, attr: str, ref: Ref, module: ModuleFacts) -> bool:
        """Whether setting ``attr`` (on an instance of the class ``ref`` names, if known)
        goes through a hashing setter or constructor, so the value stored is a hash.

        When the class cannot be resolved (``current_user.password = ...``) the answer is
        whether any project class hashes an attribute of that name: the common
        ``@password.setter`` pattern on the one User model.
        """
        cls = self.resolve_class(ref, module) if ref != UNNAMED else None
        if cls is not None:
            return any(self._class_hashes(c, attr) for c in self.mro(cls))
        if self._hashed_anywhere is None:
            self._hashed_anywhere = {
                name
                for m in self.modules
                for c in m.classes.values()
                for name in (*c.hashed_attrs, *(a for a, _ in c.descriptors))
                if name in c.hashed_attrs or self._class_hashes(ClassRef(m, c), name)
            }
        return attr in self._hashed_anywhere

    def _class_hashes(self, cls: ClassRef, attr: str) -> bool:
        """``attr`` is hashed by this class: a setter, ``__init__``, or a descriptor
        (``password = PasswordProperty(...)``) whose ``__set__`` hashes."""
        if attr in cls.cls.hashed_attrs:
            return True
        for name, descriptor in cls.cls.descriptors:
            if name != attr:
                continue
            target = self.resolve_class(descriptor, cls.module)
            if target is not None and any(
                "__set__" in c.cls.hashed_attrs for c in self.mro(target)
            ):
                return True
        return False

    def is_data_model(self, ref: Ref, module: ModuleFacts) -> bool | None:
        """Whether a class is a database model (SQLAlchemy, Flask-SQLAlchemy, Django,
        MongoEngine style bases); None when the class is not in the project."""
        cls = self.resolve_class(ref, module) if ref != UNNAMED else None
        if cls is None:
            return None
        unknown = False
        for c in self.mro(cls):
            for base in c.cls.bases:
                if base == UNNAMED:
                    unknown = True  # db.Model on a module-level db = SQLAlchemy()
                    continue
                last = base.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
                if last in _MODEL_BASES or last.endswith("Model"):
                    return True
        return None if unknown else False

    # -- routes -------------------------------------------------------------------

    def routes(self, module: ModuleFacts) -> Iterator[Route]:
        for function in module.functions.values():
            for deco in function.decorators:
                if deco.attr not in names.ROUTE_ATTRS:
                    continue
                resolved = self.kind_of(deco.receiver, module)
                known = resolved.kind in ("flask-app", "blueprint")
                if not known and not (resolved.kind == "unknown" and module.imports_flask):
                    continue
                methods = deco.methods or (
                    (deco.attr.upper(),) if deco.attr != "route" else ("GET",)
                )
                path = deco.args[0] if deco.args else ""
                yield Route(module, function, resolved.kind, path, methods)
                break
        for rule in module.url_rules:
            view = module.functions.get(rule.function)
            if view is None or any(d.attr in names.ROUTE_ATTRS for d in view.decorators):
                continue
            resolved = self.kind_of(rule.receiver, module)
            if resolved.kind in ("flask-app", "blueprint"):
                yield Route(module, view, resolved.kind, rule.path, rule.methods or ("GET",))


def _external_call_kind(qualified: str) -> Resolved:
    """What calling a name imported from outside the project makes.

    A class from another library (``celery.Celery``, ``threading.Thread``) is not a Flask
    app, whatever the variable holding it is called; a function (``myapp.create_app``
    from a package not in the scan) or a class from a Flask extension may return one.
    """
    last = qualified.rsplit(".", 1)[-1]
    if _FLASKY_PACKAGES.match(qualified) or not last[:1].isupper():
        return UNKNOWN_KIND
    return Resolved("other", Confidence.HIGH)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
