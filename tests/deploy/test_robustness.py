"""Bad deployment input is normal input: diagnostics or correct results, never a crash."""

from __future__ import annotations

from collections.abc import Callable

from flaskwarden.findings import Report

ScanDir = Callable[..., Report]
APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def _rules(report: Report) -> set[tuple[str, int, str]]:
    return {(f.path, f.line, f.rule) for f in report.findings}


def _no_internal_errors(report: Report) -> None:
    assert not [d for d in report.diagnostics if d.kind == "internal-error"], report.diagnostics


def test_broken_compose_yaml_is_a_diagnostic(scan_dir: ScanDir) -> None:
    report = scan_dir({"app.py": APP, "docker-compose.yml": "services:\n  web: [unclosed\n"})
    _no_internal_errors(report)
    (diag,) = [d for d in report.diagnostics if d.kind == "yaml-error"]
    assert diag.path == "docker-compose.yml" and diag.line > 0


def test_broken_k8s_manifest_keeps_documents_before_the_error(scan_dir: ScanDir) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - name: web\n      command: [flask, run]\n---\napiVersion: v1\nkind: Pod\n"
        "spec: {containers: [\n"
    )
    report = scan_dir({"app.py": APP, "pod.yaml": manifest})
    _no_internal_errors(report)
    assert any(d.kind == "yaml-error" and d.path == "pod.yaml" for d in report.diagnostics)
    assert ("pod.yaml", 7, "FW104") in _rules(report)


def test_compose_local_tags_are_read_as_their_values(scan_dir: ScanDir) -> None:
    """Compose's own !reset/!override tags (and any other local tag) do not make the
    whole file unreadable: what the tag applies is still judged."""
    compose = (
        "services:\n"
        "  web:\n"
        "    image: !reset null\n"
        "    ports: !override\n"
        '      - "8000:5000"\n'
        "    build: .\n"
        "    environment: !override\n"
        '      FLASK_DEBUG: "1"\n'
        "    command: !custom flask run --host 0.0.0.0\n"
    )
    app = APP + '\n@app.route("/")\ndef index():\n    return "hi"\n'
    report = scan_dir({"app.py": app, "docker-compose.prod.yml": compose})
    _no_internal_errors(report)
    assert not [d for d in report.diagnostics if d.kind == "yaml-error"], report.diagnostics
    found = _rules(report)
    assert ("docker-compose.prod.yml", 8, "FW105") in found
    assert ("docker-compose.prod.yml", 9, "FW104") in found


def test_helm_template_is_a_diagnostic_not_a_crash(scan_dir: ScanDir) -> None:
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        '  name: {{ .Values.name }}\n  {{- include "x" . }}\n'
    )
    report = scan_dir(
        {
            "chart/templates/deploy.yaml": template,
            "chart/templates/service.yaml": template.replace("Deployment", "Service"),
            "k8s/broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
        }
    )
    _no_internal_errors(report)
    # one diagnostic for the chart, naming its templates; a plain broken manifest
    # still has its own
    (chart,) = [d for d in report.diagnostics if d.kind == "helm-chart"]
    assert chart.path == "chart"
    assert "2 manifests are not checked" in chart.message
    assert "chart/templates/deploy.yaml" in chart.message
    assert "helm template" in chart.message
    broken = [d.path for d in report.diagnostics if d.kind == "yaml-error"]
    assert broken == ["k8s/broken.yaml"]


def test_plain_yaml_is_not_judged(scan_dir: ScanDir) -> None:
    report = scan_dir({".github/workflows/ci.yml": "on: [push]\njobs: {a: [\n"})
    assert not [d for d in report.diagnostics if d.kind == "yaml-error"]


def test_dockerfile_with_unknown_instructions(scan_dir: ScanDir) -> None:
    dockerfile = (
        "FROM python:3.12\nFROBNICATE --now\nWORKDIR /app\nCOPY . .\nONBUILD RUN x\n"
        'CMD ["flask", "run"]\n'
    )
    report = scan_dir({"app.py": APP, "Dockerfile": dockerfile})
    _no_internal_errors(report)
    assert any(d.kind == "dockerfile" and d.line == 2 for d in report.diagnostics)
    assert ("Dockerfile", 6, "FW104") in _rules(report)


def test_compose_anchors_and_merge_keys(scan_dir: ScanDir) -> None:
    compose = (
        "x-base: &base\n"
        "  image: shop\n"
        "  environment: &env\n"
        "    FLASK_DEBUG: '1'\n"
        "    LOG: info\n"
        "services:\n"
        "  web:\n"
        "    <<: *base\n"
        "    command: flask run\n"
        "  api:\n"
        "    <<: *base\n"
        "    environment:\n"
        "      <<: *env\n"
        "      FLASK_DEBUG: '0'\n"
        "    command: flask run\n"
    )
    report = scan_dir({"app.py": APP, "docker-compose.yml": compose})
    _no_internal_errors(report)
    found = _rules(report)
    # web inherits FLASK_DEBUG=1 from the anchor (line 4); api overrides it (line 14)
    assert ("docker-compose.yml", 4, "FW105") in found
    assert ("docker-compose.yml", 14, "FW105") not in found
    assert {("docker-compose.yml", 9, "FW104"), ("docker-compose.yml", 15, "FW104")} <= found


def test_recursive_alias_does_not_hang(scan_dir: ScanDir) -> None:
    report = scan_dir({"docker-compose.yml": "a: &a [*a]\nservices:\n  web: {command: *a}\n"})
    _no_internal_errors(report)


def test_k8s_list_with_200_documents(scan_dir: ScanDir) -> None:
    docs = []
    for i in range(200):
        docs.append(
            "apiVersion: apps/v1\nkind: Deployment\n"
            f"metadata: {{name: app{i}}}\nspec:\n  template:\n    spec:\n      containers:\n"
            f"        - name: web\n          command: [gunicorn, app:app]\n"
            "          env: [{name: FLASK_DEBUG, value: '0'}]\n"
        )
    report = scan_dir({"app.py": APP, "k8s/all.yaml": "---\n".join(docs)})
    _no_internal_errors(report)
    assert not report.findings
    listed = {"apiVersion": "v1", "kind": "List"}
    items = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"p{i}"},
            "spec": {"containers": [{"name": "w", "command": ["flask", "run"]}]},
        }
        for i in range(200)
    ]
    import json

    report = scan_dir({"k8s/list.yaml": json.dumps({**listed, "items": items})})
    _no_internal_errors(report)
    assert [f.rule for f in report.findings if f.path == "k8s/list.yaml"] == ["FW104"]


def test_binary_and_odd_files(scan_dir: ScanDir) -> None:
    report = scan_dir(
        {
            "app.py": APP,
            "Dockerfile": b"FROM x\0\0\xff\n",
            "Procfile": b"\xff\xfe not utf8\nweb flask run\n",
            ".env": b"\xff\xfeA=\x00\n",
            "gunicorn.conf.py": "reload = (\n",
            "uwsgi.ini": "[uwsgi\nmodule = \n",
            "shop.service": '[Service]\nExecStart=\nEnvironment="UNTERMINATED\n',
            "requirements.txt": "flask ===\n-e .\n",
            "pyproject.toml": "[project\n",
        }
    )
    _no_internal_errors(report)
    kinds = {(d.path, d.kind) for d in report.diagnostics}
    assert ("Dockerfile", "binary") in kinds
    assert ("gunicorn.conf.py", "syntax-error") in kinds
    assert ("Procfile", "procfile") in kinds


def test_deep_wrapper_nesting(scan_dir: ScanDir) -> None:
    nested = "flask run"
    for _ in range(20):
        nested = f"sh -c {nested!r}"
    report = scan_dir({"app.py": APP, "Procfile": f"web: {nested}\n"})
    _no_internal_errors(report)
