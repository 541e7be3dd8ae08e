"""Jinja2 templates, parsed with Jinja2's own parser (never rendered) into a small model.

The model says, per template: which context variables it reads, where each is printed
and whether that output is escaped (Flask's autoescape-by-extension, ``|safe``,
``{% autoescape false %}``), which variables it defines itself (``{% set %}``, loops,
macro parameters), and which templates it extends, includes or imports. Rules join it
with the Python side's ``render_template`` calls.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Final

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from flaskwarden.findings import Diagnostic

# Flask turns autoescaping on for these extensions (flask.app.Flask.select_jinja_autoescape).
AUTOESCAPE_EXTENSIONS: Final = (".html", ".htm", ".xml", ".xhtml", ".svg")
# Names Flask and Jinja put in every template context.
CONTEXT_GLOBALS: Final = frozenset(
    {
        "request",
        "session",
        "g",
        "config",
        "url_for",
        "get_flashed_messages",
        "range",
        "dict",
        "lipsum",
        "cycler",
        "joiner",
        "namespace",
        "self",
        "loop",
        "super",
        "caller",
        "varargs",
        "kwargs",
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        # Globals that common extensions register from their own packages
        # (Flask-WTF, Flask-Login, Flask-Babel, Flask-Moment, Flask-CKEditor,
        # Flask-Dropzone, Flask-Bootstrap, Flask-PageDown, Flask-Share)
        "csrf_token",
        "current_user",
        "_",
        "gettext",
        "ngettext",
        "get_locale",
        "moment",
        "ckeditor",
        "dropzone",
        "bootstrap",
        "pagedown",
        "share",
    }
)
# Globals an extension registers only when the app uses it (by package): the same name
# in an app without that extension is a variable some view forgot to pass.
EXTENSION_GLOBALS: Final[dict[str, frozenset[str]]] = {
    "flask_session_captcha": frozenset({"captcha"}),
    "flask_simple_captcha": frozenset({"captcha"}),
    "flask_recaptcha": frozenset({"recaptcha"}),
    "flask_hcaptcha": frozenset({"hcaptcha"}),
    "flask_mde": frozenset({"mde"}),
    "flask_fontawesome": frozenset({"fontawesome_html", "fontawesome_css", "fontawesome_js"}),
}
_EXTENSIONS: Final = ("jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols")


@dataclass(frozen=True)
class Output:
    """A place where a context variable is printed."""

    name: str
    line: int
    escaped: bool
    how: str  # "|safe", "autoescape false", "not autoescaped (.txt)", or "" when escaped


@dataclass
class Template:
    """What one template reads, prints and pulls in."""

    path: str
    name: str  # the name render_template uses (relative to its templates folder)
    autoescape: bool
    reads: dict[str, int] = field(default_factory=dict)  # variable -> first line
    # variable -> (column, end column) of that first read on its line, 1-based
    read_columns: dict[str, tuple[int, int]] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    defines: set[str] = field(default_factory=set)
    # Names bound by loops, macros and {% with %} anywhere in the template: visible to
    # templates it includes from inside those scopes.
    locals_seen: set[str] = field(default_factory=set)
    # Variables the template itself guards: `x|default(...)`, `x is defined`.
    optional: set[str] = field(default_factory=set)
    extends: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    dynamic_includes: bool = False
    # Tags of extensions flaskwarden does not know ({% try %}): read as no-ops, with
    # the line of each, so that the rest of the template is still analysed.
    unknown_tags: list[tuple[str, int]] = field(default_factory=list)


def template_name(rel: str) -> str:
    """The render_template name of a file: its path below the nearest ``templates`` dir."""
    parts = PurePosixPath(rel).parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "templates":
            return "/".join(parts[i + 1 :])
    return PurePosixPath(rel).name


class _ThirdPartyBlocks(Extension):
    """Block tags of common extensions (Flask-Caching's ``{% cache %}``, webassets'
    ``{% assets %}``, ...): their arguments are skipped and their body is parsed as
    ordinary template code, so what it prints is still analysed."""

    tags = {"cache", "assets", "spaceless", "compress", "markdown"}  # noqa: RUF012
    # Variables a block sets for its body: {% assets %} gives ASSET_URL (and EXTRA).
    defines: Final = {"assets": ("ASSET_URL", "EXTRA")}

    def parse(self, parser: Parser) -> list[nodes.Node]:
        token = next(parser.stream)
        _skip_arguments(parser)
        body = parser.parse_statements((f"name:end{token.value}",), drop_needle=True)
        names = self.defines.get(token.value, ())
        if not names:
            return body
        # as {% with ASSET_URL = "" %}: defined inside the block only
        targets: list[nodes.Expr] = [nodes.Name(n, "store") for n in names]
        values: list[nodes.Expr] = [nodes.Const("") for _ in names]
        return [nodes.With(targets, values, body, lineno=token.lineno)]


def _skip_arguments(parser: Parser) -> None:
    """Pass over a tag's arguments, up to the ``%}`` that ends it."""
    while parser.stream.current.type != "block_end":
        next(parser.stream)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(extensions=[*_EXTENSIONS, _ThirdPartyBlocks], autoescape=False)


_ENV: jinja2.Environment | None = None
_MAX_UNKNOWN_TAGS: Final = 8
_UNKNOWN_TAG: Final = re.compile(r"^Encountered unknown tag '(?P<tag>[A-Za-z_]\w*)'")


def _unknown_tag(message: str) -> str | None:
    match = _UNKNOWN_TAG.match(message)
    return match.group("tag") if match else None


@functools.lru_cache(maxsize=64)
def _lenient_environment(tags: frozenset[str]) -> jinja2.Environment:
    """The environment, plus ``tags`` read as tags that do nothing: an app's own
    extension ({% try %} ... {% catch %} ... {% endtry %}) should not cost the analysis
    of everything else in the template."""

    class _Ignored(Extension):
        def parse(self, parser: Parser) -> list[nodes.Node]:
            next(parser.stream)
            _skip_arguments(parser)
            return []

    _Ignored.tags = set(tags)
    return jinja2.Environment(
        extensions=[*_EXTENSIONS, _ThirdPartyBlocks, _Ignored], autoescape=False
    )


def parse_template(rel: str, data: bytes) -> Template | Diagnostic:
    """Parse one template file; a diagnostic for binary, undecodable or invalid ones."""
    global _ENV
    if b"\0" in data:
        return Diagnostic(rel, "binary", "binary file in a templates folder; skipped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Diagnostic(rel, "encoding", f"template is not UTF-8 ({exc.reason}); skipped")
    if _ENV is None:
        _ENV = _environment()
    unknown: list[tuple[str, int]] = []
    env = _ENV
    while True:
        try:
            tree = env.parse(text, name=rel, filename=rel)
            break
        except jinja2.TemplateSyntaxError as exc:
            tag = _unknown_tag(exc.message or "")
            if tag is None or len(unknown) >= _MAX_UNKNOWN_TAGS:
                message = f"Jinja syntax error: {exc.message}"
                return Diagnostic(rel, "template-syntax", message, exc.lineno)
            unknown.append((tag, exc.lineno))
            env = _lenient_environment(frozenset(t for t, _ in unknown))
        except RecursionError:
            return Diagnostic(rel, "too-complex", "template nested too deeply to parse; skipped")
    autoescape = rel.lower().endswith(AUTOESCAPE_EXTENSIONS)
    template = Template(path=rel, name=template_name(rel), autoescape=autoescape)
    template.unknown_tags = unknown
    try:
        _Walker(template).walk(tree)
    except RecursionError:
        return Diagnostic(rel, "too-complex", "template nested too deeply to analyse; skipped")
    template.read_columns = _read_columns(template.reads, text)
    return template


def _read_columns(reads: dict[str, int], text: str) -> dict[str, tuple[int, int]]:
    """Where on its line each variable is first read: the first whole-word match
    inside a ``{{ }}``/``{% %}`` on that line (Jinja's parser gives lines only)."""
    lines = text.splitlines()
    found: dict[str, tuple[int, int]] = {}
    for name, line in reads.items():
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        opened = min((i for i in (source.find("{{"), source.find("{%")) if i >= 0), default=0)
        match = re.compile(rf"(?<![\w.]){re.escape(name)}\b").search(source, opened)
        if match is not None:
            found[name] = (match.start() + 1, match.end() + 1)
    return found


class _Walker:
    """Collects reads, outputs, definitions and references of one template."""

    def __init__(self, template: Template) -> None:
        self.t = template

    def walk(self, tree: nodes.Template) -> None:
        self._visit(tree, autoescape=self.t.autoescape, local=frozenset())

    def _visit(self, node: nodes.Node, autoescape: bool, local: frozenset[str]) -> None:
        if isinstance(node, nodes.Output):
            for printed in node.nodes:
                if isinstance(printed, nodes.TemplateData):
                    continue
                self._output(printed, autoescape, local)
                self._reads(printed, local)
            return
        if isinstance(node, nodes.ScopedEvalContextModifier):
            escaping = autoescape
            for option in node.options:
                if option.key == "autoescape" and isinstance(option.value, nodes.Const):
                    escaping = bool(option.value.value)
            for stmt in node.body:
                self._visit(stmt, escaping, local)
            return
        if isinstance(node, nodes.Extends):
            self._reference(node.template, self.t.extends)
            self._reads(node.template, local)
            return
        if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport)):
            self._reference(node.template, self.t.includes)
            self._reads(node.template, local)
            if isinstance(node, nodes.Import):
                self.t.defines.add(node.target)
            elif isinstance(node, nodes.FromImport):
                for imported in node.names:
                    self.t.defines.add(imported if isinstance(imported, str) else imported[1])
            return
        if isinstance(node, nodes.For):
            self._reads(node.iter, local)
            names = {n.name for n in _names(node.target)}
            self.t.locals_seen |= names
            inner = local | names | {"loop"}
            for stmt in (*node.body, *node.else_):
                self._visit(stmt, autoescape, inner)
            if node.test is not None:
                self._reads(node.test, inner)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.Macro):
                self.t.defines.add(node.name)
            params = {a.name for a in node.args}
            self.t.locals_seen |= params
            for default in node.defaults:
                self._reads(default, local)
            if isinstance(node, nodes.CallBlock):
                self._reads(node.call, local)
            inner = local | params | {"caller", "varargs", "kwargs"}
            for stmt in node.body:
                self._visit(stmt, autoescape, inner)
            return
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            for target in _names(node.target):
                self.t.defines.add(target.name)
            if isinstance(node, nodes.Assign):
                self._reads(node.node, local)
            else:
                for stmt in node.body:
                    self._visit(stmt, autoescape, local)
            return
        if isinstance(node, nodes.With):
            names = {n.name for t in node.targets for n in _names(t)}
            self.t.locals_seen |= names
            for bound in node.values:
                self._reads(bound, local)
            for stmt in node.body:
                self._visit(stmt, autoescape, local | names)
            return
        if isinstance(node, (nodes.If, nodes.FilterBlock)):
            condition: nodes.Node | None = node.test if isinstance(node, nodes.If) else node.filter
            if condition is not None:
                self._reads(condition, local)
        if isinstance(node, nodes.ExprStmt):
            self._reads(node.node, local)
            return
        for child in node.iter_child_nodes():
            if isinstance(child, (nodes.Stmt, nodes.Template)):
                self._visit(child, autoescape, local)

    def _reference(self, target: nodes.Expr, into: list[str]) -> None:
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            into.append(target.value)
        elif isinstance(target, (nodes.List, nodes.Tuple)):
            for item in target.items:
                self._reference(item, into)
        else:
            self.t.dynamic_includes = True

    def _reads(self, expr: nodes.Node, local: frozenset[str]) -> None:
        for guard in (*expr.find_all((nodes.Filter, nodes.Test)), expr):
            if isinstance(guard, nodes.Filter):
                guarded = guard.name in ("default", "d")
            elif isinstance(guard, nodes.Test):
                guarded = guard.name in ("defined", "undefined")
            else:
                continue
            if guarded and isinstance(guard.node, nodes.Name):
                self.t.optional.add(guard.node.name)
        for name in _names(expr):
            if name.ctx == "load" and name.name not in local:
                self.t.reads.setdefault(name.name, name.lineno)

    def _output(self, expr: nodes.Node, autoescape: bool, local: frozenset[str]) -> None:
        """Record each context variable printed by ``expr`` and whether it is escaped."""
        safe = False
        root = expr
        while isinstance(root, (nodes.Filter, nodes.Getattr, nodes.Getitem)):
            if isinstance(root, nodes.Filter) and root.name == "safe":
                safe = True
            if isinstance(root, nodes.Filter) and root.name in _ESCAPING_FILTERS:
                return
            if isinstance(root, nodes.Filter):
                if root.node is None:
                    return
                root = root.node
            else:
                root = root.node
        names = list(_printed_names(root))
        for name in names:
            if name in local:
                continue
            if safe:
                how = "|safe"
            elif not autoescape:
                how = (
                    "{% autoescape false %}"
                    if self.t.autoescape
                    else f"not autoescaped ({PurePosixPath(self.t.path).suffix or 'no extension'})"
                )
            else:
                how = ""
            self.t.outputs.append(Output(name, expr.lineno, escaped=not how, how=how))


# Filters whose output is HTML-safe: escape, and Flask's tojson (it escapes <, >, & and
# ' and returns Markup, so `{{ data|tojson|safe }}` is the documented safe idiom).
_ESCAPING_FILTERS: Final = frozenset({"escape", "e", "forceescape", "tojson"})


def _names(node: nodes.Node) -> Iterator[nodes.Name]:
    """Every Name in ``node``, including ``node`` itself (``find_all`` skips it)."""
    if isinstance(node, nodes.Name):
        yield node
    yield from node.find_all(nodes.Name)


def _printed_names(node: nodes.Node) -> Iterator[str]:
    """Context variables whose value ends up in the output of ``node``."""
    if isinstance(node, nodes.Name) and node.ctx == "load":
        yield node.name
    elif isinstance(node, (nodes.Concat, nodes.Add)):
        for child in node.iter_child_nodes():
            yield from _printed_names(child)
    elif isinstance(node, nodes.CondExpr):
        yield from _printed_names(node.expr1)
        if node.expr2 is not None:
            yield from _printed_names(node.expr2)
    elif isinstance(node, nodes.Mod):
        yield from _printed_names(node.left)
        yield from _printed_names(node.right)
