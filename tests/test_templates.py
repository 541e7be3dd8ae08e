"""The Jinja template model and bad templates: diagnostics, never crashes."""

from __future__ import annotations

from flaskwarden.findings import Diagnostic
from flaskwarden.jinja import Template, parse_template, template_name

VIEW = """\
from flask import Flask, render_template, request
app = Flask(__name__)

@app.route("/")
def index():
    return render_template("page.html", q=request.args.get("q", ""))

@app.route("/others")
def others():
    for name in ("broken.html", "cached.html", "img.html", "deep.html"):
        render_template(name)
    return render_template(["broken.html", "cached.html", "img.html", "deep.html"])
"""


def _parse(text: str | bytes, rel: str = "templates/page.html") -> Template:
    parsed = parse_template(rel, text.encode() if isinstance(text, str) else text)
    assert isinstance(parsed, Template), parsed
    return parsed


def test_template_names_follow_the_templates_folder() -> None:
    assert template_name("shop/templates/admin/users.html") == "admin/users.html"
    assert template_name("templates/page.html") == "page.html"
    assert template_name("mail.j2") == "mail.j2"


def test_outputs_and_escaping() -> None:
    t = _parse(
        "{{ a }}{{ b|safe }}{{ c|e }}{{ d.title|safe }}{{ e|upper|safe }}"
        "{% autoescape false %}{{ f }}{% endautoescape %}{{ g ~ h }}"
    )
    how = {(o.name, o.how) for o in t.outputs}
    assert how == {
        ("a", ""),
        ("b", "|safe"),
        ("d", "|safe"),
        ("e", "|safe"),
        ("f", "{% autoescape false %}"),
        ("g", ""),
        ("h", ""),
    }


def test_extension_decides_autoescape() -> None:
    assert _parse("{{ a }}").autoescape
    text = _parse("{{ a }}", "templates/mail.txt")
    assert not text.autoescape
    assert text.outputs[0].how == "not autoescaped (.txt)"


def test_reads_defines_and_references() -> None:
    t = _parse(
        '{% extends "base.html" %}{% import "forms.html" as forms %}'
        '{% from "m.html" import field, label as lbl %}{% set x = y %}'
        "{% block b %}{% for i in items %}{{ i }}{{ loop.index }}{% endfor %}"
        '{% include ["a.html", "b.html"] %}{% include name %}{% endblock %}'
        "{% macro m(p, q=default_q) %}{{ p }}{% endmacro %}"
    )
    assert t.extends == ["base.html"]
    assert t.includes == ["forms.html", "m.html", "a.html", "b.html"]
    assert t.dynamic_includes
    assert {"x", "forms", "field", "lbl", "m"} <= t.defines
    assert set(t.reads) == {"y", "items", "name", "default_q"}
    assert {"i", "p", "q"} <= t.locals_seen


def test_syntax_error_is_a_diagnostic() -> None:
    parsed = parse_template("templates/x.html", b"<p>{% if a %}unclosed</p>\n")
    assert isinstance(parsed, Diagnostic)
    assert parsed.kind == "template-syntax"


def test_unknown_tags_are_read_as_no_ops_and_the_rest_is_analysed() -> None:
    # an app's own extension: {% try %} ... {% catch %} ... {% endtry %}
    parsed = parse_template(
        "templates/x.html",
        b"{% frobnicate 60 %}{{ a|safe }}{% endfrobnicate %}\n"
        b"{% try %}{{ b }}{% catch %}{{ c|safe }}{% endtry %}",
    )
    assert isinstance(parsed, Template)
    assert parsed.unknown_tags == [
        ("frobnicate", 1),
        ("endfrobnicate", 1),
        ("try", 2),
        ("catch", 2),
        ("endtry", 2),
    ]
    assert [(o.name, o.how) for o in parsed.outputs] == [("a", "|safe"), ("b", ""), ("c", "|safe")]


def test_a_real_syntax_error_among_unknown_tags_is_still_a_diagnostic() -> None:
    parsed = parse_template("templates/x.html", b"{% frobnicate %}{% if a %}unclosed")
    assert isinstance(parsed, Diagnostic)
    assert parsed.kind == "template-syntax"


def test_common_extension_blocks_parse_and_their_bodies_count() -> None:
    t = _parse(
        "{% cache 60, request.path %}<p>{{ bio|safe }}</p>{% endcache %}"
        '{% assets "js_all" %}<script src="{{ ASSET_URL }}"></script>{% endassets %}'
    )
    assert ("bio", "|safe") in {(o.name, o.how) for o in t.outputs}


def test_unknown_filters_and_i18n_tags_parse() -> None:
    t = _parse("{{ body|markdown|safe }}{% trans %}Hello{% endtrans %}{% do x.append(1) %}")
    assert [(o.name, o.how) for o in t.outputs] == [("body", "|safe")]


def test_binary_and_undecodable_templates() -> None:
    binary = parse_template("templates/logo.html", b"GIF89a\x00\x01")
    assert isinstance(binary, Diagnostic)
    assert binary.kind == "binary"
    latin = parse_template("templates/old.html", b"<p>caf\xe9</p>")
    assert isinstance(latin, Diagnostic)
    assert latin.kind == "encoding"


def test_bad_templates_in_a_scan_are_diagnostics(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir(
        {
            "app.py": VIEW,
            "templates/page.html": "<p>{{ q|safe }}</p>\n",
            "templates/broken.html": "{% for x in %}\n",
            "templates/cached.html": "{% frobnicate 10 %}{% endfrobnicate %}",
            "templates/img.html": b"\x89PNG\r\n\x1a\n\x00\x00",
            "templates/deep.html": "{% if a %}" * 3000 + "{% endif %}" * 3000,
        }
    )
    kinds = {d.path: d.kind for d in report.diagnostics}
    assert kinds["templates/broken.html"] == "template-syntax"
    assert kinds["templates/cached.html"] == "template-tag"  # analysed, with a note
    assert kinds["templates/img.html"] == "binary"
    assert kinds.get("templates/deep.html") in (None, "too-complex", "template-syntax")
    assert "internal-error" not in kinds.values()
    assert ("templates/page.html", 1, "FW302") in {
        (f.path, f.line, f.rule) for f in report.findings
    }


def test_only_templates_a_view_can_render_are_parsed(scan_dir) -> None:  # type: ignore[no-untyped-def]
    """Unrendered templates cannot produce findings: they are not parsed at all (a
    large app's hundreds of templates cost nothing unless a view reaches them), but
    what a rendered template extends or includes is followed."""
    report = scan_dir(
        {
            "app.py": VIEW.split('@app.route("/others")')[0],
            "templates/page.html": '{% extends "base.html" %}{% block b %}{{ q }}{% endblock %}',
            "templates/base.html": '<title>{{ q|safe }}</title>{% include "nav.html" %}',
            "templates/nav.html": "<nav>{{ q|safe }}</nav>",
            "templates/unused.html": "{% if broken %}",
        }
    )
    assert {(f.path, f.rule) for f in report.findings if f.rule == "FW302"} == {
        ("templates/base.html", "FW302"),
        ("templates/nav.html", "FW302"),
    }
    assert [d.path for d in report.diagnostics] == []


def test_a_finding_in_an_included_template_names_the_rendered_one(scan_dir) -> None:  # type: ignore[no-untyped-def]
    """The view passes the value to the template it renders; the message and the flow
    say so, and name the included or parent template that prints it."""
    report = scan_dir(
        {
            "app.py": VIEW.split('@app.route("/others")')[0],
            "templates/page.html": '{% extends "base.html" %}{% block b %}{{ q }}{% endblock %}',
            "templates/base.html": '{% include "nav.html" %}',
            "templates/nav.html": "<nav>{{ q|safe }}</nav>",
        }
    )
    (finding,) = [f for f in report.findings if f.rule == "FW302"]
    assert finding.path == "templates/nav.html"
    assert "is passed to page.html as 'q' and printed by nav.html with |safe" in finding.message
    assert finding.related[-1].message == "passed to page.html as q"


def test_an_undefined_variable_is_located_on_its_line(scan_dir) -> None:  # type: ignore[no-untyped-def]
    report = scan_dir(
        {
            "app.py": (
                "from flask import Flask, render_template\n"
                "app = Flask(__name__)\n"
                "@app.route('/')\n"
                "def page():\n"
                "    return render_template('page.html', title='x')\n"
            ),
            "templates/page.html": (
                "<h1>{{ title }}</h1>\n"
                "<div>\n"
                "  <p class='feature'>{% if is_feature %}on{% endif %}</p>\n"
            ),
        },
        select=["FW604"],
    )
    (finding,) = report.findings
    assert (finding.line, finding.column, finding.end_column) == (3, 28, 38)


def test_read_columns_point_at_the_first_read_on_its_line() -> None:
    template = parse_template("t.html", b"{{ a }}\n{% set b = a %}{{ c.d }}\n")
    assert isinstance(template, Template)
    assert template.read_columns["a"] == (4, 5)
    assert template.read_columns["c"] == (19, 20)
