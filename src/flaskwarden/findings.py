"""The finding model shared by every mode: scan, probe, audit and guard.

A :class:`Finding` names a catalog rule, says where the problem is and carries the
message a user reads. Findings are frozen so they can be hashed, sorted, pickled
across worker processes and compared in tests.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered, so thresholds compare with ``>=``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a user-given level such as ``high`` (case-insensitive)."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}; choose one of: {choices}") from None


class Confidence(enum.IntEnum):
    """How sure the rule is that the finding is real."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Location:
    """A region in a file (1-based lines, 1-based columns), optionally with a note."""

    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    message: str = ""

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)


@dataclass(frozen=True)
class Edit:
    """Replace the text of a region with ``replacement``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A proposed change. ``safe`` fixes keep behaviour for a correctly deployed app."""

    description: str
    edits: tuple[Edit, ...] = ()
    safe: bool = True


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule at one place."""

    rule: str
    message: str
    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    severity: Severity = Severity.MEDIUM
    confidence: Confidence = Confidence.HIGH
    snippet: str = ""
    related: tuple[Location, ...] = ()
    fix: Fix | None = None
    fingerprint: str = ""
    # Overrides the rule's primary CWE when the rule covers several (FW402).
    cwe: int | None = None
    # True when ``related`` is an ordered path from a source to this sink (taint):
    # reported as a SARIF codeFlow and shown as a path in text.
    flow: bool = False

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint(self.rule, self.path, self.snippet))

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """Something flaskwarden could not do, said so the run can go on.

    ``kind`` is a short stable token that tests and tools can match on: scan inputs
    (``syntax-error``, ``encoding``, ``unreadable``, ``too-large``, ``binary``,
    ``symlink-loop``, ``broken-symlink``, ``not-found``, ``too-complex``, ``yaml-error``,
    ``helm-chart`` (a chart's unrendered templates, one per chart),
    ``template-syntax``, ``template-tag`` for tags read as no-ops), configuration
    (``config``, ``suppression``), the audit
    (``audit-request``, ``audit-reimport``), and ``internal-error`` for a bug in
    flaskwarden (never expected; please report).
    """

    path: str
    kind: str
    message: str
    line: int = 0


_SPACE = re.compile(r"\s+")


def normalize_snippet(snippet: str) -> str:
    """Fold white space so fingerprints survive re-indentation and reformatting."""
    return _SPACE.sub(" ", snippet).strip()


def fingerprint(rule: str, path: str, snippet: str) -> str:
    """A stable identity for a finding: rule, path and normalised code, not line numbers."""
    digest = hashlib.sha256(f"{rule}\0{path}\0{normalize_snippet(snippet)}".encode())
    return digest.hexdigest()[:32]


@dataclass
class Report:
    """Everything one run produced, in deterministic order."""

    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stats: dict[str, int | float] = field(default_factory=dict)
    root: str = "."

    def sort(self) -> None:
        self.findings.sort(key=lambda f: f.sort_key)
        self.diagnostics.sort()
