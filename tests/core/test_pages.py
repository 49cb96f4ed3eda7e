from convoca.core.middleware import CSP


def test_it_serves_home_with_strict_csp(client, world):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP
    assert world.conference.title.encode() in response.content


def test_it_answers_healthz_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_it_has_no_inline_script_or_style(client, world):
    html = client.get("/").content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_it_returns_a_translated_404(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Página não encontrada</h1>" in page and 'lang="pt-br"' in page
    assert "Page not found" not in page
