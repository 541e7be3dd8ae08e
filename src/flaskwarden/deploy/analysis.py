"""The deployment model of one scan, built once and shared by every deploy rule and by
``flaskwarden deploy``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flaskwarden.deploy.build import (
    DeployInputs,
    compose_image_builds,
    compose_targets,
    dockerfile_targets,
    k8s_targets,
    procfile_targets,
    read_inputs,
    systemd_targets,
)
from flaskwarden.deploy.model import Target
from flaskwarden.deploy.resolve import Extras, Resolver
from flaskwarden.discover import SourceFile
from flaskwarden.findings import Diagnostic
from flaskwarden.model import Project
from flaskwarden.rules import ScanContext


@dataclass
class DeployModel:
    """Every deployment target of a scan, resolved, and the parsed inputs."""

    targets: list[Target]
    inputs: DeployInputs
    resolver: Resolver

    def extras(self, target: Target) -> Extras:
        return self.resolver.extras.get(id(target)) or Extras()

    @property
    def production(self) -> list[Target]:
        return [t for t in self.targets if t.production]


def build_model(
    root: Path,
    project: Project,
    files: Sequence[SourceFile],
    read: Callable[[SourceFile], bytes | None],
    diagnostics: list[Diagnostic],
) -> DeployModel:
    """Parse the deployment files, build the targets and resolve each against the code.
    Problems become ``diagnostics``; a bug resolving one target costs that target."""
    inputs = read_inputs(files, read, str(root))
    image_builds = compose_image_builds(inputs)
    targets = [
        *dockerfile_targets(inputs),
        *compose_targets(inputs, image_builds),
        *k8s_targets(inputs, image_builds),
        *procfile_targets(inputs),
        *systemd_targets(inputs),
    ]
    resolver = Resolver(inputs, project, {f.rel: f for f in files}, read)
    for target in targets:
        try:
            resolver.resolve(target)
        except Exception as exc:  # keep the other targets and rules going
            diagnostics.append(
                Diagnostic(
                    target.origin.path,
                    "internal-error",
                    f"resolving {target.name} failed ({type(exc).__name__}: {exc}); "
                    "please report this",
                    target.origin.line,
                )
            )
    diagnostics.extend(inputs.diagnostics)
    return DeployModel(targets, inputs, resolver)


def model_for(ctx: ScanContext) -> DeployModel:
    """The deployment model of a scan, built on first use and kept in the scan's own
    context (never in a module-level registry, which kept every scan's project
    alive after the scan and cost a second at interpreter exit on large projects)."""
    cached = ctx.cache.get("deploy_model")
    if isinstance(cached, DeployModel):
        return cached
    model = build_model(ctx.root, ctx.project, ctx.files, ctx.read, ctx.diagnostics)
    ctx.cache["deploy_model"] = model
    return model
