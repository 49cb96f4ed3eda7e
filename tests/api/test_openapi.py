"""The OpenAPI document and the interactive docs django-ninja serves under /api/v1/."""

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


def test_it_renders_the_docs_from_our_own_static_files(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert OPENAPI in html

    assets = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert any(url.endswith(".js") for url in assets) and any(url.endswith(".css") for url in assets)
    foreign = [url for url in assets if not url.startswith(settings.STATIC_URL)]
    assert foreign == [], "the docs page loads assets from elsewhere than our static files"
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        content = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert content, url
    # No inline script to execute (the settings are a JSON data block), and the page carries the
    # same Content-Security-Policy as every other page, so a browser could load nothing third-party.
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html)
    assert "default-src 'self'" in response["Content-Security-Policy"]
