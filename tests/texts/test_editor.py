"""The side-by-side editor, through the test client: the original, what changed
since the translated version, the form; saving, errors, conflicts."""

import re

import pytest
from django.urls import reverse

from convoca.gatherings import services as gathering_services
from convoca.texts import services
from convoca.texts.queries import translation_of

from .helpers import translate, written


def edit_url(gathering, language):
    return reverse("texts:edit", args=["gatherings.gathering", gathering.pk, language])


def post(client, gathering, language, **data):
    stored = translation_of(gathering, language)
    form = {"base_revision": gathering.text_revision, "expected_version": stored.version if stored else 0}
    form.update(data)
    return client.post(edit_url(gathering, language), form)


def test_it_shows_the_original_beside_an_empty_form_in_the_target_language(spanish, as_user):
    html = as_user(spanish.tomas).get(edit_url(spanish.conference, "pt-br")).content.decode()
    assert '<div class="original-text" lang="es">' in html and "Tres días de debate entre organizaciones." in html
    assert re.search(r'<input type="text" name="title"[^>]*lang="pt-br"', html)
    assert re.search(r'<textarea name="description"[^>]*lang="pt-br"', html)
    assert 'name="base_revision" value="1"' in html and 'name="expected_version" value="0"' in html


def test_it_saves_a_translation_and_goes_back_to_the_queue(spanish, as_user):
    client = as_user(spanish.tomas)
    queue = reverse("texts:queue") + "?language=pt-br"
    response = post(client, spanish.conference, "pt-br", title="Conferência Continental",
                    description="Três dias de debate.", next=queue)
    assert response.status_code == 302 and response["Location"] == queue
    stored = translation_of(spanish.conference, "pt-br")
    assert stored.fields == {"title": "Conferência Continental", "description": "Três dias de debate."}
    assert stored.translated_by == spanish.tomas
    assert "The translation has been saved." in client.get(queue).content.decode()


def test_it_never_redirects_to_another_site(spanish, as_user):
    response = post(as_user(spanish.tomas), spanish.prep_co, "en", title="Colombia", next="https://evil.example/")
    assert response["Location"] == reverse("texts:queue")


def test_it_shows_each_error_next_to_its_field_and_writes_nothing(spanish, as_user):
    before = written()
    response = post(as_user(spanish.tomas), spanish.conference, "en", title="", description="x" * 20001)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and 'href="#id_title"' in html and 'href="#id_description"' in html
    assert "Enter the translation of the title." in html
    assert "The translation of the description is too long (20000 characters at most)." in html
    assert written() == before


def test_it_shows_what_changed_since_the_translated_version(spanish, as_user):
    translate(spanish.tomas, spanish.conference, "en", title="Continental Conference", description="Three days.")
    gathering_services.update_gathering(spanish.alice, spanish.conference,
                                        description="Cuatro días de debate entre organizaciones.")
    spanish.conference.refresh_from_db()
    html = as_user(spanish.tomas).get(edit_url(spanish.conference, "en")).content.decode()
    assert "The original changed since the version you translated (version 1; it is now at version 2)" in html
    assert re.search(r"<del><span class=\"visually-hidden\">Removed: </span>Tres</del>"
                     r"<ins><span class=\"visually-hidden\">Added: </span>Cuatro</ins> días", html)
    assert "Three days.</textarea>" in html  # the translation to update, in its form
    assert 'name="base_revision" value="2"' in html and 'name="expected_version" value="1"' in html


def test_it_keeps_both_versions_when_someone_saved_meanwhile(spanish, as_user):
    client = as_user(spanish.tomas)
    opened = {"base_revision": 1, "expected_version": 0}
    services.save_translation(spanish.alice, spanish.prep_co, "en", {"title": "Meeting in Colombia"}, 1,
                              expected_version=0)  # while tomas had the empty form open
    response = client.post(edit_url(spanish.prep_co, "en"), {**opened, "title": "Colombian meeting"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this translation meanwhile." in html
    assert "Meeting in Colombia" in html and 'value="Colombian meeting"' in html  # theirs and mine
    assert 'name="expected_version" value="1"' in html
    assert translation_of(spanish.prep_co, "en").fields["title"] == "Meeting in Colombia"
    # saving again after comparing replaces it, knowingly
    response = client.post(edit_url(spanish.prep_co, "en"),
                           {"base_revision": 1, "expected_version": 1, "title": "Colombian meeting"})
    assert response.status_code == 302
    assert translation_of(spanish.prep_co, "en").fields["title"] == "Colombian meeting"


def test_it_says_so_when_the_original_changed_while_translating(spanish, as_user):
    client = as_user(spanish.tomas)
    gathering_services.update_gathering(spanish.alice, spanish.prep_co, title="Encuentro de Colombia")
    response = client.post(edit_url(spanish.prep_co, "en"),
                           {"base_revision": 1, "expected_version": 0, "title": "Colombia meeting"}, follow=True)
    assert "it is marked outdated" in response.content.decode()
    assert translation_of(spanish.prep_co, "en").revision == 1


@pytest.mark.parametrize(("target", "language"), [
    ("gatherings.gathering", "es"),  # the original's own language
    ("gatherings.gathering", "de"),
    ("gatherings.registration", "en"),  # not translatable
    ("nothing", "en"),
])
def test_it_answers_404_for_what_cannot_be_translated(spanish, as_user, target, language):
    url = reverse("texts:edit", args=[target, spanish.conference.pk, language])
    assert as_user(spanish.tomas).get(url).status_code == 404


@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_it_answers_404_for_ids_that_cannot_exist(spanish, as_user, pk):
    assert as_user(spanish.tomas).get(f"/translations/gatherings.gathering/{pk}/en/").status_code == 404


def test_it_refuses_a_post_from_someone_who_may_not_translate(spanish, as_user):
    response = post(as_user(spanish.carla), spanish.prep_co, "en", title="Colombia")
    assert response.status_code == 403 and translation_of(spanish.prep_co, "en") is None


def test_it_refuses_a_tampered_revision_with_a_message(spanish, as_user):
    response = as_user(spanish.tomas).post(edit_url(spanish.prep_co, "en"),
                                           {"base_revision": 9, "expected_version": 0, "title": "Colombia"})
    assert response.status_code == 200
    assert "This version of the original does not exist." in response.content.decode()
    assert translation_of(spanish.prep_co, "en") is None
