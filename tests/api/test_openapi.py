"""The OpenAPI document under /api/v1/ and our page that documents it."""

import json
import re

import pytest
import schemathesis
from django.conf import settings
from django.test import Client

OPENAPI = "/api/v1/openapi.json"
DOCS = "/api/v1/docs"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document():
    response = Client().get(OPENAPI)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)  # valid JSON, or the test fails here


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_it_is_a_valid_openapi_3_document(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"]), document["openapi"]
    assert document["info"]["title"] == "Convoca API"
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI meta-schema of that version


def test_it_lists_every_path_under_api_v1(document):
    paths = list(document["paths"])
    assert paths, "the document lists no path"
    assert [path for path in paths if not path.startswith("/api/v1/")] == []
    for expected in ["/api/v1/organisations", "/api/v1/people", "/api/v1/gatherings", "/api/v1/me"]:
        assert expected in paths


def test_it_describes_every_operation(document):
    undescribed = [
        label for label, operation in _operations(document)
        if not (operation.get("summary") or "").strip() and not (operation.get("description") or "").strip()
    ]
    assert undescribed == []


def test_it_declares_how_to_authenticate(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    protected = [label for label, operation in _operations(document) if operation.get("security")]
    assert "GET /api/v1/people" in protected and "GET /api/v1/me" in protected
    assert "GET /api/v1/organisations" not in protected  # public for anonymous callers


def test_it_renders_the_docs_as_our_own_page(client):
    """Our accessible page drawn from the document (issue 11), not Swagger UI: no script of its own,
    nothing from elsewhere, every operation listed, the JSON linked."""
    response = client.get(DOCS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="swagger-ui"' not in html and "swagger" not in html.lower()
    assert f'href="{OPENAPI}"' in html and "<h1>API documentation</h1>" in html
    assert "Authorization: Bearer &lt;token&gt;" in html
    document = json.loads(client.get(OPENAPI).content)
    for label, _operation in _operations(document):
        method, path = label.split(" ", 1)
        assert f'<span class="api-method">{method}</span> {path}</code>' in html, label
    assets = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert [url for url in assets if not url.startswith((settings.STATIC_URL, "data:"))] == []
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_it_documents_the_api_in_the_readers_language(client):
    html = client.get(DOCS, HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert '<html lang="pt-br">' in html and "Documentação da API" in html


def test_it_keeps_the_docs_page_light(client):
    import gzip

    html = client.get(DOCS, HTTP_ACCEPT_LANGUAGE="es").content
    assert len(gzip.compress(html)) < 50_000, len(gzip.compress(html))


def test_each_process_builds_the_public_document_once_and_serves_that(document):
    """A new build takes ~0.2 s of CPU and the document is public: it is built once per prefix and language,
    and what the endpoint serves is what a fresh build gives."""
    from ninja.openapi.schema import get_schema

    from convoca.api.urls import api

    first = api.get_openapi_schema(path_params={})
    assert api.get_openapi_schema(path_params={}) is first  # kept, not built again
    fresh = json.loads(json.dumps(get_schema(api=api, path_prefix=api.get_root_path({})), default=str))
    assert document == fresh == json.loads(json.dumps(first, default=str))
    assert Client().get(OPENAPI).content == Client().get(OPENAPI).content
