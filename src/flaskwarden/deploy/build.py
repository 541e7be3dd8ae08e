"""Build the deployment targets of a scan from its files.

One function per kind of file turns it into :class:`Target` objects with their
environment layered the way the tool that starts them layers it:

- Dockerfile stage: ``ENV`` of the stage (and of the stage it is built ``FROM``), with
  ``ARG`` defaults (or compose ``build.args``) substituted; ``CMD``/``ENTRYPOINT``.
- compose service: the image's ``ENV`` (from the Dockerfile ``build:`` names, at its
  ``target`` stage), then each ``env_file`` in order, then ``environment``; ``command``
  replaces ``CMD``, ``entrypoint`` replaces ``ENTRYPOINT`` and drops ``CMD``. Values
  are interpolated from the project ``.env`` as compose does.
- Kubernetes container: the image's ``ENV`` when the image is built here, ``envFrom``
  (ConfigMaps found in the scan), then ``env``; ``$(VAR)`` expanded; ``command``/``args``.
- Procfile process, systemd unit (``Environment=``, ``EnvironmentFile=``, ``ExecStart=``).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

import pathspec

from flaskwarden.deploy import dockerfile as df
from flaskwarden.deploy.envfile import DotenvEntry, parse_dotenv, redacted
from flaskwarden.deploy.model import Command, Environment, EnvVar, Origin, Target
from flaskwarden.deploy.servers import ServerConfig, parse_gunicorn, parse_ini, parse_uwsgi
from flaskwarden.deploy.shell import (
    SimpleCommand,
    exec_commands,
    render,
    serving_command,
    shell_commands,
)
from flaskwarden.deploy.versions import Dependencies, read_dependencies
from flaskwarden.deploy.yamlfile import LineDict, LineList, error_line, load_all, scalar
from flaskwarden.discover import FileKind, SourceFile
from flaskwarden.findings import Diagnostic

_DEV_TOKENS: Final = frozenset(
    {"dev", "devel", "develop", "development", "local", "test", "tests", "testing", "ci",
     "debug", "override", "e2e"}
)  # fmt: skip
_TOKEN_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+")
_WORKLOADS: Final = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
     "CronJob", "Pod", "DeploymentConfig"}
)  # fmt: skip
_INFRA_IMAGES: Final = frozenset(
    {"python", "redis", "postgres", "postgis", "mysql", "mariadb", "mongo", "nginx", "httpd",
     "traefik", "memcached", "rabbitmq", "elasticsearch", "kibana", "busybox", "alpine",
     "ubuntu", "debian", "node", "minio", "localstack", "mailhog", "mailpit", "adminer",
     "pgadmin4", "prometheus", "grafana", "jaeger", "zookeeper", "kafka", "envoy", "haproxy",
     "caddy", "vault", "consul", "etcd", "selenium", "celery", "flower", "pgbouncer",
     "cloud-sql-proxy", "otel-collector", "opentelemetry-collector", "fluentd", "fluent-bit"}
)  # fmt: skip
_COMPOSE_VAR: Final = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+?])(?P<word>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
_K8S_VAR: Final = re.compile(r"\$\$|\$\((?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\)")
_SCRIPT_LIMIT: Final = 256 * 1024


@dataclass
class DeployInputs:
    """Every deployment-relevant file of the scan, parsed once."""

    root: str
    texts: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, FileKind] = field(default_factory=dict)
    dockerfiles: dict[str, df.ParsedDockerfile] = field(default_factory=dict)
    dotenv: dict[str, list[DotenvEntry]] = field(default_factory=dict)
    server_configs: dict[str, ServerConfig] = field(default_factory=dict)
    dependencies: Dependencies = field(default_factory=Dependencies)
    configmaps: dict[str, LineDict] = field(default_factory=dict)
    configmap_paths: dict[str, str] = field(default_factory=dict)
    yaml_docs: dict[str, list[Any]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    extra_text: dict[str, str | None] = field(default_factory=dict)
    # Helm chart directory -> its templated manifests that could not be read
    helm_templates: dict[str, list[str]] = field(default_factory=dict)

    def line(self, path: str, number: int) -> str:
        lines = self.texts.get(path, "").splitlines()
        return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def decode(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    return data.decode("utf-8", "replace").removeprefix("\ufeff")


def read_inputs(files: Sequence[SourceFile], read: Any, root: str) -> DeployInputs:
    """Read and parse every deployment file; each problem is a diagnostic."""
    inputs = DeployInputs(root)
    deps: list[tuple[str, str]] = []
    for source in files:
        if source.kind in (FileKind.PYTHON, FileKind.TEMPLATE):
            continue
        data = read(source)
        if data is None:
            continue
        text = decode(data)
        if text is None:
            inputs.diagnostics.append(
                Diagnostic(source.rel, "binary", "contains NUL bytes; skipped")
            )
            continue
        inputs.texts[source.rel] = text
        inputs.kinds[source.rel] = source.kind
        kind = source.kind
        if kind is FileKind.DOCKERFILE:
            parsed = df.parse(text)
            inputs.dockerfiles[source.rel] = parsed
            for line, message in parsed.problems:
                inputs.diagnostics.append(Diagnostic(source.rel, "dockerfile", message, line))
        elif kind is FileKind.ENV:
            entries, problems = parse_dotenv(text)
            inputs.dotenv[source.rel] = entries
            for line, message in problems:
                inputs.diagnostics.append(Diagnostic(source.rel, "env-file", message, line))
        elif kind is FileKind.GUNICORN:
            config = parse_gunicorn(source.rel, text)
            inputs.server_configs[source.rel] = config
            if config.problem:
                line, message = config.problem
                inputs.diagnostics.append(Diagnostic(source.rel, "syntax-error", message, line))
        elif kind is FileKind.UWSGI:
            inputs.server_configs[source.rel] = parse_uwsgi(source.rel, text)
        elif kind in (FileKind.REQUIREMENTS, FileKind.PYPROJECT, FileKind.LOCKFILE):
            deps.append((source.rel, text))
        elif kind in (FileKind.COMPOSE, FileKind.YAML):
            _load_yaml(inputs, source.rel, text, kind)
    for chart, paths in sorted(inputs.helm_templates.items()):
        shown = ", ".join(sorted(paths)[:3]) + (", ..." if len(paths) > 3 else "")
        inputs.diagnostics.append(
            Diagnostic(
                chart,
                "helm-chart",
                f"Helm chart templates are not rendered, so {len(paths)} manifest"
                f"{'s are' if len(paths) != 1 else ' is'} not checked ({shown}); render "
                "them (helm template <release> <chart> > rendered.yaml) and scan that file",
            )
        )
    inputs.dependencies = read_dependencies(deps)
    for path, line, message in inputs.dependencies.problems:
        inputs.diagnostics.append(Diagnostic(path, "dependencies", message, line))
    return inputs


def _load_yaml(inputs: DeployInputs, rel: str, text: str, kind: FileKind) -> None:
    if kind is FileKind.YAML and not ("apiVersion" in text and "kind" in text):
        return  # not a Kubernetes manifest: not ours to judge
    documents, error = load_all(text)
    chart, found, _ = rel.rpartition("templates/")
    if error is not None and found and "{{" in text and kind is FileKind.YAML:
        # a Helm chart's template: one diagnostic for the chart (see read_inputs)
        inputs.helm_templates.setdefault(chart.rstrip("/") or ".", []).append(rel)
    elif error is not None:
        templated = "{{" in text
        what = "compose file" if kind is FileKind.COMPOSE else "Kubernetes manifest"
        note = " (templated YAML, e.g. Helm, is not rendered)" if templated else ""
        inputs.diagnostics.append(
            Diagnostic(rel, "yaml-error", f"cannot parse {what}: {error}{note}", error_line(error))
        )
    inputs.yaml_docs[rel] = documents
    if kind is FileKind.YAML:
        for doc in _k8s_documents(documents):
            if doc.get("kind") == "ConfigMap":
                meta = doc.get("metadata")
                data = doc.get("data")
                if isinstance(meta, dict) and isinstance(data, LineDict):
                    name = str(meta.get("name", ""))
                    inputs.configmaps.setdefault(name, data)
                    inputs.configmap_paths.setdefault(name, rel)


def _k8s_documents(documents: Iterable[Any]) -> Iterable[LineDict]:
    for doc in documents:
        if isinstance(doc, LineDict):
            if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
                yield from (item for item in doc["items"] if isinstance(item, LineDict))
            else:
                yield doc


# -- helpers -------------------------------------------------------------------------


def development_reason(path: str, *names: str | None) -> str | None:
    """Why a target is a development one: its file, directory, stage, service or
    namespace is named for development, testing, CI or local use."""
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        tokens = {t.lower() for t in _TOKEN_SPLIT.split(part) if t}
        found = tokens & _DEV_TOKENS
        if found:
            what = "file" if index == len(parts) - 1 else "directory"
            return f"{what} name {part!r} marks it for {sorted(found)[0]} use"
    for name in names:
        if not name:
            continue
        tokens = {t.lower() for t in _TOKEN_SPLIT.split(name) if t}
        found = tokens & _DEV_TOKENS
        if found:
            return f"the name {name!r} marks it for {sorted(found)[0]} use"
    return None


def _dir(path: str) -> str:
    return posixpath.dirname(path)


def join_relative(base: str, path: str) -> str | None:
    """``path`` (relative to ``base``) relative to the scan root; None if outside it."""
    joined = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    if joined == ".":
        return ""
    if joined.startswith(("..", "/")):
        return None
    return joined


def _origin(inputs: DeployInputs, path: str, line: int, what: str, name: str = "") -> Origin:
    raw = inputs.line(path, line)
    return Origin(path, line, redacted(name, raw) if name else raw, what)


def _find_line(inputs: DeployInputs, path: str, start: int, end: int, needle: str) -> int:
    """The physical line between ``start`` and ``end`` that mentions ``needle``."""
    lines = inputs.texts.get(path, "").splitlines()
    for number in range(start, min(end, len(lines)) + 1):
        if needle in lines[number - 1]:
            return number
    return start


def _command(
    inputs: DeployInputs,
    commands: list[SimpleCommand],
    origin: Origin,
    text: str,
    full: str = "",
) -> Command | None:
    picked = serving_command(commands)
    if picked is None:
        return None
    simple, _ = picked
    return Command(simple.argv, origin, text, simple.assignments, full or text, simple.cwd)


# -- Dockerfile ------------------------------------------------------------------------


@dataclass(frozen=True)
class Instr:
    """An ENTRYPOINT or CMD (or an override of one): exec-form argv or shell text."""

    exec_form: tuple[str, ...] | None
    text: str
    origin: Origin

    def argv(self) -> list[str]:
        if self.exec_form is not None:
            return list(self.exec_form)
        return ["/bin/sh", "-c", self.text]


@dataclass
class ImageFacts:
    """What a container started from an image built here inherits from it."""

    dockerfile: str
    context_dir: str
    stage: df.Stage
    env: Environment
    entrypoint: Instr | None
    cmd: Instr | None
    workdir: str
    path_map: tuple[tuple[str, str], ...]
    shipped: frozenset[str]


def image_facts(
    inputs: DeployInputs,
    path: str,
    target: str | None = None,
    build_args: Mapping[str, str | None] | None = None,
    context: str | None = None,
) -> ImageFacts | None:
    parsed = inputs.dockerfiles.get(path)
    if parsed is None:
        return None
    stages = df.stages(parsed, build_args)
    if not stages:
        return None
    stage = stages[-1]
    if target:
        stage = next((s for s in stages if (s.name or "").lower() == target.lower()), stage)
    context_dir = _dir(path) if context is None else context
    env = Environment()
    for setting in stage.env.values():
        line = _find_line(
            inputs, path, setting.instruction.line, setting.instruction.end_line, setting.name
        )
        via = tuple(
            Origin(path, arg_line, inputs.line(path, arg_line), "Dockerfile ARG default")
            for _, _, arg_line in setting.args_used
        )
        env.set(
            EnvVar(
                setting.name,
                setting.value,
                _origin(inputs, path, line, "Dockerfile ENV", setting.name),
                via,
            )
        )
    entrypoint = cmd = None
    if stage.entrypoint is not None:
        ins = stage.entrypoint
        entrypoint = Instr(
            ins.exec_form, ins.text, Origin(path, ins.line, ins.source, "Dockerfile ENTRYPOINT")
        )
    if stage.cmd is not None:
        ins = stage.cmd
        cmd = Instr(ins.exec_form, ins.text, Origin(path, ins.line, ins.source, "Dockerfile CMD"))
    path_map: list[tuple[str, str]] = []
    for copy in stage.copies:
        if copy.from_stage:
            continue
        for source in copy.sources:
            project = join_relative(context_dir, source)
            if project is None or any(c in source for c in "*?["):
                continue
            dest = copy.dest
            # A directory's contents are copied, a file lands inside a directory dest.
            is_dir = source.endswith("/") or Path(inputs.root, project or ".").is_dir()
            if copy.into_dir and not is_dir:
                dest = posixpath.join(copy.dest, posixpath.basename(source))
            path_map.append((posixpath.normpath(dest), project))
    shipped = _shipped_dotenv(inputs, context_dir, tuple(path_map), stage.workdir)
    return ImageFacts(
        path, context_dir, stage, env, entrypoint, cmd, stage.workdir, tuple(path_map), shipped
    )


def _shipped_dotenv(
    inputs: DeployInputs, context_dir: str, path_map: tuple[tuple[str, str], ...], workdir: str
) -> frozenset[str]:
    """Dotenv files that COPY/ADD put into the image where ``flask run`` (working in
    ``workdir``) finds them, less those ``.dockerignore`` excludes."""
    ignore = _dockerignore(inputs, context_dir)
    shipped = set()
    for rel in inputs.dotenv:
        if posixpath.basename(rel) not in (".env", ".flaskenv"):
            continue
        local = posixpath.relpath(rel, context_dir or ".")
        if local.startswith(".."):
            continue
        if ignore is not None and ignore.match_file(local):
            continue
        for dest, project in path_map:
            if project == rel:
                container = dest
            elif project == "" or rel.startswith(f"{project}/"):
                container = posixpath.join(dest, posixpath.relpath(rel, project or "."))
            else:
                continue
            folder = posixpath.dirname(container)
            if workdir == folder or workdir.startswith(f"{folder.rstrip('/')}/"):
                shipped.add(rel)
    return frozenset(shipped)


def _dockerignore(inputs: DeployInputs, context_dir: str) -> pathspec.GitIgnoreSpec | None:
    rel = posixpath.join(context_dir, ".dockerignore") if context_dir else ".dockerignore"
    text = read_extra(inputs, rel)
    if text is None:
        return None
    lines = [line.strip() for line in text.splitlines()]
    patterns = [line.lstrip("/") if not line.startswith("!") else line for line in lines]
    return pathspec.GitIgnoreSpec.from_lines([p for p in patterns if p])


def read_extra(inputs: DeployInputs, rel: str) -> str | None:
    """A file discovery does not classify (``.dockerignore``, an entrypoint script),
    read from disk once, size-capped; None when absent or unreadable."""
    if rel in inputs.extra_text:
        return inputs.extra_text[rel]
    text: str | None = None
    path = Path(inputs.root, rel)
    try:
        if path.is_file() and path.stat().st_size <= _SCRIPT_LIMIT:
            text = decode(path.read_bytes())
    except OSError:
        text = None
    inputs.extra_text[rel] = text
    return text


def dockerfile_targets(inputs: DeployInputs) -> list[Target]:
    """The default build target (last stage) of each Dockerfile."""
    targets = []
    for path in sorted(inputs.dockerfiles):
        facts = image_facts(inputs, path)
        if facts is None:
            continue
        stage = facts.stage
        command = container_command(inputs, facts, facts.entrypoint, facts.cmd)
        origin = Origin(path, stage.instruction.line, stage.instruction.source, "Dockerfile FROM")
        target = Target(
            "dockerfile",
            path if len(inputs.dockerfiles[path].stage_lines()) == 1 else f"{path} ({stage.label})",
            origin,
            facts.context_dir,
            facts.env,
            command,
            development_reason(path, stage.name),
            workdir=facts.workdir,
            path_map=facts.path_map,
            shipped=facts.shipped,
        )
        if command is None:
            target.notes.append("no CMD or ENTRYPOINT: the base image's command runs")
        targets.append(target)
    return targets


def container_command(
    inputs: DeployInputs,
    facts: ImageFacts | None,
    entrypoint: Instr | None,
    cmd: Instr | None,
) -> Command | None:
    """ENTRYPOINT and CMD combined as Docker combines them (exec-form ENTRYPOINT gets
    CMD as arguments; shell-form ENTRYPOINT ignores CMD), entrypoint scripts that end
    in ``exec "$@"`` followed into CMD. The command's origin is the line that names
    the server: CMD when the ENTRYPOINT only wraps it (``tini --``, a script)."""
    if entrypoint is not None:
        argv = entrypoint.argv()
        if entrypoint.exec_form is not None and cmd is not None:
            argv += cmd.argv()
    elif cmd is not None:
        argv = cmd.argv()
    else:
        return None
    context = facts.context_dir if facts is not None else ""
    path_map = facts.path_map if facts is not None else ()
    workdir = facts.workdir if facts is not None else ""
    commands = expand_scripts(inputs, exec_commands(argv), context, path_map, workdir)
    picked = serving_command(commands)
    if picked is None:
        return None
    simple, _ = picked
    origin = (entrypoint or cmd or Instr(None, "", Origin("", 0, "", ""))).origin
    text = entrypoint.text if entrypoint is not None else (cmd.text if cmd else "")
    if cmd is not None and entrypoint is not None:
        cmd_commands = expand_scripts(inputs, exec_commands(cmd.argv()), context, path_map, workdir)
        if any(c.argv == simple.argv for c in cmd_commands):
            origin, text = cmd.origin, cmd.text
    return Command(simple.argv, origin, text, simple.assignments, render(argv), simple.cwd)


def expand_scripts(
    inputs: DeployInputs,
    commands: list[SimpleCommand],
    context: str,
    path_map: tuple[tuple[str, str], ...],
    workdir: str,
    depth: int = 0,
) -> list[SimpleCommand]:
    """Replace a command that runs a project shell script (``./entrypoint.sh``,
    ``sh start.sh``) by the script's commands; a script that ends in ``exec "$@"``
    runs its arguments."""
    out: list[SimpleCommand] = []
    for command in commands:
        argv = list(command.argv)
        if argv and PurePosixPath(argv[0]).name in ("sh", "bash", "dash", "ash") and len(argv) > 1:
            argv = argv[1:]
        script = _script_file(inputs, argv[0], context, path_map, workdir) if argv else None
        if script is None or depth > 3:
            out.append(command)
            continue
        text = read_extra(inputs, script) or ""
        body: list[SimpleCommand] = []
        for line in _logical_lines(text):
            body.extend(shell_commands(line))
        body = [c for c in body if '"$@"' not in " ".join(c.argv) and "$@" not in c.argv]
        out.extend(expand_scripts(inputs, body, context, path_map, workdir, depth + 1))
        if "$@" in text:
            out.extend(
                expand_scripts(
                    inputs, exec_commands(argv[1:]), context, path_map, workdir, depth + 1
                )
            )
    return out


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") and not current:
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current)
    return lines


def _script_file(
    inputs: DeployInputs,
    word: str,
    context: str,
    path_map: tuple[tuple[str, str], ...],
    workdir: str,
) -> str | None:
    if not word.endswith(".sh") and "/" not in word:
        return None
    candidates = []
    if word.startswith("/"):
        for dest, project in sorted(path_map, key=lambda p: -len(p[0])):
            if word == dest or word.startswith(f"{dest.rstrip('/')}/"):
                candidates.append(join_relative(project, posixpath.relpath(word, dest)))
    else:
        candidates.append(join_relative(context, word))
        for dest, project in path_map:
            if workdir and (workdir == dest or workdir.startswith(f"{dest.rstrip('/')}/")):
                candidates.append(
                    join_relative(project, posixpath.join(posixpath.relpath(workdir, dest), word))
                )
    for candidate in candidates:
        if candidate is None:
            continue
        text = read_extra(inputs, candidate)
        if text is not None and (candidate.endswith(".sh") or text.startswith("#!")):
            return candidate
    return None


# -- compose -----------------------------------------------------------------------------


def _compose_interpolate(
    text: str, variables: Mapping[str, DotenvEntry]
) -> tuple[str | None, list[DotenvEntry]]:
    used: list[DotenvEntry] = []
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        entry = variables.get(name)
        if entry is not None:
            used.append(entry)
        value = entry.value if entry is not None else None
        op, word = match.group("op"), match.group("word") or ""
        if op in (":-", "-"):
            if entry is None or (op == ":-" and not value):
                return word
            return value or ""
        if op in (":+", "+"):
            return word if entry is not None and (op == "+" or value) else ""
        if entry is None or value is None:
            unknown = True
            return ""
        return value

    result = _COMPOSE_VAR.sub(replace, text)
    return (None if unknown else result), used


def compose_targets(inputs: DeployInputs, image_builds: dict[str, tuple[str, str]]) -> list[Target]:
    targets: list[Target] = []
    for path in sorted(p for p, k in inputs.kinds.items() if k is FileKind.COMPOSE):
        documents = inputs.yaml_docs.get(path) or []
        doc = documents[0] if documents else None
        if not isinstance(doc, LineDict):
            continue
        services = doc.get("services")
        if not isinstance(services, LineDict):
            services = LineDict(
                {
                    k: v
                    for k, v in doc.items()
                    if isinstance(v, LineDict) and ({"image", "build", "command"} & set(v))
                }
            )
            services.key_lines = doc.key_lines
            services.line = doc.line
        project_dir = _dir(path)
        dotenv_path = join_relative(project_dir, ".env")
        variables = {e.name: e for e in inputs.dotenv.get(dotenv_path or "", [])}
        for name, service in services.items():
            if not isinstance(service, LineDict):
                continue
            target = _compose_service(inputs, path, str(name), service, variables, image_builds)
            if target is not None:
                line = services.line_of(name)
                target.origin = Origin(path, line, inputs.line(path, line), "compose service")
                targets.append(target)
    return targets


def _compose_service(
    inputs: DeployInputs,
    path: str,
    name: str,
    service: LineDict,
    variables: Mapping[str, DotenvEntry],
    image_builds: dict[str, tuple[str, str]],
) -> Target | None:
    project_dir = _dir(path)
    notes: list[str] = []

    def interp(value: object) -> tuple[str | None, list[DotenvEntry]]:
        if isinstance(value, str):
            return _compose_interpolate(value, variables)
        return scalar(value), []

    facts: ImageFacts | None = None
    build = service.get("build")
    image = service.get("image")
    if build is not None:
        context, dockerfile, stage, args = ".", "Dockerfile", None, {}
        if isinstance(build, str):
            context = interp(build)[0] or build
        elif isinstance(build, LineDict):
            context = interp(build.get("context", "."))[0] or "."
            dockerfile = interp(build.get("dockerfile", "Dockerfile"))[0] or "Dockerfile"
            stage = interp(build.get("target"))[0] if build.get("target") else None
            args = _compose_map(build.get("args"), interp)
        context_dir = join_relative(project_dir, context)
        dockerfile_path = (
            join_relative(context_dir, dockerfile) if context_dir is not None else None
        )
        if dockerfile_path is not None and dockerfile_path in inputs.dockerfiles:
            facts = image_facts(inputs, dockerfile_path, stage, args, context_dir)
        else:
            notes.append(
                f"build context {context!r}: Dockerfile {dockerfile!r} not found in the scan"
            )
    elif isinstance(image, str):
        linked = link_image(inputs, image, image_builds)
        if linked is not None:
            dockerfile_path, why = linked
            facts = image_facts(inputs, dockerfile_path)
            notes.append(why)
    env = facts.env.copy() if facts is not None else Environment()
    env_files = service.get("env_file")
    files: list[tuple[Any, int]] = []
    if isinstance(env_files, str):
        files = [(env_files, service.line_of("env_file"))]
    elif isinstance(env_files, LineList):
        files = [(item, env_files.line_of(i)) for i, item in enumerate(env_files)]
    for item, line in files:
        file_name = item.get("path") if isinstance(item, dict) else item
        if not isinstance(file_name, str):
            continue
        rel = join_relative(project_dir, interp(file_name)[0] or file_name)
        entries = inputs.dotenv.get(rel or "")
        if entries is None:
            notes.append(f"env_file {file_name!r} is not in the scan (missing or ignored by git)")
            continue
        listed = (_origin(inputs, path, line, "compose env_file"),)
        for entry in entries:
            origin = _origin(inputs, rel or "", entry.line, f"env_file {file_name}", entry.name)
            env.set(EnvVar(entry.name, entry.value, origin, listed))
    environment = service.get("environment")
    dotenv_rel = join_relative(project_dir, ".env") or ".env"
    for key, raw, line in _environment_items(environment):
        value, used = interp(raw) if raw is not None else (None, [])
        via = tuple(
            _origin(inputs, dotenv_rel, u.line, ".env (compose interpolation)", u.name)
            for u in used
        )
        if raw is None:
            passed = variables.get(key)
            value = passed.value if passed is not None else None
            if passed is not None:
                via = (_origin(inputs, dotenv_rel, passed.line, ".env", key),)
        origin = _origin(inputs, path, line, "compose environment", key)
        env.set(EnvVar(key, value, origin, via))
    command = _compose_command(inputs, path, service, facts, interp)
    profiles = service.get("profiles")
    profile_names = [str(p) for p in profiles] if isinstance(profiles, list) else []
    target = Target(
        "compose",
        f"{path} service {name!r}",
        Origin(path, service.line, inputs.line(path, service.line), "compose service"),
        facts.context_dir if facts is not None else project_dir,
        env,
        command,
        development_reason(path, name, *profile_names),
        notes=notes,
        workdir=(
            str(service.get("working_dir"))
            if service.get("working_dir")
            else facts.workdir
            if facts
            else ""
        ),
        path_map=facts.path_map if facts else (),
        shipped=facts.shipped if facts else None,
    )
    if facts is not None:
        stage_reason = development_reason("", facts.stage.name)
        if target.development is None and stage_reason and facts.stage.name:
            target.development = f"it builds stage {facts.stage.name!r}: {stage_reason}"
    return target


def _compose_map(value: Any, interp: Any) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, raw, _ in _environment_items(value):
        out[key] = interp(raw)[0] if raw is not None else None
    return out


def _environment_items(value: Any) -> Iterable[tuple[str, Any, int]]:
    if isinstance(value, LineDict):
        for key, raw in value.items():
            yield str(key), ("" if raw is None else raw), value.line_of(key)
    elif isinstance(value, LineList):
        for index, item in enumerate(value):
            if isinstance(item, str):
                key, sep, raw = item.partition("=")
                yield key.strip(), (raw if sep else None), value.line_of(index)


def _compose_command(
    inputs: DeployInputs, path: str, service: LineDict, facts: ImageFacts | None, interp: Any
) -> Command | None:
    """compose ``command`` replaces CMD; ``entrypoint`` replaces ENTRYPOINT and drops
    the image's CMD. Both are split like a shell would, but no shell runs them."""

    def override(key: str) -> Instr | None:
        value = service.get(key)
        if value is None:
            return None
        origin = _origin(inputs, path, service.line_of(key), f"compose {key}")
        if isinstance(value, str):
            text = interp(value)[0] or value
            return Instr(tuple(shlex_split(text)), text, origin)
        if isinstance(value, list):
            items = tuple(interp(v)[0] or "" for v in value)
            return Instr(items, render(items), origin)
        return None

    entrypoint, command = override("entrypoint"), override("command")
    image_ep = facts.entrypoint if facts is not None else None
    image_cmd = facts.cmd if facts is not None else None
    if entrypoint is not None:
        return container_command(inputs, facts, entrypoint, command)
    return container_command(inputs, facts, image_ep, command or image_cmd)


def shlex_split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def link_image(
    inputs: DeployInputs, image: str, image_builds: Mapping[str, tuple[str, str]]
) -> tuple[str, str] | None:
    """The Dockerfile an ``image:`` reference is built from: one a compose service
    builds under that name, else the project's only Dockerfile (unless the image is a
    well-known public one such as redis or postgres)."""
    repo = image.rsplit("@", 1)[0]
    if ":" in repo.rsplit("/", 1)[-1]:
        repo = repo.rsplit(":", 1)[0]
    if repo in image_builds:
        dockerfile, service = image_builds[repo]
        return dockerfile, f"image {image!r} is built from {dockerfile} by {service}"
    short = repo.rsplit("/", 1)[-1].lower()
    if short in _INFRA_IMAGES or ("/" not in repo and short in _INFRA_IMAGES):
        return None
    candidates = [p for p in inputs.dockerfiles if development_reason(p) is None]
    if len(candidates) == 1:
        return candidates[0], (
            f"assuming image {image!r} is built from {candidates[0]}, the project's only Dockerfile"
        )
    return None


def compose_image_builds(inputs: DeployInputs) -> dict[str, tuple[str, str]]:
    """Image names compose services build (``build:`` together with ``image:``)."""
    found: dict[str, tuple[str, str]] = {}
    for path, documents in inputs.yaml_docs.items():
        if inputs.kinds.get(path) is not FileKind.COMPOSE or not documents:
            continue
        services = documents[0].get("services") if isinstance(documents[0], dict) else None
        if not isinstance(services, dict):
            continue
        for name, service in services.items():
            if not isinstance(service, dict):
                continue
            image, build = service.get("image"), service.get("build")
            if isinstance(image, str) and build is not None:
                context = (
                    build
                    if isinstance(build, str)
                    else (build.get("context", ".") if isinstance(build, dict) else ".")
                )
                dockerfile = (
                    build.get("dockerfile", "Dockerfile")
                    if isinstance(build, dict)
                    else "Dockerfile"
                )
                context_dir = join_relative(_dir(path), str(context))
                rel = (
                    join_relative(context_dir, str(dockerfile)) if context_dir is not None else None
                )
                if rel in inputs.dockerfiles and rel is not None:
                    found[image.rsplit(":", 1)[0]] = (rel, f"compose service {name!r}")
    return found


# -- Kubernetes --------------------------------------------------------------------------


def k8s_targets(inputs: DeployInputs, image_builds: dict[str, tuple[str, str]]) -> list[Target]:
    targets: list[Target] = []
    for path in sorted(p for p, k in inputs.kinds.items() if k is FileKind.YAML):
        for doc in _k8s_documents(inputs.yaml_docs.get(path) or []):
            kind = doc.get("kind")
            if kind not in _WORKLOADS:
                continue
            spec = _pod_spec(doc)
            if spec is None:
                continue
            meta = doc.get("metadata")
            meta = meta if isinstance(meta, dict) else {}
            workload = str(meta.get("name", "?"))
            namespace = meta.get("namespace")
            containers = spec.get("containers")
            if not isinstance(containers, LineList):
                continue
            for container in containers:
                if not isinstance(container, LineDict):
                    continue
                targets.append(
                    _k8s_container(
                        inputs,
                        path,
                        str(kind),
                        workload,
                        str(namespace) if namespace else None,
                        container,
                        image_builds,
                    )
                )
    return targets


def _pod_spec(doc: LineDict) -> LineDict | None:
    spec: Any = doc.get("spec")
    kind = doc.get("kind")
    path: tuple[str, ...] = ()
    if kind == "CronJob":
        path = ("jobTemplate", "spec", "template", "spec")
    elif kind != "Pod":
        path = ("template", "spec")
    for key in path:
        if not isinstance(spec, dict):
            return None
        spec = spec.get(key)
    return spec if isinstance(spec, LineDict) else None


def _k8s_container(
    inputs: DeployInputs,
    path: str,
    kind: str,
    workload: str,
    namespace: str | None,
    container: LineDict,
    image_builds: dict[str, tuple[str, str]],
) -> Target:
    notes: list[str] = []
    name = str(container.get("name", "?"))
    facts = None
    image = container.get("image")
    if isinstance(image, str):
        linked = link_image(inputs, image, image_builds)
        if linked is not None:
            facts = image_facts(inputs, linked[0])
            notes.append(linked[1])
    env = facts.env.copy() if facts is not None else Environment()
    env_from = container.get("envFrom")
    if isinstance(env_from, LineList):
        for index, source in enumerate(env_from):
            if not isinstance(source, dict):
                continue
            ref = source.get("configMapRef")
            prefix = str(source.get("prefix") or "")
            if isinstance(ref, dict) and str(ref.get("name")) in inputs.configmaps:
                cm_name = str(ref.get("name"))
                data = inputs.configmaps[cm_name]
                cm_path = inputs.configmap_paths[cm_name]
                via = (_origin(inputs, path, env_from.line_of(index), "envFrom"),)
                for key, raw in data.items():
                    origin = _origin(
                        inputs, cm_path, data.line_of(key), f"ConfigMap {cm_name}", str(key)
                    )
                    env.set(EnvVar(f"{prefix}{key}", scalar(raw), origin, via))
            elif isinstance(source, dict):
                what = "secretRef" if "secretRef" in source else "configMapRef"
                notes.append(f"envFrom {what} not found in the scan: its variables are unknown")
    env_list = container.get("env")
    if isinstance(env_list, LineList):
        for index, item in enumerate(env_list):
            if not isinstance(item, LineDict) or "name" not in item:
                continue
            key = str(item["name"])
            raw = scalar(item.get("value")) if "valueFrom" not in item else None
            if raw is not None:
                raw = _k8s_expand(raw, env)
            origin = _origin(inputs, path, env_list.line_of(index), "Kubernetes env", key)
            if "value" in item:
                origin = _origin(inputs, path, item.line_of("value"), "Kubernetes env", key)
            env.set(EnvVar(key, raw, origin))
    command = container.get("command")
    args = container.get("args")
    entrypoint = facts.entrypoint if facts is not None else None
    cmd = facts.cmd if facts is not None else None
    if isinstance(command, list):
        argv = tuple(_k8s_expand(str(v), env) or "" for v in command)
        origin = _origin(inputs, path, container.line_of("command"), "Kubernetes command")
        entrypoint, cmd = Instr(argv, render(argv), origin), None
    if isinstance(args, list):
        argv = tuple(_k8s_expand(str(v), env) or "" for v in args)
        origin = _origin(inputs, path, container.line_of("args"), "Kubernetes args")
        cmd = Instr(argv, render(argv), origin)
    target_command = container_command(inputs, facts, entrypoint, cmd)
    if target_command is None and facts is None:
        notes.append(f"no command: the image {image!r} decides what runs")
    label = f"{path} {kind} {workload!r} container {name!r}"
    return Target(
        "k8s",
        label,
        Origin(path, container.line, inputs.line(path, container.line), "Kubernetes container"),
        facts.context_dir if facts is not None else "",
        env,
        target_command,
        development_reason(path, namespace, workload),
        notes=notes,
        workdir=str(container.get("workingDir") or (facts.workdir if facts else "")),
        path_map=facts.path_map if facts else (),
        shipped=facts.shipped if facts else None,
    )


def _k8s_expand(text: str, env: Environment) -> str | None:
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(0) == "$$":
            return "$"
        var = env.get(match.group("name"))
        if var is None:
            return match.group(0)  # Kubernetes leaves unknown references as written
        if var.value is None:
            unknown = True
            return ""
        return var.value

    result = _K8S_VAR.sub(replace, text)
    return None if unknown else result


# -- Procfile and systemd -------------------------------------------------------------


def procfile_targets(inputs: DeployInputs) -> list[Target]:
    targets: list[Target] = []
    for path in sorted(p for p, k in inputs.kinds.items() if k is FileKind.PROCFILE):
        for number, raw in enumerate(inputs.texts[path].splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, text = line.partition(":")
            if not sep or not re.fullmatch(r"[A-Za-z0-9_-]+", name.strip()):
                inputs.diagnostics.append(
                    Diagnostic(path, "procfile", "line is not 'process: command'; ignored", number)
                )
                continue
            origin = Origin(path, number, line, "Procfile")
            command = _command(inputs, shell_commands(text.strip()), origin, text.strip())
            targets.append(
                Target(
                    "procfile",
                    f"{path} process {name.strip()!r}",
                    origin,
                    _dir(path),
                    Environment(),
                    command,
                    development_reason(path, name.strip()),
                )
            )
    return targets


_SYSTEMD_PREFIX: Final = re.compile(r"^[-@:+!]+")


def systemd_targets(inputs: DeployInputs) -> list[Target]:
    targets: list[Target] = []
    for path in sorted(p for p, k in inputs.kinds.items() if k is FileKind.SYSTEMD):
        env = Environment()
        command: Command | None = None
        notes: list[str] = []
        workdir = ""
        for entry in parse_ini(inputs.texts[path]):
            if entry.section != "Service":
                continue
            if entry.key == "Environment":
                for item in shlex_split(entry.value):
                    key, sep, value = item.partition("=")
                    if sep:
                        origin = _origin(inputs, path, entry.line, "systemd Environment", key)
                        env.set(EnvVar(key, value, origin))
            elif entry.key == "EnvironmentFile":
                file_name = entry.value.lstrip("-")
                rel = _env_file_by_name(inputs, path, file_name)
                if rel is None:
                    notes.append(
                        f"EnvironmentFile {file_name} is not in the scan: its values are unknown"
                    )
                    continue
                via = (_origin(inputs, path, entry.line, "systemd EnvironmentFile"),)
                for dotenv in inputs.dotenv[rel]:
                    origin = _origin(inputs, rel, dotenv.line, "EnvironmentFile", dotenv.name)
                    env.set(EnvVar(dotenv.name, dotenv.value, origin, via))
            elif entry.key == "WorkingDirectory":
                workdir = entry.value.lstrip("-")
            elif entry.key == "ExecStart":
                text = _SYSTEMD_PREFIX.sub("", entry.value)
                origin = Origin(path, entry.line, entry.raw, "systemd ExecStart")
                command = _command(inputs, exec_commands(shlex_split(text)), origin, text)
        targets.append(
            Target(
                "systemd",
                f"{path} unit",
                Origin(path, 1, inputs.line(path, 1), "systemd unit"),
                "",
                env,
                command,
                development_reason(path),
                notes=notes,
                workdir=workdir,
                path_map=((workdir.rstrip("/"), ""),) if workdir.startswith("/") else (),
            )
        )
    return targets


def _env_file_by_name(inputs: DeployInputs, unit: str, file_name: str) -> str | None:
    """An ``EnvironmentFile=/srv/app/.env`` names a server path: match it to a project
    env file by its trailing path components."""
    wanted = PurePosixPath(file_name).parts
    best: tuple[int, str] | None = None
    for rel in inputs.dotenv:
        parts = PurePosixPath(rel).parts
        common = 0
        while common < min(len(parts), len(wanted)) and parts[-1 - common] == wanted[-1 - common]:
            common += 1
        if common and (best is None or common > best[0]):
            best = (common, rel)
    return best[1] if best else None
