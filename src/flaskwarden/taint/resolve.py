"""Joining per-function taint summaries across the project.

Two questions, both answered with memoised, depth-bounded recursion over the call
graph (recursive functions simply contribute nothing on the cycle):

- :meth:`Resolver.returns` — what does calling function F return, in terms of request
  sources and F's own parameters? ``call`` origins are replaced by the callee's
  returns, with the callee's parameters replaced by the taint of the arguments.
- :meth:`Resolver.param_sinks` — which of F's parameters reach which sinks, directly or
  through the functions F calls?

A finding is a *source* reaching a sink whose kind it has not been sanitised for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Final

from flaskwarden.model import Project
from flaskwarden.python.facts import ModuleFacts, Ref, Span
from flaskwarden.python.guards import NO_GUARDS, Guard, refuted
from flaskwarden.python.names import REQUEST_OBJECTS
from flaskwarden.taint.engine import (
    CLEAN,
    CONVERTER,
    SCOPED,
    CallSite,
    FunctionTaint,
    ModuleTaint,
    Origin,
    SinkHit,
    Step,
    Taint,
    _bounded,
    origin_order,
    read_off_request,
)

MAX_DEPTH: Final = 8


@dataclass(frozen=True, eq=False)
class Located:
    module: ModuleFacts
    function: FunctionTaint


@dataclass(frozen=True, eq=False)
class ParamSink:
    """Parameter ``param`` of a function reaches sink ``hit`` (in module ``module``)."""

    param: str
    cleared: frozenset[str]
    steps: tuple[Step, ...]
    hit: SinkHit
    module: ModuleFacts
    # the path runs only if these hold of the function's parameters: a call passing
    # constants that fail one does not reach the sink
    guards: frozenset[Guard] = NO_GUARDS
    # what reaches the sink is ``param.<via>`` (see Origin.via): request data when a
    # caller passes the request object itself
    via: str = ""


@dataclass(frozen=True, eq=False)
class Flow:
    """A source reaching a sink: what the injection rules report."""

    origin: Origin
    hit: SinkHit
    module: ModuleFacts
    function: str


def taint_of(module: ModuleFacts) -> ModuleTaint | None:
    value = getattr(module, "taint", None)
    return value if isinstance(value, ModuleTaint) else None


class Resolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._returns: dict[tuple[str, str], Taint] = {}
        self._param_sinks: dict[tuple[str, str], tuple[ParamSink, ...]] = {}
        self._in_progress: set[tuple[str, str, str]] = set()
        self._proxies: dict[tuple[str, Ref], bool] = {}
        self._scoped: dict[str, Taint] = {}
        self._converters: set[str] | None = None
        self._stores: dict[str, list[tuple[ModuleFacts, Taint]]] | None = None

    # -- looking functions up ---------------------------------------------------

    def function(self, ref: Ref, module: ModuleFacts, depth: int = 0) -> Located | None:
        if depth > MAX_DEPTH or not ref:
            return None
        kind, _, payload = ref.partition(":")
        if kind == "global":
            taint = taint_of(module)
            if taint is None:
                return None
            found = taint.functions.get(payload)
            if found is not None:
                return Located(module, found)
            # a class: calling it runs __init__; its "return" is the object
            if f"{payload}.__init__" in taint.functions:
                return None
            if payload in module.imports:
                return self.function(f"import:{module.imports[payload]}", module, depth + 1)
            return None
        if kind == "import":
            split = self.project.split_import(payload, module)
            if split is None:
                return None
            target, name = split
            if "." in name:
                class_name, _, method_name = name.partition(".")
                return self.function(f"method:global:{class_name}.{method_name}", target, depth + 1)
            return self.function(f"global:{name}", target, depth + 1)
        if kind == "method":
            class_ref, _, method = payload.rpartition(".")
            owner = self.project.resolve_class(class_ref, module)
            if owner is None:
                return None
            for base in self.project.mro(owner):
                taint = taint_of(base.module)
                if taint is not None:
                    found = taint.functions.get(f"{base.cls.name}.{method}")
                    if found is not None:
                        return Located(base.module, found)
            return None
        return None

    def is_request_proxy(self, ref: Ref, module: ModuleFacts) -> bool:
        """Whether ``import:pkg.common.request`` names Flask's request: a proxy of it
        bound in that module, or an import of it (also through re-exports)."""
        key = (module.path, ref)
        found = self._proxies.get(key)
        if found is None:
            found = any(
                "." not in name
                and (name in target.request_proxies or target.imports.get(name) in REQUEST_OBJECTS)
                for target, name in self.project.import_chain(ref, module)
            )
            self._proxies[key] = found
        return found

    def project_method(self, hit: SinkHit, module: ModuleFacts) -> bool:
        """A sink known by method name that calls the project's own method instead
        (``Job(...).execute(payload)``, ``Notes.save(text)``): not the library's sink;
        the call's taint is followed into that method (its call site) instead."""
        return bool(hit.callee) and self.function(hit.callee, module) is not None

    # -- returns ----------------------------------------------------------------------

    def resolve(self, taint: Taint, module: ModuleFacts, depth: int = 0) -> Taint:
        """Replace ``call`` origins by what the callees return; keep sources and params
        (a source read off a project ``request`` only if it is the request)."""
        result: set[Origin] = set()
        for origin in taint:
            if origin.kind == "call":
                continue
            if origin.callee.startswith(CONVERTER) and origin.kind == "source":
                if origin.callee.removeprefix(CONVERTER) in self.safe_converters():
                    continue  # <uuidstr:item_id>: the app's converter returns a UUID
                origin = replace(origin, callee="")
            elif origin.callee and origin.kind == "source":
                if not self.is_request_proxy(origin.callee, module):
                    continue
                origin = replace(origin, callee="")
            result.add(origin)
        # Calls in a fixed order: a callee already being resolved higher up answers
        # with what it has so far, so the order decides what is cached (set order
        # would make that change from one process to the next).
        calls = sorted((origin for origin in taint if origin.kind == "call"), key=origin_order)
        for origin in calls:
            if depth > MAX_DEPTH:
                continue
            if origin.callee.startswith(SCOPED):
                for stored in self.scoped(origin.callee.removeprefix(SCOPED), depth + 1):
                    result.add(replace(stored, steps=_join(stored.steps, origin.steps)))
                continue
            located = self.function(origin.callee, module)
            if located is None:
                continue
            args = dict(origin.args)
            for ret in self.returns(located, depth + 1):
                call_steps = origin.steps
                if ret.kind == "source":
                    result.add(
                        replace(
                            ret,
                            cleared=ret.cleared | origin.cleared,
                            steps=_join(ret.steps, call_steps),
                        )
                    )
                elif ret.kind == "param":
                    passed = _argument(args, located.function, ret.label)
                    for inner in self.resolve(passed, module, depth + 1):
                        inner = _read_off(inner, ret.via)
                        result.add(
                            replace(
                                inner,
                                cleared=inner.cleared | ret.cleared | origin.cleared,
                                shape=ret.shape if inner.kind == "source" else inner.shape,
                                steps=_join(inner.steps, call_steps + ret.steps),
                                guards=(
                                    inner.guards
                                    if inner.kind == "source"
                                    else inner.guards | origin.guards
                                ),
                            )
                        )
        return _bounded(result)

    def returns(self, located: Located, depth: int = 0) -> Taint:
        key = (located.module.path, located.function.qualname)
        cached = self._returns.get(key)
        if cached is not None:
            return cached
        guard = ("ret", *key)
        if guard in self._in_progress or depth > MAX_DEPTH:
            return CLEAN
        self._in_progress.add(guard)
        try:
            result = self.resolve(located.function.returns, located.module, depth)
        finally:
            self._in_progress.discard(guard)
        self._returns[key] = result
        return result

    def safe_converters(self) -> set[str]:
        """The project's own route converters that pass on no text (any module)."""
        if self._converters is None:
            self._converters = set()
            for module in self.project.modules:
                taint = taint_of(module)
                if taint is not None:
                    self._converters |= taint.safe_converters
        return self._converters

    def scoped(self, key: str, depth: int = 0) -> Taint:
        """The request data stored under ``key`` (``g.data``, ``request.all_data``)
        anywhere in the project: a value one function of a request stores there and
        another reads back. Flow-insensitive (every store counts, wherever it is) and
        sources only: a store of a parameter's value is not followed to the callers."""
        cached = self._scoped.get(key)
        if cached is not None:
            return cached
        guard = ("scoped", key, "")
        if guard in self._in_progress or depth > MAX_DEPTH:
            return CLEAN
        if self._stores is None:
            self._stores = {}
            for module in self.project.modules:
                taint = taint_of(module)
                for function in taint.functions.values() if taint is not None else ():
                    for name, stored in function.stores:
                        self._stores.setdefault(name, []).append((module, stored))
        self._in_progress.add(guard)
        found: set[Origin] = set()
        try:
            for module, stored in self._stores.get(key, ()):
                found.update(o for o in self.resolve(stored, module, depth) if o.kind == "source")
        finally:
            self._in_progress.discard(guard)
        result = _bounded(found)
        self._scoped[key] = result
        return result

    # -- sinks ----------------------------------------------------------------------------

    def param_sinks(self, located: Located, depth: int = 0) -> tuple[ParamSink, ...]:
        """Which parameters of this function reach which sinks (here or in callees)."""
        key = (located.module.path, located.function.qualname)
        cached = self._param_sinks.get(key)
        if cached is not None:
            return cached
        guard = ("sink", *key)
        if guard in self._in_progress or depth > MAX_DEPTH:
            return ()
        self._in_progress.add(guard)
        found: list[ParamSink] = []
        try:
            for hit in located.function.sinks:
                if self.project_method(hit, located.module):
                    continue
                for origin in self.resolve(hit.taint, located.module, depth):
                    if origin.kind == "param" and hit.kind not in origin.cleared:
                        found.append(
                            ParamSink(
                                origin.label,
                                origin.cleared,
                                origin.steps,
                                hit,
                                located.module,
                                hit.guards | origin.guards,
                                origin.via,
                            )
                        )
            for site in located.function.calls:
                callee = self.function(site.callee, located.module)
                if callee is None:
                    continue
                args = dict(site.args)
                for sink in _possible(self.param_sinks(callee, depth + 1), site, callee):
                    passed = _argument(args, callee.function, sink.param)
                    for origin in self.resolve(passed, located.module, depth):
                        cleared = origin.cleared | sink.cleared
                        if origin.kind == "param" and sink.hit.kind not in cleared:
                            found.append(
                                ParamSink(
                                    origin.label,
                                    cleared,
                                    _join(origin.steps, (_call_step(located, site.span),))
                                    + sink.steps,
                                    sink.hit,
                                    sink.module,
                                    site.guards | origin.guards,
                                    origin.via or sink.via,
                                )
                            )
        finally:
            self._in_progress.discard(guard)
        # One per parameter, sink and clearing: the shortest path, in a fixed order (they
        # are found in set order, which changes from one process to the next); at most 64.
        unique: dict[tuple[object, ...], ParamSink] = {}
        for sink in sorted(found, key=_param_sink_order):
            where = (sink.param, sink.hit, sink.module.path, sink.cleared, sink.guards, sink.via)
            unique.setdefault(where, sink)
        result = tuple(unique.values())[:64]
        self._param_sinks[key] = result
        return result

    def flows(self, module: ModuleFacts) -> Iterator[Flow]:
        """Every request source reaching a sink, for sinks reached from this module."""
        taint = taint_of(module)
        if taint is None:
            return
        for function in taint.functions.values():
            located = Located(module, function)
            for hit in function.sinks:
                if self.project_method(hit, module):
                    continue
                for origin in self.resolve(hit.taint, module):
                    if origin.kind == "source" and _live(origin, hit):
                        yield Flow(origin, hit, module, function.qualname)
            for site in function.calls:
                callee = self.function(site.callee, module)
                if callee is None:
                    continue
                args = dict(site.args)
                for sink in _possible(self.param_sinks(callee), site, callee):
                    passed = _argument(args, callee.function, sink.param)
                    for origin in self.resolve(passed, module):
                        origin = _read_off(origin, sink.via)
                        cleared = origin.cleared | sink.cleared
                        merged = replace(
                            origin,
                            cleared=cleared,
                            steps=_join(origin.steps, (_call_step(located, site.span),))
                            + sink.steps,
                        )
                        if origin.kind == "source" and _live(merged, sink.hit):
                            yield Flow(merged, sink.hit, sink.module, function.qualname)

    def render_context(self, module: ModuleFacts, taint: Taint) -> Taint:
        return frozenset(o for o in self.resolve(taint, module) if o.kind == "source")


def _param_sink_order(sink: ParamSink) -> tuple[object, ...]:
    steps = tuple((s.path, s.line, s.column, s.message) for s in sink.steps)
    where = (sink.module.path, sink.hit.span.line, sink.hit.span.column, sink.hit.kind)
    guards = tuple(sorted(map(repr, sink.guards)))
    return (len(steps), sink.param, sink.via, where, steps, tuple(sorted(sink.cleared)), guards)


def _possible(sinks: tuple[ParamSink, ...], site: CallSite, callee: Located) -> list[ParamSink]:
    """The callee's parameter -> sink paths this call can take: not those guarded by
    a test that the call's literal arguments (or the defaults it leaves) fail."""
    function = callee.function
    params = tuple(p for p in function.params if p not in ("self", "cls"))
    return [
        sink
        for sink in sinks
        if not sink.guards or not refuted(sink.guards, site.literals, params, function.defaults)
    ]


def _read_off(origin: Origin, via: str) -> Origin:
    """What a callee reading ``param.<via>`` gets from the argument ``origin``: the
    request object passed (``get_all_params(request)`` reading ``req.values``) gives
    that request source; a parameter of the caller passed on is read the same way
    further up; anything else stays what it is."""
    if not via:
        return origin
    if origin.kind == "param" and not origin.via:
        return replace(origin, via=via)  # relay(req): return query(req), read further up
    if origin.kind != "request":
        return origin
    return read_off_request(via, origin.steps)


def _live(origin: Origin, hit: SinkHit) -> bool:
    if hit.kind in origin.cleared:
        return False
    # a view returning a whole container (request.args, parsed JSON) is not HTML
    return not (hit.kind == "xss" and hit.what == "the view's response" and origin.shape == "obj")


def _argument(args: dict[str, Taint], function: FunctionTaint, param: str) -> Taint:
    """The taint passed for ``param`` at a call site (positional or keyword)."""
    params = [p for p in function.params if p not in ("self", "cls")]
    taint = args.get(f"kw:{param}", CLEAN)
    if param in params:
        index = params.index(param)
        taint = taint | args.get(str(index), CLEAN)
    return taint


def _join(first: tuple[Step, ...], second: tuple[Step, ...]) -> tuple[Step, ...]:
    steps = list(first)
    for step in second:
        if not steps or steps[-1] != step:
            steps.append(step)
    if len(steps) > 16:
        steps = steps[:6] + steps[-10:]
    return tuple(steps)


def _call_step(located: Located, span: Span) -> Step:
    return Step(
        located.module.path,
        span.line,
        span.column,
        f"passed to a call in {located.function.qualname}()",
    )
