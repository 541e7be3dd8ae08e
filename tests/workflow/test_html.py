"""The HTML report: self-contained, escaped, and correct when a real browser renders it.

The browser test drives Debian's headless Chromium (installed by `make test`) over the
DevTools protocol: it checks the rendered counts against the report, exercises the
filters, collects console errors (CSP violations included) and takes a screenshot.
A missing Chromium fails the test: it is part of the suite, not optional.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.workflow.chromium import Browser, ChromiumMissing, find_chromium
from tests.workflow.helpers import EXAMPLE, invoke

WIDTH, HEIGHT = 1280, 900


def _html(project: Path, out: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    code, _, err = invoke(
        "scan", project, "--no-config", "--format", "html", "--output", out, *extra
    )
    assert code in (0, 1), err
    assert "Wrote html report with" in err
    _, data, _ = invoke("scan", project, "--no-config", "--format", "json", *extra)
    return out.read_text(encoding="utf-8"), json.loads(data)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_report_is_self_contained_and_locked_down(tmp_path: Path) -> None:
    html, _ = _html(EXAMPLE, tmp_path / "report.html")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no network resources"
    assert "@import" not in html and "url(" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(styles) == len(scripts) == 1
    assert csp.group(1).startswith("default-src 'none';")
    assert f"style-src {_csp_hash(styles[0])};" in csp.group(1)
    assert f"script-src {_csp_hash(scripts[0])};" in csp.group(1)
    assert " style=" not in html  # inline style attributes would be blocked by the CSP


def test_code_and_messages_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        'app.run(debug=True, extra_files=["</pre><script>alert(1)</script>"])\n'
    )
    html, _ = _html(tmp_path, tmp_path / "report.html")
    assert "<script>alert(1)" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_is_deterministic(tmp_path: Path) -> None:
    first, _ = _html(EXAMPLE, tmp_path / "a.html")
    second, _ = _html(EXAMPLE, tmp_path / "b.html")
    assert first == second


def _png_size_and_colours(data: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image data has."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels))


@pytest.fixture(scope="module")
def chromium() -> Any:
    """One browser for the module, or why there is none (each test then fails)."""
    try:
        find_chromium()
    except ChromiumMissing as exc:
        yield str(exc)
        return
    with Browser() as started:
        yield started


def _browser(chromium: Browser | str) -> Browser:
    """Called in the test body, so a missing Chromium is a test failure, not a skip."""
    if isinstance(chromium, str):
        pytest.fail(chromium, pytrace=False)
    return chromium


def test_console_error_detection_works(chromium: Browser | str) -> None:
    """The harness itself: a page that logs an error and breaks its CSP is caught."""
    browser = _browser(chromium)
    page = (
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline'\"><script>console.error('boom')</script>"
        "<img src='https://example.invalid/x.png'>"
    )
    browser.open("data:text/html;base64," + base64.b64encode(page.encode()).decode())
    errors = browser.console_errors()
    assert "boom" in errors
    assert any("Content Security Policy" in e for e in errors), errors


def test_report_renders_with_the_right_counts_in_chromium(
    chromium: Browser | str, tmp_path: Path
) -> None:
    browser = _browser(chromium)
    html_path = tmp_path / "report.html"
    _, data = _html(EXAMPLE, html_path)
    findings = data["findings"]
    assert findings, "the example must have findings"
    by_severity = Counter(f["severity"] for f in findings)
    by_rule = Counter(f["rule"] for f in findings)

    browser.open(html_path.as_uri(), WIDTH, HEIGHT)
    page = browser.evaluate(
        """(() => {
          const text = (sel) => document.querySelector(sel).textContent.trim();
          const all = (sel) => Array.from(document.querySelectorAll(sel));
          return {
            title: document.title,
            total: text("#count-total"),
            shown: text("#shown-count"),
            articles: all("article.finding").length,
            frames: all("article.finding pre.frame").length,
            paths: all("article.finding ol.path").length,
            fixes: all("article.finding .fix").length,
            severities: Object.fromEntries(
              all("[data-count-severity]").map((e) => [e.dataset.countSeverity, e.textContent])),
            rules: Object.fromEntries(
              all("[data-count-rule]").map((e) => [e.dataset.countRule, e.textContent])),
            visible: document.querySelector("main").getBoundingClientRect().height > 500,
          };
        })()"""
    )
    assert page["title"] == f"flaskwarden report: {len(findings)} findings"
    assert page["total"] == page["shown"] == str(len(findings))
    assert page["articles"] == page["frames"] == len(findings)
    assert page["paths"] == sum(1 for f in findings if f["flow"])
    assert page["fixes"] == sum(1 for f in findings if f["fix"])
    assert page["severities"] == {
        s: str(by_severity[s]) for s in ("critical", "high", "medium", "low", "info")
    }
    assert page["rules"] == {rule: str(n) for rule, n in by_rule.items()}
    assert page["visible"]

    shot = tmp_path / "report.png"
    width, height, colours = _png_size_and_colours(browser.screenshot(shot))
    assert (width, height) == (WIDTH, HEIGHT)
    assert colours > 50, "the screenshot looks blank"
    keep = os.environ.get("FLASKWARDEN_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "report.png")

    # Filters: a severity card, a rule, the fixable switch, free text, then reset.
    worst = next(s for s in ("critical", "high", "medium", "low", "info") if by_severity[s])
    shown = browser.evaluate(
        f"""(() => {{
          document.querySelector('[data-only-severity="{worst}"]').click();
          const visible = Array.from(document.querySelectorAll("article.finding"))
            .filter((e) => !e.hidden);
          return [document.querySelector("#shown-count").textContent,
                  visible.every((e) => e.dataset.severity === "{worst}")];
        }})()"""
    )
    assert shown == [str(by_severity[worst]), True]

    rule, count = by_rule.most_common(1)[0]
    shown = browser.evaluate(
        f"""(() => {{
          document.querySelector("#filter-reset").click();
          const select = document.querySelector("#filter-rule");
          select.value = "{rule}";
          select.dispatchEvent(new Event("change"));
          return document.querySelector("#shown-count").textContent;
        }})()"""
    )
    assert shown == str(count)

    shown = browser.evaluate(
        """(() => {
          document.querySelector("#filter-reset").click();
          const box = document.querySelector("#filter-fixable");
          box.click();
          return document.querySelector("#shown-count").textContent;
        })()"""
    )
    assert shown == str(sum(1 for f in findings if f["fix"]))

    shown = browser.evaluate(
        """(() => {
          document.querySelector("#filter-reset").click();
          const box = document.querySelector("#filter-text");
          box.value = "no finding mentions this text";
          box.dispatchEvent(new Event("input"));
          return [document.querySelector("#shown-count").textContent,
                  document.querySelector("#no-match").hidden];
        })()"""
    )
    assert shown == ["0", False]

    assert browser.console_errors() == []


def test_empty_report_renders_cleanly(chromium: Browser | str, tmp_path: Path) -> None:
    browser = _browser(chromium)
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    html_path = tmp_path / "report.html"
    _, data = _html(tmp_path, html_path)
    assert data["findings"] == []
    browser.open(html_path.as_uri(), WIDTH, HEIGHT)
    assert browser.evaluate('document.querySelector("#count-total").textContent') == "0"
    assert browser.console_errors() == []
