"""The rule catalog: one explicit table of every rule id, and the docs that go with it.

The table below is the single place where ids, names, CWEs and default severities are
declared (as ruff keeps its codes in one table: greppable, no collisions). Each mode
registers the units that implement a rule with :func:`implements`; a unit's docstring,
written in fixed ruff-style sections, becomes the rule's documentation. ``flaskwarden
rules``, ``flaskwarden explain``, SARIF rule metadata and the docs all read from here.

Docstring sections (markdown ``##`` headings, in this order)::

    ## What it does
    ## Why is this bad?
    ## Example          (fenced code that must trigger the rule)
    ## Use instead      (fenced code that must not)
    ## Fix safety
    ## References
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from flaskwarden.findings import Confidence, Severity

MODES: Final = ("scan", "probe", "audit", "guard")
DOC_SECTIONS: Final = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "References",
)

# The modules whose import registers implementations, by mode. Kept explicit (not
# discovered) so that the catalog is complete without scanning the package at run
# time, and per mode so that a scan does not import the probe, audit and guard checks
# (and what they import) just to start.
_IMPLEMENTATION_MODULES: Final[dict[str, tuple[str, ...]]] = {
    "scan": (
        "flaskwarden.rules.debug",
        "flaskwarden.rules.secrets",
        "flaskwarden.rules.deploy",
        "flaskwarden.rules.injection",
        "flaskwarden.rules.sessions",
        "flaskwarden.rules.resources",
        "flaskwarden.rules.correctness",
    ),
    # The other modes' modules must import without Flask installed.
    "probe": ("flaskwarden.probe.checks",),
    "audit": ("flaskwarden.audit.checks",),
    "guard": ("flaskwarden.guard.checks",),
}


@dataclass(frozen=True)
class CodeExample:
    """A fenced code block from a rule's docs, with the file name it is scanned as."""

    language: str
    filename: str
    code: str


@dataclass(frozen=True)
class RuleDocs:
    summary: str
    sections: dict[str, str]

    def section(self, name: str) -> str:
        return self.sections.get(name, "")

    def examples(self, section: str) -> list[CodeExample]:
        return _code_blocks(self.section(section))

    def markdown(self) -> str:
        parts = [self.summary, ""]
        for name in DOC_SECTIONS:
            if name in self.sections:
                parts += [f"## {name}", self.sections[name], ""]
        return "\n".join(parts).strip() + "\n"


@dataclass(frozen=True)
class RuleSpec:
    """One row of the table: what the rule is, independent of how it is checked."""

    id: str
    name: str
    title: str
    cwe: tuple[int, ...]
    severity: Severity
    confidence: Confidence = Confidence.HIGH

    @property
    def family(self) -> str:
        return self.id[:3]

    @property
    def primary_cwe(self) -> int | None:
        return self.cwe[0] if self.cwe else None


@dataclass
class Rule:
    """A catalog rule with what implements it and its docs."""

    spec: RuleSpec
    modes: set[str] = field(default_factory=set)
    docs: RuleDocs | None = None
    docs_mode: str = ""

    @property
    def id(self) -> str:
        return self.spec.id


_H, _M, _L, _C, _I = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL, Severity.INFO

# fmt: off
TABLE: Final[tuple[RuleSpec, ...]] = (
    # FW1: debug mode and the development server
    RuleSpec("FW101", "debug-enabled", "Debug mode enabled in code", (489,), _H),
    RuleSpec("FW102", "run-at-import", "app.run() reached at import time", (668,), _M),
    RuleSpec("FW103", "dev-server-all-interfaces", "Development server bound to every interface", (1327,), _M),  # noqa: E501
    RuleSpec("FW104", "dev-server-in-production", "Development server as the production entrypoint", (489,), _H),  # noqa: E501
    RuleSpec("FW105", "debug-in-deploy-config", "Debug switched on by deployment configuration", (489,), _H),  # noqa: E501
    RuleSpec("FW106", "diagnostic-endpoint", "Diagnostic endpoint reachable without authentication", (215,), _H),  # noqa: E501
    RuleSpec("FW107", "sensitive-file-served", "Sensitive file served over HTTP (.env, .git)", (538,), _H),  # noqa: E501
    RuleSpec("FW108", "traceback-disclosure", "Error pages disclose tracebacks", (209,), _M),
    RuleSpec("FW109", "testing-mode-enabled", "TESTING or LOGIN_DISABLED on in a deployed app", (489,), _M),  # noqa: E501
    # FW2: secrets and configuration
    RuleSpec("FW201", "hardcoded-secret-key", "Hardcoded SECRET_KEY", (798,), _H),
    RuleSpec("FW202", "insecure-secret-fallback", "Secret with a literal fallback value", (1188,), _H),  # noqa: E501
    RuleSpec("FW203", "per-process-secret-key", "SECRET_KEY generated per process", (), _M),
    RuleSpec("FW204", "hardcoded-credentials", "Credentials in code", (798,), _H),
    RuleSpec("FW205", "committed-env-file", "Committed env file with secrets", (538,), _H),
    RuleSpec("FW206", "weak-password-hash", "Weak or missing password hashing", (916,), _H),
    # FW3: injection and output encoding
    RuleSpec("FW301", "reflected-xss", "Reflected XSS in a view's HTML response", (79,), _H),
    RuleSpec("FW302", "template-xss", "Request data rendered unescaped in a template", (79,), _H),
    RuleSpec("FW303", "template-injection", "Server-side template injection", (1336,), _C),
    RuleSpec("FW304", "open-redirect", "Open redirect", (601,), _M),
    RuleSpec("FW305", "sql-injection", "SQL injection", (89,), _C),
    RuleSpec("FW306", "path-traversal", "Path traversal", (22,), _H),
    RuleSpec("FW307", "upload-in-static-folder", "Upload saved under the static folder", (434,), _H),  # noqa: E501
    RuleSpec("FW308", "code-injection", "Code or command injection", (94,), _C),
    RuleSpec("FW309", "ssrf", "Server-side request forgery", (918,), _H),
    # FW4: sessions, CSRF, cookies, headers
    RuleSpec("FW401", "missing-csrf-protection", "State-changing forms without CSRF protection", (352,), _M),  # noqa: E501
    RuleSpec("FW402", "insecure-session-cookie", "Insecure session cookie configuration", (1004, 614, 1275), _M),  # noqa: E501
    RuleSpec("FW403", "insecure-set-cookie", "Sensitive cookie set without security flags", (614,), _M),  # noqa: E501
    RuleSpec("FW404", "missing-security-headers", "No security headers", (693,), _L),
    RuleSpec("FW405", "sensitive-session-data", "Secrets or personal data in the signed (not encrypted) session cookie", (315,), _M),  # noqa: E501
    RuleSpec("FW406", "permissive-cors", "CORS allows any origin with credentials", (942,), _M),
    # FW5: concurrency and resources
    RuleSpec("FW501", "unbounded-request-cache", "Unbounded module-level container grown per request", (770,), _M),  # noqa: E501
    RuleSpec("FW502", "per-request-global", "Module global assigned per request", (362,), _H),
    RuleSpec("FW503", "blocking-view", "Blocking call in a synchronous view", (400,), _M),
    RuleSpec("FW504", "http-without-timeout", "Outbound HTTP without a timeout in the request path", (1088,), _M),  # noqa: E501
    RuleSpec("FW505", "weakref-of-immutable", "Weak reference container storing str/int/bytes", (704,), _M),  # noqa: E501
    RuleSpec("FW506", "shared-db-connection", "One database connection shared by all threads", (362,), _M),  # noqa: E501
    RuleSpec("FW507", "async-view", "async def view on Flask", (), _I),
    # FW6: production readiness and Flask correctness
    RuleSpec("FW601", "method-not-allowed-branch", "Branch on a method the route does not allow", (), _M),  # noqa: E501
    RuleSpec("FW602", "post-without-redirect", "Successful POST renders instead of redirecting", (), _L),  # noqa: E501
    RuleSpec("FW603", "unregistered-blueprint", "Blueprint never registered", (), _M),
    RuleSpec("FW604", "undefined-template-variable", "Template variable never passed", (), _L),
    RuleSpec("FW605", "global-strict-slashes-off", "strict_slashes disabled globally", (), _I),
    RuleSpec("FW606", "server-reload-in-production", "Reload or debug in a production server config", (489,), _M),  # noqa: E501
)
# fmt: on

_RULES: Final[dict[str, Rule]] = {spec.id: Rule(spec) for spec in TABLE}
_CODE_RE: Final = re.compile(r"^FW\d{3}$")
_loaded: Final[set[str]] = set()  # modes whose implementations are imported

F = TypeVar("F", bound=Callable[..., object])


def implements(rule_id: str, mode: str = "scan") -> Callable[[F], F]:
    """Register the decorated unit as implementing ``rule_id`` in ``mode``.

    A unit whose docstring has the fixed sections supplies the rule's docs; a scan
    unit's docs win over other modes' so that the text is about the code pattern.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    rule = _RULES.get(rule_id)
    if rule is None:
        raise KeyError(f"{rule_id} is not in the catalog table")

    def decorator(func: F) -> F:
        rule.modes.add(mode)
        docs = parse_docs(inspect.getdoc(func) or "")
        if docs is not None and (
            rule.docs is None or (mode == "scan" and rule.docs_mode != "scan")
        ):
            rule.docs = docs
            rule.docs_mode = mode
        return func

    return decorator


def _load(*modes: str) -> None:
    """Import the implementations of ``modes`` (all modes when none is named)."""
    for mode in modes or MODES:
        if mode not in _loaded:
            _loaded.add(mode)
            for module in _IMPLEMENTATION_MODULES[mode]:
                importlib.import_module(module)


def all_rules() -> list[Rule]:
    """Every rule that at least one mode implements, in id order."""
    _load()
    return [rule for rule in _RULES.values() if rule.modes]


def implemented_in(mode: str) -> list[Rule]:
    """The rules ``mode`` implements, in id order, importing only that mode's checks.

    A rule's docs may then come from this mode alone (a scan's docs are preferred
    anyway); use :func:`all_rules` or :func:`get` for the full catalog.
    """
    _load(mode)
    return [rule for rule in _RULES.values() if mode in rule.modes]


def get(rule_id: str) -> Rule:
    """The rule with this id (implemented or not); ``KeyError`` if the id is unknown."""
    _load()
    return _RULES[rule_id.upper()]


def spec(rule_id: str) -> RuleSpec:
    """Table metadata for an id, without importing any implementation."""
    return _RULES[rule_id].spec


def is_code(text: str) -> bool:
    """Whether ``text`` is a known catalog id (implemented or not)."""
    return text.upper() in _RULES


def looks_like_code(text: str) -> bool:
    return bool(_CODE_RE.match(text.upper()))


def expand(selectors: list[str]) -> tuple[set[str], list[str]]:
    """Expand ``FW1``, ``FW10``, ``FW101`` or ``ALL`` into ids; also return unknown ones."""
    ids: set[str] = set()
    unknown: list[str] = []
    for raw in selectors:
        sel = raw.strip().upper()
        if not sel:
            continue
        if sel == "ALL":
            ids.update(_RULES)
            continue
        matched = {rid for rid in _RULES if rid.startswith(sel)} if sel.startswith("FW") else set()
        if matched:
            ids.update(matched)
        else:
            unknown.append(raw.strip())
    return ids, unknown


_SECTION_RE: Final = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_FENCE_RE: Final = re.compile(
    r"^```(?P<lang>[\w.-]*)(?:[ \t]+title=(?P<title>\S+))?[ \t]*\n(?P<code>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_DEFAULT_FILENAMES: Final = {
    "python": "app.py",
    "py": "app.py",
    "dockerfile": "Dockerfile",
    "yaml": "docker-compose.yml",
    "env": ".env",
    "jinja": "templates/page.html",
    "html+jinja": "templates/page.html",
    "procfile": "Procfile",
    "ini": "uwsgi.ini",
}


def parse_docs(text: str) -> RuleDocs | None:
    """Split a ruff-style docstring into its sections; ``None`` when it has none."""
    matches = list(_SECTION_RE.finditer(text))
    if not matches:
        return None
    summary = text[: matches[0].start()].strip()
    sections: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections[match.group(1)] = text[match.end() : end].strip()
    return RuleDocs(summary=summary, sections=sections)


def _code_blocks(text: str) -> list[CodeExample]:
    blocks = []
    for match in _FENCE_RE.finditer(text):
        lang = match.group("lang") or "python"
        filename = match.group("title") or _DEFAULT_FILENAMES.get(lang, "app.py")
        blocks.append(CodeExample(lang, filename, match.group("code")))
    return blocks
