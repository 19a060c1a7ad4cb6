"""The publisher's OpenAPI description, read as data: operations, their documented fields, and
what a recorded request sends that the description does not document. Pure."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import HTTP
from functools import cache
from pathlib import Path
from typing import Any, cast

import httpx
import yaml

__all__ = [
    "OVERLAY_PATH",
    "SPEC_PATH",
    "Operation",
    "apply_overlay",
    "find_operation",
    "load_spec",
    "overlaid_spec",
    "undocumented_keys",
]

JSON = dict[str, Any]

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
SPEC_PATH = SPEC_DIR / "videos.openapi.yaml"
OVERLAY_PATH = SPEC_DIR / "videos.errors-overlay.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _load_yaml(path: Path) -> JSON:
    return cast(JSON, yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def _spec() -> JSON:
    return _load_yaml(SPEC_PATH)


def load_spec() -> JSON:
    """The publisher's description as copied into ``tests/spec`` (a fresh copy each call)."""
    return copy.deepcopy(_spec())


def overlaid_spec() -> JSON:
    """The description with ``videos.errors-overlay.yaml`` applied."""
    return apply_overlay(load_spec(), _load_yaml(OVERLAY_PATH))


def apply_overlay(document: JSON, overlay: JSON) -> JSON:
    """Apply an OpenAPI Overlay's ``update`` actions (targets: ``$``, names, ``*``).

    Raises:
        ValueError: A target matches nothing (the overlay no longer fits the description).
    """
    result = copy.deepcopy(document)
    for action in overlay["actions"]:
        targets = _select(result, action["target"])
        if not targets:
            raise ValueError(f"overlay target {action['target']!r} matches nothing")
        for target in targets:
            _merge(target, action["update"])
    return result


def _select(document: JSON, target: str) -> list[JSON]:
    root, *names = target.split(".")
    if root != "$":
        raise ValueError(f"unsupported overlay target {target!r}")
    nodes: list[object] = [document]
    for name in names:
        children: list[object] = []
        for node in nodes:
            if isinstance(node, dict):
                mapping = cast(JSON, node)
                children += mapping.values() if name == "*" else [mapping.get(name)]
        nodes = [child for child in children if isinstance(child, dict)]
    return cast(list[JSON], nodes)


def _merge(target: JSON, update: JSON) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], cast(JSON, value))
        else:
            target[key] = copy.deepcopy(value)


@dataclass(frozen=True)
class Operation:
    """One operation of the description: ``POST /videos/{video_id}/remix`` and its definition."""

    method: str
    template: str
    definition: JSON

    @property
    def query_parameters(self) -> set[str]:
        """Names of the documented query parameters."""
        parameters: list[JSON] = self.definition.get("parameters", [])
        return {p["name"] for p in parameters if p["in"] == "query"}

    def body_schema(self, spec: JSON, media_type: str) -> JSON | None:
        """The request body's schema for ``media_type`` (refs resolved), if it accepts it."""
        content: JSON = self.definition.get("requestBody", {}).get("content", {})
        found = content.get(media_type)
        return None if found is None else resolve(spec, found["schema"])


def resolve(spec: JSON, schema: JSON) -> JSON:
    """Follow ``$ref`` (local references only) until a schema itself."""
    while "$ref" in schema:
        node: Any = spec
        for name in schema["$ref"].removeprefix("#/").split("/"):
            node = node[name]
        schema = node
    return schema


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$")


def find_operation(spec: JSON, method: str, path: str) -> Operation:
    """The operation a request is for. As OpenAPI says, a literal path wins over a templated
    one: ``GET /videos/edits`` is no operation, not ``GET /videos/{video_id}``.

    Raises:
        LookupError: The description has no such operation.
    """
    paths: JSON = spec["paths"]
    for template in sorted(paths, key=lambda t: t.count("{")):
        if _pattern(template).match(path):
            operation = paths[template].get(method.lower())
            if operation is None:
                break
            return Operation(method.upper(), template, operation)
    raise LookupError(f"the description has no operation {method} {path}")


def _is_binary(spec: JSON, schema: JSON) -> bool:
    schema = resolve(spec, schema)
    if schema.get("type") == "string" and schema.get("format") == "binary":
        return True
    return any(_is_binary(spec, option) for option in schema.get("oneOf", []))


def _multipart_fields(request: httpx.Request) -> dict[str, bool]:
    """Each multipart field name, and whether it is a file."""
    head = b"Content-Type: " + request.headers["content-type"].encode("latin-1") + b"\r\n\r\n"
    message = message_from_bytes(head + request.content, policy=HTTP)
    fields: dict[str, bool] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = part.get_filename() is not None
    return fields


def _body_problems(spec: JSON, operation: Operation, request: httpx.Request) -> list[str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip()
    schema = operation.body_schema(spec, media_type)
    if schema is None:
        return [f"content type {media_type!r} is not one the operation accepts"]
    properties: JSON = schema.get("properties", {})
    if media_type == "multipart/form-data":
        fields = _multipart_fields(request)
    else:
        fields = dict.fromkeys(cast(JSON, json.loads(request.content)), False)
    problems = [f"body field {name!r}" for name in fields if name not in properties]
    problems += [
        f"file in body field {name!r}, which is not binary"
        for name, is_file in fields.items()
        if is_file and name in properties and not _is_binary(spec, properties[name])
    ]
    return problems


def undocumented_keys(spec: JSON, request: httpx.Request) -> list[str]:
    """What a request sends that its operation does not document: query parameters, JSON keys,
    multipart field names (and files in fields that are not binary). Empty when it conforms.

    Raises:
        LookupError: The description has no operation for the request at all.
    """
    operation = find_operation(spec, request.method, request.url.path)
    documented = operation.query_parameters
    problems = [
        f"query parameter {name!r}" for name in request.url.params if name not in documented
    ]
    if request.content:
        problems += _body_problems(spec, operation, request)
    return problems
