"""The web pages: a ballot that works as a plain form, organiser pages."""

import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from convoca.voting import services
from convoca.voting.models import Ballot, Participation, Poll, SealedBallot

from .helpers import PASSPHRASE, add_delegate, check_in, close_and_count, key, open_poll, option


def test_it_shows_the_ballot_and_confirms_with_a_receipt(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w)
    client = as_user(w.bob)
    page = client.get(reverse("voting:detail", args=[poll.pk]))
    html = page.content.decode()
    assert f'action="{reverse("voting:cast", args=[poll.pk])}"' in html
    k = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    data = {"choice": str(option(poll, "no")), "idempotency_key": k}
    done = client.post(reverse("voting:cast", args=[poll.pk]), data)
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    receipt = re.search(r'<code id="receipt">([A-Z0-9-]+)</code>', done.content.decode()).group(1)
    again = client.post(reverse("voting:cast", args=[poll.pk]), data)  # a double click or a reload
    assert receipt in again.content.decode()
    assert SealedBallot.objects.count() == 1 and Participation.objects.count() == 1 and not Ballot.objects.exists()
    after = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "You have voted" in after and 'name="choice"' not in after


def test_it_shows_errors_next_to_the_ballot_and_stores_nothing(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w)
    response = as_user(w.bob).post(reverse("voting:cast", args=[poll.pk]), {"idempotency_key": key()})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    response = as_user(w.bob).post(reverse("voting:cast", args=[poll.pk]), {"choice": "1", "idempotency_key": "bad"})
    assert "error-summary" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_ranks_candidates_without_javascript(world, as_user):
    w = world
    check_in(w.bob_reg)
    poll = open_poll(w, kind="ranked", options="Ana\nBeto\nCira")
    a, b, c = (option(poll, label=n) for n in ("Ana", "Beto", "Cira"))
    url = reverse("voting:cast", args=[poll.pk])
    dup = as_user(w.bob).post(url, {f"rank_{a}": "1", f"rank_{b}": "1", "idempotency_key": key()})
    assert "one candidate only" in dup.content.decode()
    as_user(w.bob).post(url, {f"rank_{b}": "1", f"rank_{c}": "2", "idempotency_key": key()})
    close_and_count(w, poll)
    assert Ballot.objects.get().choices == [b, c]


def test_it_lets_a_proxy_holder_vote_differently_for_the_delegate_they_represent(world, as_user):
    w = world
    check_in(w.bob_reg)
    dora, dora_reg = add_delegate(w, "dora@example.org", "Dora", w.org_mx, present=False)
    services.give_proxy(dora, w.conference, w.bob_reg)
    poll = open_poll(w, secrecy=Poll.Secrecy.NAMED)
    page = as_user(w.bob).get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert f'name="proxy_{dora_reg.pk}"' in page
    as_user(w.bob).post(reverse("voting:cast", args=[poll.pk]), {
        "choice": str(option(poll, "yes")), f"proxy_{dora_reg.pk}": str(option(poll, "abstain")), "idempotency_key": key(),
    })
    got = dict(Ballot.objects.values_list("voter__registration_id", "choices"))
    assert got == {w.bob_reg.pk: [option(poll, "yes")], dora_reg.pk: [option(poll, "abstain")]}


def test_it_creates_a_poll_from_the_form_and_shows_contradictions(world, as_user):
    client = as_user(world.alice)
    url = reverse("voting:create", args=["conferencia"])
    bad = client.post(url, {"title": "Comité", "kind": "multiple", "options": "A\nB\nC", "min_choices": "3",
                            "max_choices": "2", "secrecy": "secret", "electorate": "present",
                            "weighting": "delegate", "majority": "plurality", "base": "valid", "tie_break": "none"})
    assert bad.status_code == 200 and "cannot be more than" in bad.content.decode()
    assert not Poll.objects.exists()
    ok = client.post(url, {"title": "Comité", "kind": "ranked", "options": "A\nB\nC", "seats": "2",
                           "secrecy": "secret", "electorate": "present", "weighting": "delegate",
                           "majority": "plurality", "base": "valid", "tie_break": "lot"})
    poll = Poll.objects.get()
    assert ok.status_code == 302 and ok["Location"] == poll.get_absolute_url()
    assert poll.seats == 2 and poll.options.count() == 3


def test_it_runs_the_lifecycle_from_the_poll_page(world, as_user):
    w = world
    check_in(w.bob_reg)
    client = as_user(w.alice)
    poll = services.create_poll(w.alice, w.conference, title="Q", kind="yes_no")
    detail = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "no passphrase yet" in detail and reverse("voting:teller", args=[poll.pk]) in detail
    client.post(reverse("voting:open", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.state == Poll.State.DRAFT  # alice, the teller, has not set her passphrase
    teller = reverse("voting:teller", args=[poll.pk])
    short = client.post(teller, {"passphrase": "short", "confirm": "short"})
    assert "at least 12 characters" in short.content.decode()
    other = client.post(teller, {"passphrase": "my teller passphrase", "confirm": "my teller passphrase!"})
    assert "different" in other.content.decode()
    assert client.post(teller, {"passphrase": "my teller passphrase", "confirm": "my teller passphrase"}).status_code == 302
    for step in ("open", "close"):
        assert client.post(reverse(f"voting:{step}", args=[poll.pk])).status_code == 302
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert reverse("voting:count", args=[poll.pk]) in page
    count = reverse("voting:count", args=[poll.pk])
    form = client.get(count).content.decode()
    assert 'name="teller_1"' in form and 'name="passphrase_1"' in form and 'name="teller_2"' not in form
    wrong = client.post(count, {"teller_1": str(w.alice.pk), "passphrase_1": "not my passphrase"})
    assert "passphrase of teller 1 is wrong" in wrong.content.decode()
    assert client.post(count, {"teller_1": str(w.alice.pk), "passphrase_1": "my teller passphrase"}).status_code == 302
    assert client.post(reverse("voting:publish", args=[poll.pk])).status_code == 302
    poll.refresh_from_db()
    assert poll.state == Poll.State.PUBLISHED and poll.result["outcome"]
    page = as_user(w.nadia).get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Result" in page
    results = as_user(None).get(reverse("voting:results", args=[poll.pk]))  # anonymous: no login page
    assert results.status_code == 200 and "more than half" in results.content.decode()
    receipts = as_user(None).get(reverse("voting:receipts", args=[poll.pk]) + "?receipt=NOPE")
    assert "No ballot has this code" in receipts.content.decode()


def test_it_annuls_only_with_a_reason(world, as_user):
    poll = services.create_poll(world.alice, world.conference, title="Q", kind="yes_no")
    url = reverse("voting:annul", args=[poll.pk])
    assert "error-summary" in as_user(world.alice).post(url, {"reason": ""}).content.decode()
    assert as_user(world.alice).post(url, {"reason": "Texto equivocado"}).status_code == 302
    poll.refresh_from_db()
    assert poll.state == Poll.State.ANNULLED


def test_it_lists_one_or_three_polls_with_the_same_number_of_queries(world, as_user):
    client = as_user(world.alice)
    url = reverse("voting:list", args=["conferencia"])
    services.create_poll(world.alice, world.conference, title="Uno", kind="yes_no")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for title in ("Dos", "Tres"):
        services.create_poll(world.alice, world.conference, title=title, kind="yes_no")
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    assert len(one) == len(three)


def test_it_gives_and_revokes_a_proxy_from_the_web(world, as_user):
    w = world
    dora, dora_reg = add_delegate(w, "dora@example.org", "Dora", w.org_mx, present=False)
    url = reverse("voting:proxies", args=["conferencia"])
    assert as_user(dora).post(url, {"holder": str(w.bob_reg.pk)}).status_code == 302
    page = as_user(w.bob).get(url).content.decode()
    assert "Revoke" in page
    proxy = w.conference.proxies.get()
    as_user(dora).post(reverse("voting:proxy_revoke", args=[proxy.pk]))
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_it_renders_every_page_of_polls_in_every_state_without_template_errors(world, as_user):
    from convoca.voting.demo import load_demo_polls

    w = world
    check_in(w.bob_reg)
    for i in range(5):
        add_delegate(w, f"page{i}@example.org", f"Page {i}", w.org_mx if i % 2 else w.org_co)
    polls = load_demo_polls(w.conference, w.alice)
    pages = [reverse("voting:list", args=["conferencia"]), reverse("voting:proxies", args=["conferencia"]),
             reverse("voting:create", args=["conferencia"])]
    for poll in polls:
        pages += [reverse(f"voting:{name}", args=[poll.pk])
                  for name in ("detail", "receipts", "results", "audit", "turnout", "annul", "teller", "count")]
    for user in (w.alice, w.bob):
        client = as_user(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403), url
            assert b"INVALID_TEMPLATE_VARIABLE" not in response.content, url


def test_it_creates_a_poll_for_a_chosen_group_with_bloc_weights_from_the_form(world, as_user):
    w = world
    url = reverse("voting:create", args=["conferencia"])
    base = {"title": "Comisión", "kind": "yes_no", "secrecy": "secret", "electorate": "chosen",
            "weighting": "delegate", "majority": "simple", "base": "valid", "tie_break": "none"}
    weight = f"custom_weights_org_{w.org_co.pk}"  # a box beside the organisation's name, not a typed id
    bad = as_user(w.alice).post(url, {**base, "chosen_voters": [str(w.bob_reg.pk)], weight: "three"},
                                HTTP_ACCEPT_LANGUAGE="en")
    assert "Weight for Sindicato Andino: write a positive number" in bad.content.decode()
    ok = as_user(w.alice).post(url, {**base, "chosen_voters": [str(w.bob_reg.pk)], weight: "3"})
    assert ok.status_code == 302
    poll = Poll.objects.get()
    assert list(poll.chosen_voters.all()) == [w.bob_reg] and poll.custom_weights == {f"org:{w.org_co.pk}": "3"}
    services.set_teller_passphrase(w.alice, poll, PASSPHRASE)
    services.open_poll(w.alice, poll)  # bob need not be checked in: he was chosen
    assert services.cast_ballot(w.bob, poll, ["yes"], key()).weight == 3_000_000


def test_it_shows_the_audit_trail_translated_and_hides_names_the_viewer_may_not_see(world, as_user):
    w = world
    poll = services.create_poll(w.alice, w.prep_co, title="Orden del día", kind="yes_no")
    services.annul_poll(w.alice, poll, "Duplicada")
    html = as_user(w.carla).get(reverse("voting:audit", args=[poll.pk])).content.decode()
    assert "Poll created" in html and "Poll annulled" in html and ">created<" not in html
    assert w.alice_person.display_name not in html  # alice shows her name to coordinators only
    assert "Name not shown" in html
    assert w.alice_person.display_name in as_user(w.alice).get(reverse("voting:audit", args=[poll.pk])).content.decode()


def test_it_answers_a_delegate_running_an_organiser_action_with_the_403_page(world, as_user):
    w = world
    check_in(w.bob_reg)
    draft = services.create_poll(w.alice, w.conference, title="Orden del día", kind="yes_no")
    client = as_user(w.bob)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    for name, data in [("voting:open", {}), ("voting:annul", {"reason": "Porque sí"})]:
        response = client.post(reverse(name, args=[draft.pk]), data)
        page = response.content.decode()
        assert response.status_code == 403, name
        assert "<h1>No permitido</h1>" in page and "error-summary" not in page, name
    draft.refresh_from_db()
    assert draft.state == Poll.State.DRAFT and not draft.annul_reason
