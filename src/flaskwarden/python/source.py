"""From bytes to facts for one Python file, turning every kind of bad input into a
:class:`Diagnostic` instead of an exception."""

from __future__ import annotations

import ast
import importlib
import io
import tokenize
from pathlib import PurePosixPath
from typing import Final

from flaskwarden import catalog
from flaskwarden.findings import Diagnostic
from flaskwarden.python.analyze import ModuleAnalyzer, statement_spans, suppression_comments
from flaskwarden.python.facts import ModuleFacts

# A file that contains none of these bytes cannot trigger any Python rule: it is not
# parsed up-front (the project model still parses it on demand if another module
# imports something from it).
PREFILTER: Final = (
    b"flask",
    b"Flask",
    b"SECRET",
    b"secret",
    b"assword",
    b"ASSWORD",
    b"asswd",
    b"ASSWD",
    b"pwd",
    b"PWD",
    b"://",
    b"hashlib",
    b"DEBUG",
    b"debug",
    b".run(",
    b"run_simple",
    b"TOKEN",
    b"oken",
    b"_KEY",
    b"_key",
    b"SALT",
    b"_COOKIE_",
    b"WTF_CSRF",
    b"strict_slashes",
    b"set_cookie",
    # Views and their registration in modules that need not name Flask at all: a
    # class-based view over the project's own base class, a plugin's install(app).
    b"def get(",
    b"def post(",
    b"def put(",
    b"def patch(",
    b"def delete(",
    b"dispatch_request",
    b"register_blueprint",
    b"add_url_rule",
    # GraphQL resolvers, whose arguments are request data (taint.graphql)
    b"graphene",
    b"ariadne",
    b"strawberry",
)
_TEST_DIRS: Final = frozenset({"tests", "test", "testing"})
# Further analyses of the same tree, each ``(tree, text, path, imports) -> picklable``,
# stored on the module's facts under the attribute named here. A rule family that
# needs its own view of the code adds a line, not a change to the core analyzer.
EXTRA_ANALYZERS: Final[tuple[tuple[str, str], ...]] = (
    ("taint", "flaskwarden.taint.engine:analyze_taint"),
    ("app", "flaskwarden.appfacts:analyze_app"),
)


def wanted(data: bytes) -> bool:
    """Whether a file could matter to a rule (cheap byte search, no decoding)."""
    return any(token in data for token in PREFILTER)


def module_name(rel: str) -> str:
    """Dotted module name for a path relative to the scan root."""
    path = PurePosixPath(rel)
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p not in ("", ".", "..", "/")) or path.stem


def is_test_path(rel: str) -> bool:
    path = PurePosixPath(rel)
    name = path.name
    return (
        any(
            part in _TEST_DIRS or part.endswith(("_tests", "_test")) or part == "e2e"
            for part in path.parts[:-1]
        )
        or name == "conftest.py"
        or name.startswith("test_")
        or name.endswith("_test.py")
    )


def decode(rel: str, data: bytes) -> str | Diagnostic:
    if b"\0" in data:
        return Diagnostic(rel, "binary", "contains NUL bytes; not Python source, skipped")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return Diagnostic(rel, "encoding", f"bad encoding declaration: {exc.msg}; skipped")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return Diagnostic(rel, "encoding", f"cannot decode as {encoding}: {exc}; skipped")
    return text.removeprefix("\ufeff")


def analyze_python(rel: str, data: bytes) -> ModuleFacts | Diagnostic:
    """Facts for one file, or the diagnostic that says why there are none."""
    text = decode(rel, data)
    if isinstance(text, Diagnostic):
        return text
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        message = f"syntax error: {exc.msg}; file skipped"
        return Diagnostic(rel, "syntax-error", message, exc.lineno or 0)
    except (RecursionError, MemoryError):
        return Diagnostic(rel, "too-complex", "nested too deeply to parse; file skipped")
    except ValueError as exc:
        return Diagnostic(rel, "syntax-error", f"cannot parse: {exc}; file skipped")
    try:
        facts = ModuleAnalyzer(tree, text, rel, module_name(rel), is_test_path(rel)).run()
        _suppressions(facts, tree, text)
    except RecursionError:
        return Diagnostic(rel, "too-complex", "nested too deeply to analyse; file skipped")
    for attribute, target in EXTRA_ANALYZERS:
        module, _, function = target.partition(":")
        analyzer = getattr(importlib.import_module(module), function)
        try:
            setattr(facts, attribute, analyzer(tree, text, rel, facts.imports))
        except RecursionError:
            setattr(facts, attribute, None)
    return facts


def _suppressions(facts: ModuleFacts, tree: ast.Module, text: str) -> None:
    comments = list(suppression_comments(text))
    if not comments:
        return
    spans = statement_spans(tree)
    for line, codes, raw in comments:
        if codes is None:
            facts.suppression_problems.append(
                (line, f"'{raw}' names no rule; write the codes, e.g. flaskwarden: ignore[FW101]")
            )
            continue
        known = set()
        for code in sorted(codes):
            if catalog.is_code(code):
                known.add(code)
            else:
                facts.suppression_problems.append((line, f"unknown rule code {code!r} in '{raw}'"))
        if not known:
            continue
        # the innermost statement containing the comment's line covers the suppression
        covering = [s for s in spans if s[0] <= line <= s[1]]
        start, end = min(covering, key=lambda s: s[1] - s[0]) if covering else (line, line)
        for covered in range(start, end + 1):
            facts.suppressions[covered] = facts.suppressions.get(covered, frozenset()) | known
