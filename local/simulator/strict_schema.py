"""The structured-outputs rules a strict json_schema must meet, or the request is refused with 400.

Rules from OpenAI's structured-outputs guide as Azure documents them (learn.microsoft.com/azure/foundry/openai/
how-to/structured-outputs): the root is an object, "additionalProperties: false must always be set in
objects", and every property is listed in "required". Messages as the service words them (seen in many public
reports: "Invalid schema for response_format 'X': In context=(...), ..."). An empty enum has no instance at all;
its wording is an assumption. Keyword support (maxLength, minItems...) changes between model versions and is
not checked (docs/estate-format.md).
"""

from __future__ import annotations

from typing import Any


class SchemaRefused(ValueError):
    """The schema breaks a strict-mode rule; the message is the service's."""


def _fail(path: tuple[str, ...], text: str) -> SchemaRefused:
    return SchemaRefused(f"In context={path!r}, {text}")


def _resolve(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        return None
    target: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            return None
        target = target[part]
    return target


def _is_object(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node


def _check(node: Any, path: tuple[str, ...], root: dict[str, Any]) -> None:
    if not isinstance(node, dict):
        raise _fail(path, "a schema must be an object.")
    ref = node.get("$ref")
    if isinstance(ref, str) and _resolve(root, ref) is None:
        raise _fail(path, f"reference '{ref}' cannot be resolved.")
    if "enum" in node and (not isinstance(node["enum"], list) or not node["enum"]):
        raise _fail(path, "'enum' must be a non-empty array.")
    if _is_object(node):
        if node.get("additionalProperties") is not False:
            raise _fail(path, "'additionalProperties' is required to be supplied and to be false.")
        props = node.get("properties") or {}
        required = node.get("required")
        missing = [k for k in props if not isinstance(required, list) or k not in required]
        if missing:
            raise _fail(path, "'required' is required to be supplied and to be an array including every key in "
                              f"properties. Missing '{missing[0]}'.")
        extra = [k for k in required or [] if k not in props]
        if extra:
            raise _fail(path, "'required' is required to be supplied and to be an array including every key in "
                              f"properties. Extra required key '{extra[0]}' supplied.")
        for name, child in props.items():
            _check(child, (*path, "properties", name), root)
    if isinstance(node.get("items"), dict):
        _check(node["items"], (*path, "items"), root)
    for key in ("anyOf", "$defs", "definitions"):
        children = node.get(key)
        pairs = enumerate(children) if isinstance(children, list) else (children or {}).items()
        for name, child in pairs:
            _check(child, (*path, key, str(name)), root)


def validate(name: str, schema: Any) -> None:
    """Raise SchemaRefused with "Invalid schema for response_format '<name>': ..." if strict mode refuses it."""
    try:
        if not isinstance(schema, dict) or schema.get("type") != "object" or "anyOf" in schema:
            kind = schema.get("type") if isinstance(schema, dict) else None
            raise SchemaRefused(f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{kind}\"'.")
        _check(schema, (), schema)
    except SchemaRefused as exc:
        raise SchemaRefused(f"Invalid schema for response_format '{name}': {exc}") from None
