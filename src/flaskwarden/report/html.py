"""The HTML report: one self-contained file a team lead can open in any browser.

Summary by severity and by rule, then every finding grouped by file with its code
frame, its source-to-sink path (taint findings) and its proposed fix, with filters by
severity, rule, text and fixability. Styles and script are inline and a Content
Security Policy (with their hashes) forbids everything else: opening the report makes
no network request. Nothing run-dependent (times) is included, so two runs over the
same code give the same file.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
from collections import Counter
from html import escape
from itertools import groupby
from pathlib import Path
from typing import Final

from flaskwarden import __version__, catalog
from flaskwarden.findings import Edit, Finding, Location, Report, Severity
from flaskwarden.report.redact import redact_lines

_CONTEXT: Final = 2
_MAX_FRAME_LINES: Final = 12
_MAX_LINE: Final = 240
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_SEVERITIES: Final = sorted(Severity, reverse=True)

_CSS: Final = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --panel:#f6f8fa;
  --critical:#8b0000; --high:#cf222e; --medium:#bf8700; --low:#0969da; --info:#6e7781;
  --mark:#fff1c2; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  color:var(--fg); background:var(--bg); }
header { padding:20px 32px 12px; border-bottom:1px solid var(--line); background:var(--panel); }
header h1 { margin:0 0 4px; font-size:22px; }
header p { margin:0; color:var(--muted); }
main { padding:16px 32px 48px; max-width:1200px; }
h2 { font-size:17px; margin:24px 0 10px; }
code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  font-size:12.5px; }
.cards { display:flex; gap:12px; flex-wrap:wrap; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:110px;
  background:var(--bg); cursor:pointer; text-align:left; font:inherit; color:inherit; }
.card:hover { border-color:var(--accent); }
.card .n { display:block; font-size:26px; font-weight:600; }
.card .l { color:var(--muted); text-transform:capitalize; }
.card.total { cursor:default; }
.sev-critical .n { color:var(--critical); } .sev-high .n { color:var(--high); }
.sev-medium .n { color:var(--medium); } .sev-low .n { color:var(--low); }
.sev-info .n { color:var(--info); }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); }
th { background:var(--panel); font-weight:600; }
tr.rule-row { cursor:pointer; } tr.rule-row:hover td { background:#f0f6ff; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { display:inline-block; padding:0 8px; border-radius:10px; font-size:12px; font-weight:600;
  color:#fff; text-transform:uppercase; letter-spacing:.02em; }
.badge.critical { background:var(--critical); } .badge.high { background:var(--high); }
.badge.medium { background:var(--medium); } .badge.low { background:var(--low); }
.badge.info { background:var(--info); }
.tag { display:inline-block; padding:0 6px; border:1px solid var(--line); border-radius:4px;
  font-size:12px; color:var(--muted); }
.tag.safe { color:#1a7f37; border-color:#1a7f37; }
.tag.unsafe { color:#9a6700; border-color:#9a6700; }
.filters { position:sticky; top:0; z-index:1; background:var(--bg); display:flex; gap:16px;
  align-items:center; flex-wrap:wrap; padding:10px 0; border-bottom:1px solid var(--line); }
.filters label { white-space:nowrap; }
.filters input[type=search] { padding:4px 8px; min-width:220px; border:1px solid var(--line);
  border-radius:6px; }
.filters select { max-width:240px; padding:3px 6px; border:1px solid var(--line);
  border-radius:6px; }
.shown { margin-left:auto; color:var(--muted); }
.file { margin-top:20px; }
.file > h3 { font-size:14px; margin:0 0 8px; padding:6px 10px; background:var(--panel);
  border:1px solid var(--line); border-radius:6px; }
.finding { border:1px solid var(--line); border-left:4px solid var(--info); border-radius:6px;
  padding:10px 14px; margin:0 0 10px; }
.finding.critical { border-left-color:var(--critical); }
.finding.high { border-left-color:var(--high); }
.finding.medium { border-left-color:var(--medium); } .finding.low { border-left-color:var(--low); }
.finding .head { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
.finding .where { color:var(--muted); margin-left:auto; }
.finding .msg { margin:6px 0; }
pre.frame { margin:6px 0; padding:6px 0; background:var(--panel); border:1px solid var(--line);
  border-radius:6px; overflow-x:auto; }
pre.frame span.ln { display:block; padding:0 10px; white-space:pre; }
pre.frame span.ln.hit { background:var(--mark); }
pre.frame i { font-style:normal; color:var(--muted); user-select:none; }
pre.frame mark { background:#ffd33d; border-radius:2px; }
ol.path { margin:6px 0; padding-left:22px; }
ol.path li { margin:2px 0; } ol.path li.sink { font-weight:600; }
.fix { margin-top:6px; }
pre.diff { margin:4px 0 0; padding:6px 0; border:1px solid var(--line); border-radius:6px;
  overflow-x:auto; }
pre.diff span { display:block; padding:0 10px; white-space:pre; }
pre.diff .del { background:#ffebe9; } pre.diff .ins { background:#dafbe1; }
.empty { padding:24px; text-align:center; color:var(--muted); border:1px dashed var(--line);
  border-radius:8px; }
[hidden] { display:none !important; }
"""

_JS: Final = """
(function () {
  "use strict";
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll(".file"));
  var severities = Array.prototype.slice.call(document.querySelectorAll("input[name=severity]"));
  var rule = document.getElementById("filter-rule");
  var text = document.getElementById("filter-text");
  var fixable = document.getElementById("filter-fixable");
  var shown = document.getElementById("shown-count");
  var none = document.getElementById("no-match");
  function apply() {
    var wanted = {};
    severities.forEach(function (box) { wanted[box.value] = box.checked; });
    var needle = text.value.trim().toLowerCase();
    var count = 0;
    findings.forEach(function (el) {
      var ok = wanted[el.dataset.severity] &&
        (!rule.value || el.dataset.rule === rule.value) &&
        (!fixable.checked || el.dataset.fixable === "1") &&
        (!needle || el.textContent.toLowerCase().indexOf(needle) !== -1);
      el.hidden = !ok;
      if (ok) { count += 1; }
    });
    files.forEach(function (file) {
      file.hidden = !file.querySelector(".finding:not([hidden])");
    });
    shown.textContent = String(count);
    none.hidden = count !== 0 || findings.length === 0;
  }
  function only(severity) {
    severities.forEach(function (box) { box.checked = box.value === severity; });
    apply();
  }
  severities.forEach(function (box) { box.addEventListener("change", apply); });
  [rule, fixable].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  document.querySelectorAll("[data-only-severity]").forEach(function (card) {
    card.addEventListener("click", function () { only(card.dataset.onlySeverity); });
  });
  document.querySelectorAll("tr.rule-row").forEach(function (row) {
    row.addEventListener("click", function () {
      rule.value = rule.value === row.dataset.rule ? "" : row.dataset.rule;
      apply();
    });
  });
  document.getElementById("filter-reset").addEventListener("click", function () {
    severities.forEach(function (box) { box.checked = true; });
    rule.value = ""; text.value = ""; fixable.checked = false;
    apply();
  });
  apply();
})();
"""


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


_CSP: Final = (
    f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


class _Sources:
    """Reads the scanned files once each; a file that cannot be read gets no frame."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            location = Path(path) if Path(path).is_absolute() else self.root / path
            try:
                data = location.read_bytes()[: 4 * 1024 * 1024]
            except OSError:
                self._lines[path] = None
            else:
                lines = _LINE_BREAK.split(data.decode("utf-8", "replace"))
                self._lines[path] = redact_lines(path, lines)
        return self._lines[path]


def _char_column(line: str, column: int) -> int:
    """Finding columns count UTF-8 bytes from 1; a Python string counts code points."""
    return len(line.encode("utf-8")[: max(column - 1, 0)].decode("utf-8", "ignore"))


def _marked(text: str, start: int, end: int) -> str:
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return escape(text)
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"


def _frame(finding: Finding, sources: _Sources) -> str:
    lines = sources.lines(finding.path)
    if not lines or not 0 < finding.line <= len(lines):
        if finding.snippet:
            return f'<pre class="frame"><span class="ln">{escape(finding.snippet)}</span></pre>'
        return ""
    end_line = min(max(finding.end_line, finding.line), len(lines))
    first = max(1, finding.line - _CONTEXT)
    last = min(len(lines), end_line + _CONTEXT, first + _MAX_FRAME_LINES - 1)
    width = len(str(last))
    rows = []
    for number in range(first, last + 1):
        text = lines[number - 1][:_MAX_LINE]
        hit = finding.line <= number <= end_line
        if hit:
            start = _char_column(text, finding.column) if number == finding.line else 0
            stop = _char_column(text, finding.end_column) if number == end_line else len(text)
            if number == end_line and finding.end_column <= 1:
                stop = len(text)
            body = _marked(text, start, stop)
        else:
            body = escape(text)
        css = "ln hit" if hit else "ln"
        rows.append(f'<span class="{css}"><i>{number:>{width}} │ </i>{body}</span>')
    return f'<pre class="frame">{"".join(rows)}</pre>'


def _where(loc: Location | Finding) -> str:
    return f"{loc.path}:{loc.line}"


def _step_code(loc: Location, sources: _Sources) -> str:
    lines = sources.lines(loc.path)
    if not lines or not 0 < loc.line <= len(lines):
        return ""
    return f" <code>{escape(lines[loc.line - 1].strip()[:_MAX_LINE])}</code>"


def _related(finding: Finding, sources: _Sources) -> str:
    if not finding.related:
        return ""
    items = [
        f'<li><span class="mono">{escape(_where(loc))}</span> '
        f"{escape(loc.message or 'related')}{_step_code(loc, sources)}</li>"
        for loc in finding.related
    ]
    if finding.flow:
        items.append(
            f'<li class="sink"><span class="mono">{escape(_where(finding))}</span> sink'
            f"{_step_code(Location(finding.path, finding.line), sources)}</li>"
        )
        steps = "".join(items)
        return (
            '<div class="taint"><strong>Path</strong> (source → sink):'
            f'<ol class="path">{steps}</ol></div>'
        )
    return f'<div class="related"><strong>Related</strong><ul>{"".join(items)}</ul></div>'


def _edit_preview(edit: Edit, lines: list[str] | None) -> list[str]:
    """The lines an edit changes, before (``-``) and after (``+``)."""
    if not lines or not 0 < edit.line <= edit.end_line <= len(lines):
        return [f"+ {line}" for line in edit.replacement.splitlines()]
    before = lines[edit.line - 1 : edit.end_line]
    # Edit columns count code points from 1, end exclusive.
    joined = "\n".join(before)
    start = edit.column - 1
    end = len(joined) - len(before[-1]) + edit.end_column - 1
    after = (joined[:start] + edit.replacement + joined[end:]).split("\n")
    return [
        line
        for line in difflib.ndiff(before, after)
        if line.startswith(("- ", "+ ")) and line.strip() not in ("-", "+")
    ]


def _fix(finding: Finding, sources: _Sources) -> str:
    fix = finding.fix
    if fix is None:
        return ""
    safety = (
        '<span class="tag safe">safe: --fix</span>'
        if fix.safe
        else '<span class="tag unsafe">unsafe: --fix --unsafe-fixes</span>'
    )
    rows = []
    for edit in fix.edits:
        for line in _edit_preview(edit, sources.lines(edit.path)):
            css = "del" if line.startswith("-") else "ins"
            rows.append(f'<span class="{css}">{escape(line[:_MAX_LINE])}</span>')
    return (
        f'<div class="fix"><strong>Fix</strong> {safety} {escape(fix.description)}'
        f'<pre class="diff">{"".join(rows)}</pre></div>'
    )


def _finding(finding: Finding, sources: _Sources) -> str:
    spec = catalog.spec(finding.rule)
    sev = finding.severity.label
    cwe = finding.cwe if finding.cwe is not None else spec.primary_cwe
    cwe_tag = f'<span class="tag">CWE-{cwe}</span>' if cwe else ""
    confidence = (
        ""
        if finding.confidence.label == "high"
        else f'<span class="tag">confidence: {finding.confidence.label}</span>'
    )
    return (
        f'<article class="finding {sev}" data-severity="{sev}" data-rule="{finding.rule}" '
        f'data-fixable="{1 if finding.fix else 0}">'
        f'<div class="head"><span class="badge {sev}">{sev}</span>'
        f"<strong>{finding.rule}</strong> <span>{escape(spec.name)}</span>{cwe_tag}{confidence}"
        f'<span class="where mono">{escape(finding.path)}:{finding.line}:{finding.column}</span>'
        f"</div>"
        f'<p class="msg">{escape(finding.message)}</p>'
        f"{_frame(finding, sources)}{_related(finding, sources)}{_fix(finding, sources)}"
        f"</article>"
    )


def _summary(report: Report) -> str:
    by_severity = Counter(f.severity for f in report.findings)
    cards = [
        f'<div class="card total"><span class="n" id="count-total">{len(report.findings)}</span>'
        f'<span class="l">findings</span></div>'
    ]
    for severity in _SEVERITIES:
        label = severity.label
        cards.append(
            f'<button type="button" class="card sev-{label}" data-only-severity="{label}" '
            f'title="Show only {label} findings">'
            f'<span class="n" data-count-severity="{label}">{by_severity[severity]}</span>'
            f'<span class="l">{label}</span></button>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


def _rules_table(report: Report) -> str:
    by_rule = Counter(f.rule for f in report.findings)
    if not by_rule:
        return ""
    rows = []
    for rule_id in sorted(by_rule):
        spec = catalog.spec(rule_id)
        worst = max(f.severity for f in report.findings if f.rule == rule_id).label
        cwe = f"CWE-{spec.primary_cwe}" if spec.primary_cwe else "-"
        rows.append(
            f'<tr class="rule-row" data-rule="{rule_id}" title="Show only {rule_id}">'
            f"<td><strong>{rule_id}</strong></td><td>{escape(spec.name)}</td>"
            f"<td>{escape(spec.title)}</td><td>{cwe}</td>"
            f'<td><span class="badge {worst}">{worst}</span></td>'
            f'<td class="num" data-count-rule="{rule_id}">{by_rule[rule_id]}</td></tr>'
        )
    return (
        "<h2>By rule</h2><table><thead><tr><th>Rule</th><th>Name</th><th>What</th>"
        '<th>CWE</th><th>Worst</th><th class="num">Findings</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _filters(report: Report) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="severity" value="{s.label}" checked> '
        f"{s.label}</label>"
        for s in _SEVERITIES
    )
    options = "".join(
        f'<option value="{rule}">{rule} {escape(catalog.spec(rule).name)}</option>'
        for rule in sorted({f.rule for f in report.findings})
    )
    return (
        f'<div class="filters" role="search">{boxes}'
        f'<select id="filter-rule" aria-label="Rule"><option value="">All rules</option>'
        f"{options}</select>"
        '<input type="search" id="filter-text" placeholder="Filter by text, path, code…" '
        'aria-label="Filter by text">'
        '<label><input type="checkbox" id="filter-fixable"> fixable only</label>'
        '<button type="button" id="filter-reset">Reset</button>'
        f'<span class="shown">Showing <strong id="shown-count">{len(report.findings)}</strong>'
        f" of {len(report.findings)}</span></div>"
    )


def _diagnostics(report: Report) -> str:
    if not report.diagnostics:
        return ""
    rows = "".join(
        f'<tr><td class="mono">{escape(d.path)}{f":{d.line}" if d.line else ""}</td>'
        f"<td>{escape(d.kind)}</td><td>{escape(d.message)}</td></tr>"
        for d in report.diagnostics
    )
    return (
        f'<h2 id="diagnostics">Diagnostics ({len(report.diagnostics)})</h2>'
        "<p>Files or inputs that could not be checked.</p>"
        f"<table><thead><tr><th>Where</th><th>Kind</th><th>Message</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    sources = _Sources(Path(report.root))
    files = report.stats.get("files")
    scanned = f"{files} file{'s' if files != 1 else ''} scanned · " if files is not None else ""
    groups = []
    for path, group in groupby(report.findings, key=lambda f: f.path):
        items = list(group)
        groups.append(
            f'<section class="file"><h3 class="mono">{escape(path)} '
            f'<span class="tag">{len(items)}</span></h3>'
            f"{''.join(_finding(f, sources) for f in items)}</section>"
        )
    if report.findings:
        body = (
            f"{_filters(report)}{''.join(groups)}"
            '<p class="empty" id="no-match" hidden>No finding matches these filters.</p>'
        )
    else:
        body = (
            '<p class="empty">No findings.</p>'
            f"{_filters(report)}"
            '<p class="empty" id="no-match" hidden>No finding matches these filters.</p>'
        )
    project = Path(report.root).resolve().name or report.root
    suppressed = report.stats.get("suppressed")
    baselined = report.stats.get("baselined")
    notes = "".join(
        [
            f" · {suppressed} suppressed" if suppressed else "",
            f" · {baselined} in baseline" if baselined else "",
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>flaskwarden report: {len(report.findings)} findings</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>flaskwarden report</h1><p>{escape(scanned)}{escape(project)}"
        f" · flaskwarden {escape(__version__)}{escape(notes)}</p></header>"
        f"<main><h2>Summary</h2>{_summary(report)}{_rules_table(report)}"
        f"<h2>Findings</h2>{body}{_diagnostics(report)}</main>"
        f"<script>{_JS}</script></body></html>\n"
    )
