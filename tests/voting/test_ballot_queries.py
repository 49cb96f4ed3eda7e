"""What the web ballot costs in queries. The poll page and the ballot form read only what differs from one
voter or request to the next (the account, whether this voter has voted); the rest comes from the ballot
box's spec of the open poll (question, options, frozen roll; still open: checked at most once a second and by
every commit) and from cached fragments.
Exact counts: a query added on this path fails here. The tests run outside a transaction, as the server
does, so that the spec and the caches behave as they do there."""

import re
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from convoca.voting import ballot_box, services
from convoca.voting.models import Participation, Poll
from tests.accounts.helpers import enrol_if_required

from .helpers import add_delegate, check_in, open_poll, option

# Every request of a logged-in session: the session (unless Redis answers for the database), then the account
# with whether its login is still on record and whether it sits on a committee (the second-factor check), in
# one query (accounts.middleware.get_user).
PER_REQUEST = (0 if settings.SESSION_ENGINE.endswith("cached_db") else 1) + 1
PAGE = PER_REQUEST + 1  # whether this voter has voted
FORM = PER_REQUEST  # the ballot itself is written by the ballot box's own transaction


@pytest.fixture
def live(world):
    """The world, outside a test transaction; forgets the polls it opened and frees the ballot box's
    connection afterwards."""
    opened = []
    yield world, opened
    for poll in opened:
        ballot_box.forget_poll(poll.pk)
    ballot_box.release_connection()


@pytest.fixture
def steady(monkeypatch):
    """No state check falls due inside a measured request: the ballot page reads an open poll's state once a
    ``STATE_TTL`` (a second), which on a loaded machine can pass between warming up and measuring."""
    monkeypatch.setattr(ballot_box, "STATE_TTL", 3600.0)


def browser(user):
    """A phone's browser logged in as ``user``: CSRF checked as for real."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_fields(html, action):
    """What a browser submits from the form posting to ``action``: its hidden inputs."""
    form = html[html.index(f'action="{action}"'):]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def warm(poll, voter):
    """The first page of a poll in a process loads its spec and counts its turnout: not what is measured."""
    assert browser(voter).get(reverse("voting:detail", args=[poll.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_open_ballot_with_the_account_and_has_voted_queries_only(live, steady, django_assert_num_queries):
    w, opened = live
    check_in(w.bob_reg)
    dora, _reg = add_delegate(w, "dora@example.org", "Dora")
    poll = open_poll(w)
    opened.append(poll)
    warm(poll, dora)
    client = browser(w.bob)
    with django_assert_num_queries(PAGE):
        page = client.get(reverse("voting:detail", args=[poll.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="choice"' in html and "no-store" in page["Cache-Control"]
    with django_assert_num_queries(PAGE):  # the same again: nothing is left to load on the second page
        client.get(reverse("voting:detail", args=[poll.pk]))


@pytest.mark.django_db(transaction=True)
def test_it_takes_the_ballot_form_with_the_account_queries_only(live, steady, django_assert_num_queries):
    w, opened = live
    check_in(w.bob_reg)
    dora, _reg = add_delegate(w, "dora@example.org", "Dora")
    poll = open_poll(w)
    opened.append(poll)
    warm(poll, dora)
    client = browser(w.bob)
    action = reverse("voting:cast", args=[poll.pk])
    fields = form_fields(client.get(reverse("voting:detail", args=[poll.pk])).content.decode(), action)
    fields["choice"] = str(option(poll, "yes"))
    with django_assert_num_queries(FORM):
        done = client.post(action, fields)
    assert done.status_code == 200 and re.search(r'<code id="receipt">[A-Z0-9-]+</code>', done.content.decode())
    assert Participation.objects.filter(voter__holder_user=w.bob).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_names_one_or_three_represented_delegates_with_the_same_queries(live, steady, django_assert_num_queries):
    """A proxy holder's page asks once for the delegates they represent (to name them), however many."""
    w, opened = live
    check_in(w.bob_reg)
    givers = [add_delegate(w, f"giver{i}@example.org", f"Giver {i}", w.org_mx, present=False) for i in range(3)]
    services.give_proxy(givers[0][0], w.conference, w.bob_reg)
    one = open_poll(w, secrecy=Poll.Secrecy.NAMED)
    for giver, _reg in givers[1:]:
        services.give_proxy(giver, w.conference, w.bob_reg)
    three = open_poll(w, secrecy=Poll.Secrecy.NAMED, title="¿Y la segunda?")
    opened += [one, three]
    client = browser(w.bob)
    for poll, represented in ((one, 1), (three, 3)):
        warm(poll, givers[0][0])
        with django_assert_num_queries(PAGE + 1):
            html = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
        assert html.count('name="proxy_') == represented * 4  # four answers each: the same as mine, yes, no, abstain


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_form_of_a_poll_closed_by_another_process_and_shows_it_closed(live):
    """This process keeps the open poll's spec; another worker closes the poll. A ballot posted here is
    refused (the commit reads the state) and from then on the page shows the poll closed."""
    w, opened = live
    check_in(w.bob_reg)
    poll = open_poll(w)
    opened.append(poll)
    client = browser(w.bob)
    action = reverse("voting:cast", args=[poll.pk])
    fields = form_fields(client.get(reverse("voting:detail", args=[poll.pk])).content.decode(), action)
    assert ballot_box.open_spec(poll.pk) is not None
    Poll.objects.filter(pk=poll.pk).update(state=Poll.State.CLOSED)  # what close_poll does in another process
    refused = client.post(action, {**fields, "choice": str(option(poll, "yes"))})
    assert "This poll is not open for voting." in refused.content.decode() and not Participation.objects.exists()
    html = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert 'name="choice"' not in html and "Closed" in html


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_poll_closed_by_another_process_closed_within_a_second(live):
    w, opened = live
    check_in(w.bob_reg)
    poll = open_poll(w)
    opened.append(poll)
    client = browser(w.bob)
    assert 'name="choice"' in client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    Poll.objects.filter(pk=poll.pk).update(state=Poll.State.CLOSED)  # another process, no ballot since
    time.sleep(ballot_box.STATE_TTL + 0.05)
    html = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert 'name="choice"' not in html and "Closed" in html
    assert ballot_box.open_spec(poll.pk) is None


def test_it_votes_with_a_plain_form_and_no_javascript(world):
    """The ballot is a form that posts and answers with a page: no script is needed, and CSRF is checked
    (cookie and hidden field, as a browser sends them)."""
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, kind="ranked", options="Ana\nBeto\nCira")
    client = browser(w.bob)
    page = client.get(reverse("voting:detail", args=[poll.pk]))
    html = page.content.decode()
    action = reverse("voting:cast", args=[poll.pk])
    assert f'<form method="post" action="{action}" novalidate>' in html and '<button type="submit" class="button">' in html
    assert "<script>" not in html and " onclick=" not in html  # no inline script; the ballot needs none
    fields = form_fields(html, action)
    assert set(fields) == {"csrfmiddlewaretoken", "idempotency_key"}
    a, b = option(poll, label="Ana"), option(poll, label="Beto")
    assert client.post(action, {"idempotency_key": fields["idempotency_key"], f"rank_{b}": "1"}).status_code == 403
    done = client.post(action, {**fields, f"rank_{b}": "1", f"rank_{a}": "2"})
    assert done.status_code == 200 and "Your vote is recorded" in done.content.decode()
    assert "You have voted" in client.get(reverse("voting:detail", args=[poll.pk])).content.decode()


# --- the pages shared by the delegates who have not voted, and their confirmations (core.shared_pages) -------


@pytest.fixture
def bob_and_dora(live):
    """Bob and Dora, present delegates, and an open poll: (world, dora, poll, the ballot form's action)."""
    w, opened = live
    check_in(w.bob_reg)
    dora, _reg = add_delegate(w, "dora@example.org", "Dora")
    poll = open_poll(w)
    opened.append(poll)
    return w, dora, poll, reverse("voting:cast", args=[poll.pk])


def _page(client, poll):
    return client.get(reverse("voting:detail", args=[poll.pk])).content.decode()


def _without_the_viewers_values(html, action):
    fields = form_fields(html, action)
    return html.replace(fields["csrfmiddlewaretoken"], "T").replace(fields["idempotency_key"], "K"), fields


@pytest.mark.django_db(transaction=True)
def test_delegates_share_one_drawn_page_each_with_their_own_token_and_request_key(bob_and_dora, steady):
    w, dora, poll, action = bob_and_dora
    bob, dora_phone = browser(w.bob), browser(dora)
    bob_page, bob_fields = _without_the_viewers_values(_page(bob, poll), action)
    dora_page, dora_fields = _without_the_viewers_values(_page(dora_phone, poll), action)
    assert bob_page == dora_page and "\x00" not in bob_page
    assert bob_fields["csrfmiddlewaretoken"] != dora_fields["csrfmiddlewaretoken"]
    assert bob_fields["idempotency_key"] != dora_fields["idempotency_key"]
    for client, fields in ((bob, bob_fields), (dora_phone, dora_fields)):  # each token is valid for its browser
        done = client.post(action, {**fields, "choice": str(option(poll, "yes"))})
        assert done.status_code == 200 and '<code id="receipt">' in done.content.decode()
    assert Participation.objects.filter(voter__poll=poll).count() == 2
    # Someone else's token is refused (CSRF), nothing counted.
    nadia_phone = browser(add_delegate(w, "nadia2@example.org", "Nadia")[0])
    refused = nadia_phone.post(action, {**bob_fields, "choice": str(option(poll, "no"))})
    assert refused.status_code == 403 and Participation.objects.filter(voter__poll=poll).count() == 2


@pytest.mark.django_db(transaction=True)
def test_what_differs_from_one_viewer_to_the_next_is_never_taken_from_the_shared_page(bob_and_dora, steady):
    """After a delegate who has not voted drew the page: one who voted, a coordinator running the poll, a
    delegate with a message waiting and a reader of another language each get their own."""
    w, dora, poll, action = bob_and_dora
    dora_phone = browser(dora)
    assert 'name="choice"' in _page(dora_phone, poll)
    bob = browser(w.bob)
    fields = form_fields(_page(bob, poll), action)
    bob.post(action, {**fields, "choice": str(option(poll, "yes"))})
    voted = _page(bob, poll)
    assert "You have voted" in voted and 'name="choice"' not in voted
    alice = browser(w.alice)
    enrol_if_required(alice, w.alice)
    assert "Run the poll" in _page(alice, poll)
    assert "Run the poll" not in _page(dora_phone, poll)
    french = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    french.force_login(dora)
    assert 'lang="fr"' in _page(french, poll)
    session = dora_phone.session
    session["_messages"] = '[["__json_message",0,20,"Un aviso para Dora"]]'
    session.save()
    assert "Un aviso para Dora" in _page(dora_phone, poll)


@pytest.mark.django_db(transaction=True)
def test_confirmations_share_one_drawn_page_and_the_receipt_is_never_kept_with_it(bob_and_dora, steady):
    w, dora, poll, action = bob_and_dora
    pages = []
    for user in (w.bob, dora):
        client = browser(user)
        fields = form_fields(_page(client, poll), action)
        html = client.post(action, {**fields, "choice": str(option(poll, "yes"))}).content.decode()
        receipt = re.search(r'<code id="receipt">([A-Z0-9-]+)</code>', html)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        pages.append((html.replace(receipt, "R").replace(token, "T"), receipt))
        again = client.post(action, {**fields, "choice": str(option(poll, "yes"))}).content.decode()
        assert receipt in again and "This ballot had already reached us" in again  # a reload: counted once
    (bob_page, bob_receipt), (dora_page, dora_receipt) = pages
    assert bob_page == dora_page and bob_receipt != dora_receipt and "\x00" not in bob_page
    kept = b"".join(caches["template_fragments"]._cache.values())  # what the process keeps, as stored
    assert bob_receipt.encode() not in kept and dora_receipt.encode() not in kept
