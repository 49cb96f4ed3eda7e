"""/api/v1/translations: the queue, an object's versions, saving one."""

import pytest

from convoca.accounts.services import create_api_token
from convoca.gatherings import services as gathering_services
from convoca.texts.queries import translation_of

from .helpers import translate, written

API = "/api/v1"


def bearer(user):
    _token, raw = create_api_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def versions_url(gathering):
    return f"{API}/translations/gatherings.gathering/{gathering.pk}"


def put(client, auth, gathering, language, body):
    return client.put(f"{versions_url(gathering)}/{language}", body, content_type="application/json", **auth)


def test_it_lists_an_objects_versions(spanish, client):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    gathering_services.update_gathering(spanish.alice, spanish.conference, title="Conferencia Continental 2026")
    body = client.get(versions_url(spanish.conference), **bearer(spanish.tomas)).json()
    assert body["original_language"] == "es" and body["revision"] == 2
    assert body["original"]["title"] == "Conferencia Continental 2026"
    assert [(v["language"], v["revision"], v["version"], v["outdated"]) for v in body["translations"]] == [
        ("en", 1, 1, True)
    ]
    assert body["missing"] == ["pt-br", "fr"]


def test_it_saves_a_version_through_the_service(spanish, client):
    auth = bearer(spanish.tomas)
    response = put(client, auth, spanish.prep_co, "fr",
                   {"fields": {"title": "Rencontre de Colombie"}, "base_revision": 1, "expected_version": 0})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1 and not response.json()["outdated"]
    assert translation_of(spanish.prep_co, "fr").translated_by == spanish.tomas


def test_it_answers_409_when_the_stored_version_is_newer(spanish, client):
    translate(spanish.alice, spanish.prep_co, "fr", title="Rencontre de Colombie")
    before = written()
    response = put(client, bearer(spanish.tomas), spanish.prep_co, "fr",
                   {"fields": {"title": "Réunion colombienne"}, "base_revision": 1, "expected_version": 0})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert written() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"fields": {"title": ""}, "base_revision": 1}, "title"),
    ({"fields": {"title": "x" * 201}, "base_revision": 1}, "title"),
    ({"fields": {"title": "Ok", "kind": "conference"}, "base_revision": 1}, "fields"),
    ({"fields": "Rencontre", "base_revision": 1}, "fields"),
    ({"fields": {"title": "Ok"}, "base_revision": "one"}, "base_revision"),
    ({"fields": {"title": "Ok"}}, "base_revision"),
    ({"fields": {"title": "Ok"}, "base_revision": 1, "expected_version": -3}, "expected_version"),
])
def test_it_answers_400_naming_the_field_and_writes_nothing(spanish, client, body, field):
    before = written()
    response = put(client, bearer(spanish.tomas), spanish.prep_co, "fr", body)
    assert response.status_code == 400 and response.json()["field"] == field, response.content
    assert written() == before


@pytest.mark.parametrize("language", ["es", "de", "xx"])
def test_it_answers_400_for_a_language_it_cannot_translate_into(spanish, client, language):
    response = put(client, bearer(spanish.tomas), spanish.prep_co, language, {"fields": {"title": "Ok"},
                                                                             "base_revision": 1})
    assert response.status_code == 400 and response.json()["field"] == "language"


def test_it_refuses_others_and_anonymous_callers(spanish, client):
    body = {"fields": {"title": "Rencontre"}, "base_revision": 1}
    assert put(client, {}, spanish.prep_co, "fr", body).status_code == 401
    assert client.get(versions_url(spanish.prep_co)).status_code == 401
    for name in ("carla", "bob", "nadia"):
        auth = bearer(getattr(spanish, name))
        assert put(client, auth, spanish.prep_co, "fr", body).status_code == 403
        assert client.get(versions_url(spanish.prep_co), **auth).status_code == 403
        assert client.get(f"{API}/translations", **auth).status_code == 403
    assert translation_of(spanish.prep_co, "fr") is None


@pytest.mark.parametrize("path", ["gatherings.registration/1", "nothing/1", "gatherings.gathering/999999",
                                  "gatherings.gathering/0", f"gatherings.gathering/{2**63}"])
def test_it_answers_404_for_what_is_not_a_translatable_text(spanish, client, path):
    response = client.get(f"{API}/translations/{path}", **bearer(spanish.tomas))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_queue_lists_missing_and_outdated_versions_with_filters(spanish, client):
    auth = bearer(spanish.tomas)
    translate(spanish.tomas, spanish.prep_co, "en", title="Colombia meeting")
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, title="Encuentro de Colombia")
    body = client.get(f"{API}/translations?state=outdated", **auth).json()
    assert body["count"] == 1
    assert body["items"] == [{
        "target": "gatherings.gathering", "id": spanish.prep_co.pk, "language": "en", "state": "outdated",
        "gathering_id": spanish.prep_co.pk, "translated_revision": 1, "revision": 2,
        "title": "Encuentro de Colombia",
    }]
    body = client.get(f"{API}/translations?gathering_id={spanish.prep_mx.pk}&language=fr", **auth).json()
    assert [(i["id"], i["language"], i["state"]) for i in body["items"]] == [(spanish.prep_mx.pk, "fr", "missing")]
    assert client.get(f"{API}/translations?limit=2&offset=1", **auth).json()["items"][0]["language"] == "fr"


@pytest.mark.parametrize("query", ["state=new", "language=de", "gathering_id=abc", "limit=0", "offset=-1",
                                   f"gathering_id={2**64}"])
def test_the_queue_answers_400_for_bad_filters(spanish, client, query):
    response = client.get(f"{API}/translations?{query}", **bearer(spanish.tomas))
    assert response.status_code == 400 and response.json()["detail"]
