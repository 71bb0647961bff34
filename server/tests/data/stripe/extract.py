#!/usr/bin/env python3
"""Cuts what the test fake Stripe needs out of Stripe's OpenAPI spec and fixtures.

Usage: extract.py SPEC3_JSON FIXTURES3_JSON [OUT_DIR]

Writes request_schemas.json (the request schemas of the operations the fake serves, every
$ref inlined, prose descriptions dropped) and fixtures.json (the example objects it answers
with). OUT_DIR defaults to this script's directory.
"""
import json
import os
import sys

# The operations the fake serves: (method, path in the spec).
OPERATIONS = [
    ("post", "/v1/checkout/sessions"),
    ("get", "/v1/checkout/sessions/{session}"),
    ("post", "/v1/checkout/sessions/{session}/expire"),
    ("post", "/v1/refunds"),
]
FIXTURES = ["checkout.session", "refund"]
FORM = "application/x-www-form-urlencoded"

# Keywords holding lists of sub-schemas. The walk descends only through schema positions, so a
# parameter *named* "description" survives while the prose keyword is dropped.
SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")


def resolve(spec, ref, seen):
    if not ref.startswith("#/"):
        sys.exit(f"cannot resolve a non-local $ref: {ref}")
    if ref in seen:
        sys.exit(f"recursive $ref in a request schema: {ref}")
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def clean(spec, schema, seen=()):
    """A copy of `schema` with $refs inlined and prose (description) dropped."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        return clean(spec, resolve(spec, ref, seen), seen + (ref,))
    out = {}
    for key, value in schema.items():
        if key == "description":
            continue
        if key == "properties":
            out[key] = {name: clean(spec, sub, seen) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = clean(spec, value, seen)
        elif key in SCHEMA_LISTS:
            out[key] = [clean(spec, sub, seen) for sub in value]
        else:
            out[key] = value
    return out


def operation(spec, method, path):
    op = spec["paths"][path][method]
    body = op.get("requestBody", {}).get("content", {}).get(FORM, {})
    params = [clean(spec, p) for p in op.get("parameters", [])]
    for p in params:
        p.pop("description", None)
    return {
        "method": method.upper(),
        "path": path,
        "operationId": op.get("operationId"),
        "parameters": params,
        "requestBody": {
            "required": op.get("requestBody", {}).get("required", False),
            "encoding": body.get("encoding", {}),
            "schema": clean(spec, body.get("schema", {"type": "object"})),
        },
    }


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    spec_path, fixtures_path = sys.argv[1], sys.argv[2]
    out_dir = sys.argv[3] if len(sys.argv) == 4 else os.path.dirname(os.path.abspath(__file__))
    with open(spec_path) as f:
        spec = json.load(f)
    with open(fixtures_path) as f:
        fixtures = json.load(f)["resources"]

    schemas = {
        "api_version": spec["info"]["version"],
        "operations": [operation(spec, m, p) for m, p in OPERATIONS],
    }
    picked = {name: fixtures[name] for name in FIXTURES}
    for name, data in (("request_schemas.json", schemas), ("fixtures.json", picked)):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
