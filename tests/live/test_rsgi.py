"""convoca/rsgi.py: the environ a request gets (as granian's WSGI interface builds it), and requests of every
shape through a real ``convoca serve``."""

import http.client
import json
from types import SimpleNamespace

import pytest

from convoca.rsgi import Application, _Body, environ_for

from .servers import Server, prepare_database


class Headers(list):
    def items(self):
        return list(self)


def scope(**values):
    base = {"method": "GET", "path": "/", "query_string": "", "http_version": "1.1", "scheme": "http",
            "client": "127.0.0.1:51000", "server": "127.0.0.1:8000", "authority": None, "headers": Headers()}
    return SimpleNamespace(**(base | values))


def test_it_builds_the_environ_as_granians_wsgi_interface_does():
    environ = environ_for(scope(
        method="POST", path="/votes/poll/1/vote/", query_string="a=1&b=%C3%A9", client="[::1]:40000",
        headers=Headers([("host", "convoca.example.org"), ("content-type", "application/x-www-form-urlencoded"),
                         ("content-length", "7"), ("cookie", "a=1"), ("cookie", "b=2"), ("accept", "text/html"),
                         ("accept", "application/json"), ("x-forwarded-for", "203.0.113.9")]),
    ), b"x=1&y=2")
    assert environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/votes/poll/1/vote/"
    assert environ["QUERY_STRING"] == "a=1&b=%C3%A9"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded" and environ["CONTENT_LENGTH"] == "7"
    assert "HTTP_CONTENT_TYPE" not in environ and "HTTP_CONTENT_LENGTH" not in environ
    assert environ["HTTP_COOKIE"] == "a=1; b=2" and environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert environ["HTTP_HOST"] == "convoca.example.org" and environ["HTTP_X_FORWARDED_FOR"] == "203.0.113.9"
    assert environ["REMOTE_ADDR"] == "::1" and environ["SERVER_PORT"] == "8000"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1" and environ["wsgi.url_scheme"] == "http"
    assert environ["wsgi.input"].read() == b"x=1&y=2"


def test_it_gives_wsgi_the_path_as_latin_1_of_its_utf_8_bytes():
    environ = environ_for(scope(path="/gatherings/asamblea-méxico/", authority="localhost:8000"), b"")
    assert environ["PATH_INFO"] == "/gatherings/asamblea-mÃ©xico/"  # what PEP 3333 asks; Django decodes it back
    assert environ["HTTP_HOST"] == "localhost:8000"  # no Host header: the authority


def test_it_reads_a_body_by_size_and_by_line():
    body = _Body(b"one\ntwo\nthree")
    assert body.read(2) == b"on" and body.readline() == b"e\n"
    assert list(body) == [b"two\n", b"three"]
    assert body.read() == b""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rsgi")
    prepare_database(directory)
    started = Server(directory, workers=1)
    yield started
    started.stop()


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def test_it_answers_pages_forms_files_and_the_api_through_the_thread_pool(server):
    response, body = request(server, "GET", "/healthz")
    assert response.status == 200 and json.loads(body) == {"status": "ok"}
    response, body = request(server, "GET", "/api/v1/gatherings/plenary")
    assert response.status == 200 and json.loads(body)["title"] == "Change 0"
    response, body = request(server, "GET", "/gatherings/plenary/", headers={"Accept-Language": "fr"})
    assert response.status == 200 and b'lang="fr"' in body and response.getheader("Content-Security-Policy")
    # A form posted without its CSRF cookie: Django read the body and refused it, as it should.
    response, body = request(server, "POST", "/accounts/login/", body="email=a%40b.org&password=x",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 403
    response, body = request(server, "GET", "/static/js/live.js")  # a file (WhiteNoise), whole
    assert response.status == 200 and b"EventSource" in body
    assert int(response.getheader("Content-Length")) == len(body)
    response, _body = request(server, "GET", "/live/gatherings/999999/events")
    assert response.status == 404
    # An API ballot (its own pool of threads) without a token: Django answers, as for any API call.
    response, body = request(server, "POST", "/api/v1/polls/999999/ballots", body='{"choices": []}',
                             headers={"Content-Type": "application/json"})
    assert response.status in (401, 403) and "detail" in json.loads(body), body



def test_it_gives_api_ballots_their_own_pool_and_everything_else_the_pages_pool():
    app = Application(wsgi_app=object(), threads=4, ballot_threads=16)
    app.pool, app.ballot_pool = "pages", "ballots"
    assert app._pool_for(scope(method="POST", path="/api/v1/polls/12/ballots")) == "ballots"
    for method, path in [("GET", "/api/v1/polls/12/ballots"), ("POST", "/api/v1/polls/12/ballots/"),
                         ("POST", "/votes/poll/12/vote/"), ("POST", "/api/v1/polls/abc/ballots"),
                         ("POST", "/api/v1/polls/12/close")]:
        assert app._pool_for(scope(method=method, path=path)) == "pages", (method, path)
