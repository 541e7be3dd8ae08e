"""GraphQL resolvers as taint sources: their arguments are what the client sent.

A Flask app that serves GraphQL (Flask-GraphQL, graphql-server, Ariadne, Strawberry)
reads request data through resolver arguments rather than ``request.args``: the query
``{ pastes(filter: "' OR 1=1 --") }`` arrives in ``resolve_pastes(self, info,
filter)``. Recognised, within one module:

- Graphene: ``resolve_<field>``, ``mutate`` and ``mutate_and_get_payload`` methods of
  classes based on ``graphene`` types (``ObjectType``, ``Mutation``, ...), also through
  the module's own base classes.
- Ariadne: functions decorated ``@query.field("name")`` where ``query`` is an
  ``ariadne`` ``QueryType()`` / ``MutationType()`` / ``ObjectType("T")``.
- Strawberry: methods decorated ``@strawberry.field`` / ``@strawberry.mutation``.

The arguments are the parameters after ``info`` (``**kwargs`` too). An argument the
schema types as a number, boolean, date or enum (``limit = graphene.Int()``, a
``limit: int`` annotation) is not a source, as an ``<int:id>`` route parameter is not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from flaskwarden.python.evaluate import Evaluator, dotted

PACKAGES: Final = ("graphene", "ariadne", "strawberry")
_GRAPHENE_NOT_RESOLVING: Final = frozenset(
    {"Enum", "InputObjectType", "Scalar", "Union", "Argument", "Field", "List", "NonNull"}
)
_RESOLVER_METHODS: Final = frozenset({"mutate", "mutate_and_get_payload"})
# Schema types whose values cannot carry text.
_SAFE_SCALARS: Final = frozenset(
    {"Int", "Float", "Boolean", "Decimal", "UUID", "Date", "DateTime", "Time", "BigInt"}
)
_SAFE_ANNOTATIONS: Final = frozenset(
    {"int", "float", "bool", "decimal.Decimal", "uuid.UUID", "datetime.date", "datetime.datetime"}
)
_ARIADNE_TYPES: Final = frozenset(
    {"QueryType", "MutationType", "SubscriptionType", "ObjectType", "InterfaceType"}
)
_STRAWBERRY_RESOLVERS: Final = frozenset({"strawberry.field", "strawberry.mutation"})

# function node id -> {argument parameter: shape ("str" or "obj")}
Arguments = dict[int, dict[str, str]]


def uses_graphql(imports: dict[str, str]) -> bool:
    return any(q.split(".", 1)[0] in PACKAGES for q in imports.values())


def resolver_arguments(tree: ast.Module, evaluator: Evaluator) -> Arguments:
    """The GraphQL arguments of every resolver defined in ``tree``."""
    found: Arguments = {}
    graphene: set[str] = set()  # the module's classes that resolve graphene fields
    enums: set[str] = set()  # ... and its graphene enums and input objects
    inputs: set[str] = set()
    ariadne = _ariadne_bindings(tree, evaluator)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            kind = _graphene_kind(node, evaluator, graphene)
            if kind == "Enum":
                enums.add(node.name)
            elif kind == "InputObjectType":
                inputs.add(node.name)
            elif kind:
                graphene.add(node.name)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in graphene:
            schema = _graphene_schema(node, evaluator, enums, inputs)
            for method in _methods(node):
                if method.name.startswith("resolve_") or method.name in _RESOLVER_METHODS:
                    field = method.name.removeprefix("resolve_")
                    typed = schema.get(field if method.name.startswith("resolve_") else "")
                    found[id(method)] = _arguments(method, evaluator, typed or {})
        elif isinstance(node, ast.ClassDef):
            for method in _methods(node):
                decorators = method.decorator_list
                if any(_names_call(d, evaluator, _STRAWBERRY_RESOLVERS) for d in decorators):
                    found[id(method)] = _arguments(method, evaluator, {}, strawberry=True)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ariadne:
            for deco in node.decorator_list:
                if (
                    isinstance(deco, ast.Call)
                    and isinstance(deco.func, ast.Attribute)
                    and deco.func.attr == "field"
                    and isinstance(deco.func.value, ast.Name)
                    and deco.func.value.id in ariadne
                ):
                    found[id(node)] = _arguments(node, evaluator, {})
    return found


def _graphene_kind(node: ast.ClassDef, evaluator: Evaluator, resolving: set[str]) -> str:
    """ "Enum"/"InputObjectType" for those graphene types, "resolver" for a class whose
    methods resolve fields, "" for any other class."""
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in resolving:
            return "resolver"
        qualified = evaluator.qualify(base) or ""
        if qualified.split(".", 1)[0].startswith("graphene"):
            last = qualified.rsplit(".", 1)[-1]
            if last in ("Enum", "InputObjectType"):
                return last
            if last not in _GRAPHENE_NOT_RESOLVING:
                return "resolver"
    return ""


def _graphene_schema(
    node: ast.ClassDef, evaluator: Evaluator, enums: set[str], inputs: set[str]
) -> dict[str, dict[str, str]]:
    """Argument shapes the class declares, by field name ("" for a mutation's
    ``class Arguments``); "safe" for arguments that cannot carry text."""
    schema: dict[str, dict[str, str]] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name in ("Arguments", "Input"):
            declared = schema.setdefault("", {})
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1:
                    target = inner.targets[0]
                    if isinstance(target, ast.Name):
                        declared[target.id] = _type_shape(inner.value, evaluator, enums, inputs)
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
        ):
            schema[stmt.targets[0].id] = {
                kw.arg: _type_shape(kw.value, evaluator, enums, inputs)
                for kw in stmt.value.keywords
                if kw.arg is not None
            }
    return schema


def _type_shape(node: ast.expr, evaluator: Evaluator, enums: set[str], inputs: set[str]) -> str:
    """ "safe", "obj" or "str" for a graphene type expression: ``graphene.Int()``,
    ``graphene.Argument(graphene.Int, required=True)``, ``graphene.NonNull(MyEnum)``."""
    for _ in range(4):
        if isinstance(node, ast.Call):
            name = (evaluator.qualify(node.func) or dotted(node.func) or "").rsplit(".", 1)[-1]
            if name in ("Argument", "NonNull") and node.args:
                node = node.args[0]
                continue
            if name == "List":
                return "obj"
            node = node.func
        break
    name = dotted(node) or ""
    last = name.rsplit(".", 1)[-1]
    if last in _SAFE_SCALARS and (evaluator.qualify(node) or "").startswith("graphene"):
        return "safe"
    if name in enums:
        return "safe"
    if name in inputs:
        return "obj"
    return "str"


def _arguments(
    method: ast.FunctionDef | ast.AsyncFunctionDef,
    evaluator: Evaluator,
    typed: dict[str, str],
    strawberry: bool = False,
) -> dict[str, str]:
    args = method.args
    positional = [*args.posonlyargs, *args.args]
    names = [a.arg for a in positional]
    if "info" in names:
        after = positional[names.index("info") + 1 :]
    elif strawberry:
        after = [a for a in positional if a.arg not in ("self", "root", "cls")]
    else:
        after = positional[2:]
    shapes: dict[str, str] = {}
    for arg in [*after, *args.kwonlyargs]:
        annotation = _annotation(arg.annotation, evaluator)
        if strawberry and annotation.endswith("Info"):
            continue
        shape = typed.get(arg.arg, "str")
        if annotation in _SAFE_ANNOTATIONS:
            shape = "safe"
        if shape != "safe":
            shapes[arg.arg] = shape
    if args.kwarg is not None:
        shapes[args.kwarg.arg] = "obj"
    return shapes


def _annotation(node: ast.expr | None, evaluator: Evaluator) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return evaluator.qualify(node) or dotted(node) or ""


def _methods(node: ast.ClassDef) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield stmt


def _names_call(node: ast.expr, evaluator: Evaluator, names: frozenset[str]) -> bool:
    """``@strawberry.field`` or ``@strawberry.field(description=...)``."""
    target = node.func if isinstance(node, ast.Call) else node
    return (evaluator.qualify(target) or "") in names


def _ariadne_bindings(tree: ast.Module, evaluator: Evaluator) -> set[str]:
    """Module names bound to Ariadne's bindable types: ``query = QueryType()``."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            qualified = evaluator.qualify(stmt.value.func) or ""
            if qualified.startswith("ariadne") and qualified.rsplit(".", 1)[-1] in _ARIADNE_TYPES:
                names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names
