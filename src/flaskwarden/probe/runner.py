"""Run the probe against one target: fetch the pages, run every check, build the report.

The target URL's own response must be fetched (otherwise there is nothing to judge and
:class:`ProbeFailed` says why, in one sentence). Anything else that fails, runs out of
time or is cut at the size cap becomes a report diagnostic, and the probe goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import httpx

from flaskwarden.findings import Diagnostic, Report
from flaskwarden.probe.checks import PROBE_CHECKS
from flaskwarden.probe.client import Budget, ProbeError, SafeClient, is_harmless_to_debugger
from flaskwarden.probe.model import (
    PAGE_BYTES,
    CandidateKey,
    Fetched,
    Method,
    ProbeContext,
    Target,
    TargetError,
)

__all__ = ["ProbeFailed", "ProbeOptions", "TargetError", "run_probe"]


class ProbeFailed(Exception):
    """The target URL itself could not be fetched: nothing was checked."""


@dataclass(frozen=True)
class ProbeOptions:
    """How to probe: extra paths, time limits and extra candidate secret keys."""

    paths: tuple[str, ...] = ()
    timeout: float = 10.0
    budget: float = 60.0
    extra_keys: Iterable[CandidateKey] = ()


@dataclass
class _Recorder:
    """The checks' :class:`~flaskwarden.probe.model.Fetch`: fetches once, records failures.

    Each URL is fetched at most once per method and header set; a failure becomes one
    diagnostic; requests refused because the time budget ran out are listed together
    at the end.
    """

    client: SafeClient
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _cache: dict[tuple[str, str, tuple[tuple[str, str], ...]], Fetched | None] = field(
        default_factory=dict
    )
    _skipped: list[str] = field(default_factory=list)
    _refused: set[str] = field(default_factory=set)

    def __call__(
        self,
        url: str,
        *,
        method: Method = "GET",
        headers: Mapping[str, str] | None = None,
        max_bytes: int = PAGE_BYTES,
    ) -> Fetched | None:
        key = (method, url, tuple(sorted((headers or {}).items())))
        if key not in self._cache:
            self._cache[key] = self._fetch(url, method, headers, max_bytes)
        return self._cache[key]

    def _fetch(
        self, url: str, method: Method, headers: Mapping[str, str] | None, max_bytes: int
    ) -> Fetched | None:
        try:
            fetched = self.client.fetch(url, method=method, headers=headers, max_bytes=max_bytes)
        except ProbeError as exc:
            if exc.kind == "budget":
                self._skipped.append(url)
            else:
                self.diagnostics.append(Diagnostic(url, exc.kind, exc.message))
            return None
        self.note_redirect(fetched)
        return fetched

    def note_redirect(self, fetched: Fetched) -> None:
        target = fetched.redirect_refused
        if target is not None and target not in self._refused:
            self._refused.add(target)
            if self.client.target.same_origin(target):
                why = "a Werkzeug debugger command; not followed (the probe never sends one)"
            else:
                why = (
                    f"another origin; not followed (the probe stays on "
                    f"{self.client.target.origin}; probe that URL directly if it is the app)"
                )
            self.diagnostics.append(
                Diagnostic(fetched.url, "redirect-refused", f"redirects to {target}, {why}")
            )

    def note_page(self, page: Fetched) -> None:
        if page.truncated:
            self.diagnostics.append(
                Diagnostic(
                    page.url,
                    "truncated",
                    f"the response is larger than {PAGE_BYTES // 1024} KiB; only that much "
                    "was read and checked",
                )
            )

    def finish(self, budget: Budget) -> None:
        if self._skipped:
            self.diagnostics.append(
                Diagnostic(
                    self.client.target.url,
                    "budget",
                    f"time budget of {budget.seconds:g} s used up; not checked: "
                    + ", ".join(dict.fromkeys(self._skipped))
                    + " (raise --budget)",
                )
            )


def _page_urls(target: Target, paths: Iterable[str]) -> list[str]:
    urls = []
    for path in paths:
        url = target.resolve(path)
        if not target.same_origin(url):
            raise TargetError(f"--path {path!r} is not on the target origin {target.origin}")
        if not is_harmless_to_debugger(url):
            raise TargetError(f"--path {path!r} sends a debugger command; the probe never does")
        urls.append(url)
    return list(dict.fromkeys(urls))


def run_probe(
    url: str, options: ProbeOptions, *, transport: httpx.BaseTransport | None = None
) -> Report:
    """Probe ``url`` and return the findings and diagnostics.

    Raises :class:`TargetError` for an unusable URL or ``--path`` and
    :class:`ProbeFailed` when the target URL cannot be fetched at all.
    """
    target = Target.parse(url)
    if not is_harmless_to_debugger(target.url):
        raise TargetError(f"{url} sends a Werkzeug debugger command; the probe never does")
    page_urls = _page_urls(target, options.paths)
    budget = Budget(options.budget)
    report = Report()
    with SafeClient(target, timeout=options.timeout, budget=budget, transport=transport) as client:
        recorder = _Recorder(client)
        try:
            main = client.fetch(target.url)
        except ProbeError as exc:
            raise ProbeFailed(f"cannot probe {target.url}: {exc.message}") from exc
        recorder.note_redirect(main)
        recorder.note_page(main)
        pages = [main]
        for page_url in page_urls:
            page = recorder(page_url) if page_url != target.url else None
            if page is not None:
                recorder.note_page(page)
                pages.append(page)
        ctx = ProbeContext(target, main, recorder, pages, options.extra_keys)
        for registered in PROBE_CHECKS:
            try:
                found = list(registered.check(ctx))
            except Exception as exc:  # a bug in a check must not hide the others' results
                report.diagnostics.append(
                    Diagnostic(
                        target.url,
                        "internal-error",
                        f"the {registered.rule} check failed: {type(exc).__name__}: {exc}",
                    )
                )
            else:
                report.findings.extend(found)
        recorder.finish(budget)
        report.diagnostics.extend(recorder.diagnostics)
        report.stats["requests"] = client.requests
    report.sort()
    return report
