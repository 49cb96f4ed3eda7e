"""A poll in the reader's language (issue 7): its question, explanation and options as translated, on every
page that shows them and in the API; the original where no version exists; an open poll's texts frozen
with it in every language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from convoca.texts import services as text_services
from convoca.voting.models import Option

from .helpers import check_in, close_and_count, new_poll, open_poll

QUESTION = "¿Qué día hacemos la marcha continental?"
OPTIONS = ["El primero de mayo", "El dieciocho de diciembre"]
PT = {"title": "Em que dia fazemos a marcha continental?", "description": "Escolham uma data."}
PT_OPTIONS = ["No primeiro de maio", "No dezoito de dezembro"]


def _poll(w, opened=True):
    with translation.override("es"):
        make = open_poll if opened else new_poll
        poll = make(w, title=QUESTION, description="Elijan una fecha.", kind="single", options=OPTIONS,
                    secrecy="open")
    return poll


def _translate(w, poll, language="pt-br"):
    text_services.save_translation(w.alice, poll, language, PT, poll.text_revision)
    for option, label in zip(poll.options.exclude(label="").order_by("position"), PT_OPTIONS, strict=True):
        text_services.save_translation(w.alice, option, language, {"label": label}, option.text_revision)


def _get(client, url, language):
    """The page as a reader who chose ``language`` (the language switch's cookie) sees it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


def test_the_ballot_shows_the_question_and_options_in_the_readers_language(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = _poll(w, opened=False)
    _translate(w, poll)
    from convoca.voting import services

    services.open_poll(w.alice, poll)
    client = as_user(w.bob)
    html = _get(client, reverse("voting:detail", args=[poll.pk]), "pt-br")
    assert PT["title"] in html and PT["description"] in html and all(label in html for label in PT_OPTIONS)
    assert QUESTION not in html and OPTIONS[0] not in html
    spanish = _get(client, reverse("voting:detail", args=[poll.pk]), "es")
    assert QUESTION in spanish and OPTIONS[1] in spanish and PT["title"] not in spanish
    # French has no version: the original, marked as Spanish for screen readers and translation tools
    french = _get(client, reverse("voting:detail", args=[poll.pk]), "fr")
    assert f'<h1 lang="es">{QUESTION}</h1>' in french.replace("&#x27;", "'")


def test_a_translation_saved_while_the_poll_is_open_reaches_its_voters(world, as_user):
    """The original is frozen while the poll is open; a translator who catches up helps those still to vote."""
    w = world
    check_in(w.bob_reg)
    poll = _poll(w)
    client = as_user(w.bob)
    assert QUESTION in _get(client, reverse("voting:detail", args=[poll.pk]), "pt-br")
    _translate(w, poll)
    html = _get(client, reverse("voting:detail", args=[poll.pk]), "pt-br")
    assert PT["title"] in html and PT_OPTIONS[0] in html and QUESTION not in html


def test_the_list_results_and_pages_around_a_poll_show_its_translation(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = _poll(w)
    _translate(w, poll)
    client = as_user(w.alice)
    listing = _get(client, reverse("voting:list", args=[w.conference.slug]), "pt-br")
    assert PT["title"] in listing and QUESTION not in listing
    from convoca.voting import services

    chosen = Option.objects.filter(poll=poll, label=OPTIONS[1]).get()
    services.cast_ballot(w.bob, poll, [chosen.pk], "k" * 32)
    poll = close_and_count(w, poll)
    services.publish_poll(w.alice, poll)
    results = _get(client, reverse("voting:results", args=[poll.pk]), "pt-br")
    assert PT["title"] in results and PT_OPTIONS[1] in results and OPTIONS[1] not in results
    receipts = _get(client, reverse("voting:receipts", args=[poll.pk]), "pt-br")
    assert PT["title"] in receipts
    audit = _get(client, reverse("voting:audit", args=[poll.pk]), "pt-br")
    assert PT["title"] in audit


def test_the_api_gives_the_callers_language_and_says_which(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = _poll(w)
    _translate(w, poll)
    client = as_user(w.alice)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the voting tests' client asks for English by cookie
    shown = client.get(f"/api/v1/polls/{poll.pk}", HTTP_ACCEPT_LANGUAGE="pt-br").json()
    assert shown["title"] == PT["title"] and shown["language"] == "pt-br" and shown["original_language"] == "es"
    assert [o["label"] for o in shown["options"]] == PT_OPTIONS
    original = client.get(f"/api/v1/polls/{poll.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert original["title"] == QUESTION and original["language"] == "es"
    listed = client.get(f"/api/v1/polls?gathering={w.conference.slug}", HTTP_ACCEPT_LANGUAGE="pt-br").json()
    assert [p["title"] for p in listed if p["id"] == poll.pk] == [PT["title"]]
