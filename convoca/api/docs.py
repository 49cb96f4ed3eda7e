"""The API's documentation page: our own page, drawn on the server from the
OpenAPI document, in the reader's language, under the site's layout. It
replaces Swagger UI (6 kinds of accessibility violations, a heavy script,
nothing without JavaScript); the OpenAPI JSON stays at /api/v1/openapi.json
for tools."""

from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema, components):
    """A short name for a schema: its model's name, a list of it, or its JSON type."""
    if not isinstance(schema, dict):
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}), components)}]"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            kinds = [_type(part, components) for part in schema[key]]
            return " | ".join(kind for kind in kinds if kind)
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return schema.get("format") or schema.get("type", "")


def digest(document):
    """The operations of ``document`` by tag, each with what a reader needs to call it."""
    components = document.get("components", {})
    tags = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values()), {}).get("schema") if body else None
            tag = (operation.get("tags") or ["api"])[0]
            tags.setdefault(tag, []).append({
                "id": operation.get("operationId") or f"{method}-{path}",
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "token": bool(operation.get("security")),
                "parameters": [
                    {
                        "name": parameter.get("name"), "where": parameter.get("in"),
                        "required": parameter.get("required", False),
                        "type": _type(parameter.get("schema", {}), components),
                        "description": parameter.get("description") or parameter.get("schema", {}).get("description", ""),
                    }
                    for parameter in operation.get("parameters", [])
                ],
                "body": _type(body_schema, components) if body_schema else "",
                "responses": [
                    {"code": code, "description": response.get("description", ""),
                     "type": _type(next(iter(response.get("content", {}).values()), {}).get("schema"), components)}
                    for code, response in operation.get("responses", {}).items()
                ],
            })
    return sorted(tags.items())


class ApiDocs(DocsBase):
    def __init__(self):
        self._digests = {}  # the API does not change while a process runs; building its schema takes seconds

    def digest_for(self, api, path_params=None):
        key = tuple(sorted((path_params or {}).items()))
        if key not in self._digests:
            document = api.get_openapi_schema(path_params=path_params or {})
            self._digests[key] = (digest(document), document.get("info", {}).get("version", ""))
        return self._digests[key]

    def render_page(self, request, api, **kwargs):
        tags, version = self.digest_for(api, kwargs)
        context = {"api": api, "tags": tags, "openapi_url": self.get_openapi_url(api, kwargs), "version": version}
        return render(request, "api/docs.html", context)
