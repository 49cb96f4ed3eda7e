"""Signing on to the published declaration through the public form: verification by a single-use signed link,
duplicates refused and counted once, withdrawal, flood limits, what the public sees. Bad inputs tried: an
unpublished declaration, a duplicate email (other case), a duplicate organisation (other case and accents), a
forged, a tampered and a reused verification link, a reused withdrawal link, markup in the name fields, an
unknown country and sector, an individual where only organisations may sign, a flood from one address."""

import pytest
from django.core import mail
from django.urls import reverse

from convoca.core.errors import ServiceError
from convoca.endorsements import queries, services
from convoca.endorsements.models import Endorsement, EndorsementSettings
from tests.endorsements.helpers import ORG, declaration, links_in_mail, sign, snapshot

pytestmark = pytest.mark.django_db

FORM = {**ORG, "show_signatory": ""}


def _post(client, slug="conferencia", **changes):
    return client.post(reverse("endorsements:endorse", args=[slug]), {**FORM, **changes})


def _verify(client, token, slug="conferencia"):
    return client.post(reverse("endorsements:verify", args=[slug, token]), follow=True)


def test_it_shows_an_organisation_after_its_email_is_verified(world, client, django_capture_on_commit_callbacks):
    declaration(world)
    page = client.get(reverse("endorsements:endorse", args=["conferencia"]))
    assert "Endorse the declaration" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    assert response.status_code == 302 and response.url.endswith("/sign/thanks/")
    listing = client.get(reverse("endorsements:list", args=["conferencia"])).content.decode()
    assert "Central Única" not in listing and "0 endorsements" in listing
    [(kind, token), (_kind, withdraw)] = links_in_mail()
    assert kind == "verify" and _kind == "withdraw"
    assert "Ana@cut.example" not in mail.outbox[0].subject
    # A GET of the link (a mail client's preview) changes nothing.
    assert "Confirm your endorsement" in client.get(reverse("endorsements:verify", args=["conferencia", token])).content.decode()
    assert Endorsement.objects.get().state == "unverified"
    page = _verify(client, token).content.decode()
    assert "your endorsement is confirmed" in page
    assert "Central Única dos Trabalhadores" in page and "Brazil" in page and "Trade union" in page
    assert "Ana Souza" not in page and "cut.example" not in page  # the signatory chose not to be shown
    assert "1 endorsement" in page


def test_it_uses_a_verification_link_once_and_refuses_forged_ones(world, client, django_capture_on_commit_callbacks):
    found = declaration(world)
    with django_capture_on_commit_callbacks(execute=True):
        sign(found)
    [(_, token), _w] = links_in_mail()
    for forged in ("nonsense", token[:-2] + "xx", token.replace(":", ";", 1)):
        page = _verify(client, forged).content.decode()
        assert "This link is not valid" in page
    assert Endorsement.objects.get().state == "unverified"
    _verify(client, token)
    before = snapshot()
    page = _verify(client, token).content.decode()
    assert "already been used" in page
    assert snapshot() == before
    # The withdrawal link's token does not verify, nor the reverse.
    with pytest.raises(ServiceError):
        services.verify(_w[1])


def test_it_counts_a_duplicate_once(world, client, django_capture_on_commit_callbacks):
    found = declaration(world)
    with django_capture_on_commit_callbacks(execute=True):
        sign(found)
    before = snapshot()
    page = _post(client, email="ana@CUT.example", organisation="Otra").content.decode()
    assert "already recorded: it counts once" in page
    page = _post(client, email="otra@cut.example", organisation="central unica dos  TRABALHADORES").content.decode()
    assert "has already endorsed the declaration for this country" in page
    assert snapshot() == before and len(mail.outbox) == 1
    # Same name in another country is another organisation.
    assert _post(client, email="otra@cut.example", country="AR").status_code == 302


def test_it_refuses_an_unpublished_declaration(world, client):
    found = declaration(world, publish=False)
    assert _post(client).status_code == 404
    assert client.get(reverse("endorsements:list", args=["conferencia"])).status_code == 404
    with pytest.raises(ServiceError, match="not published"):
        sign(found)
    assert not Endorsement.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("organisation", "<script>alert(1)</script>", "are not allowed"),
    ("signatory", "Ana <img src=x onerror=alert(1)>", "are not allowed"),
    ("role", "<b>jefa</b>", "are not allowed"),
    ("country", "XX", "valid choice"),
    ("sector", "bank", "valid choice"),
    ("organisation", "", "Give the organisation"),
    ("email", "not-an-email", "valid email"),
    ("kind", "individual", "valid choice"),
])
def test_it_refuses_bad_input_and_stores_nothing(world, client, field, value, message):
    declaration(world)
    response = _post(client, **{field: value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Endorsement.objects.exists() and not mail.outbox


def test_it_lets_individuals_sign_when_the_coordinators_allow(world, client, django_capture_on_commit_callbacks):
    found = declaration(world)
    with pytest.raises(ServiceError, match="Only organisations"):
        sign(found, kind="individual", organisation="")
    services.change_settings(world.alice, world.conference, individuals_allowed=True, committee_approval=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, kind="individual", organisation="", sector="", email="p@example.org",
                         signatory="Pedro Páramo")
    assert response.status_code == 302
    _verify(client, links_in_mail()[0][1])
    page = client.get(reverse("endorsements:list", args=["conferencia"])).content.decode()
    assert "Pedro Páramo" not in page and "chose not to show their name" in page


def test_it_withdraws_by_the_signers_link(world, client, django_capture_on_commit_callbacks):
    found = declaration(world)
    with django_capture_on_commit_callbacks(execute=True):
        sign(found)
    [(_, token), (_, withdraw)] = links_in_mail()
    _verify(client, token)
    url = reverse("endorsements:withdraw", args=["conferencia", withdraw])
    page = client.post(url, follow=True).content.decode()
    assert "withdrawn" in page and "Central Única" not in page
    assert not Endorsement.objects.exists()
    assert "already been withdrawn" in client.post(url, follow=True).content.decode()


def test_it_limits_floods_per_address_with_a_clear_message(world, client, settings):
    declaration(world)
    settings.ENDORSEMENTS_PER_ADDRESS = 3
    for n in range(3):
        assert _post(client, email=f"a{n}@x.org", organisation=f"Org {n}").status_code == 302
    response = _post(client, email="a9@x.org", organisation="Org 9")
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert Endorsement.objects.count() == 3


def test_it_limits_sign_ons_per_email(world, client):
    declaration(world)
    for n in range(3):
        _post(client, email="same@x.org", organisation=f"Org {n}")
    assert _post(client, email="SAME@x.org", organisation="Org 9").status_code == 429
    assert Endorsement.objects.count() == 1


def test_it_counts_by_country(world, django_capture_on_commit_callbacks):
    found = declaration(world)
    for n, country in enumerate(["BR", "BR", "MX", "HT"]):
        endorsement, (token, _w) = sign(found, email=f"{n}@x.org", organisation=f"Org {n}", country=country)
        services.verify(token)
    sign(found, email="late@x.org", organisation="Late", country="MX")  # not verified: not counted
    assert [(c, o) for c, _name, o, _i in queries.counts_by_country(found)] == [("BR", 2), ("HT", 1), ("MX", 1)]


def test_the_list_costs_the_same_queries_for_1_and_3(world, client, django_assert_max_num_queries):
    found = declaration(world)
    token = sign(found)[1][0]
    services.verify(token)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("endorsements:list", args=["conferencia"]))
    for n in range(2):
        services.verify(sign(found, email=f"{n}@x.org", organisation=f"Org {n}")[1][0])
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("endorsements:list", args=["conferencia"]))
    assert EndorsementSettings.objects.count() == 0


def test_the_task_table_holds_the_endorsements_id_alone_and_the_worker_signs_its_links(world, settings):
    """At scale (the database task backend) a copy of the database must not hold the verification and
    withdrawal links: the sign-on queues the id; the worker signs the links into the email."""
    from django_tasks_db.models import DBTaskResult

    from convoca.endorsements import tasks

    found = declaration(world)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail.outbox.clear()
    endorsement, (verify_token, withdraw_token) = sign(found)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [endorsement.pk], "kwargs": {}} and mail.outbox == []
    stored = str(list(DBTaskResult.objects.values()))
    assert verify_token not in stored and withdraw_token not in stored
    tasks.send_verification.call(*queued.args_kwargs["args"])  # what the worker runs
    links = dict(links_in_mail())
    assert set(links) == {"verify", "withdraw"}
    assert services.verify(links["verify"]).pk == endorsement.pk


class TestSharedSignOnPage:
    """The empty sign-on form as anonymous signers see it is drawn once and shared, each copy with the signer's
    own CSRF token (core.shared_pages); what it depends on (the declaration, the settings) shows at once."""

    @staticmethod
    def _page(client):
        import re

        html = client.get(reverse("endorsements:endorse", args=["conferencia"])).content.decode()
        return html, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def test_signers_share_the_page_each_with_a_token_that_works_for_them_alone(self, world,
                                                                             django_capture_on_commit_callbacks):
        from django.test import Client

        declaration(world)
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        page_1, token_1 = self._page(first)
        page_2, token_2 = self._page(second)
        assert token_1 != token_2 and page_1.replace(token_1, "T") == page_2.replace(token_2, "T")
        assert "\x00" not in page_2 and 'value="GP"' in page_2
        url = reverse("endorsements:endorse", args=["conferencia"])
        refused = second.post(url, {**FORM, "csrfmiddlewaretoken": token_1})
        assert refused.status_code == 403 and not Endorsement.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            done = second.post(url, {**FORM, "csrfmiddlewaretoken": token_2})
        assert done.status_code == 302 and Endorsement.objects.count() == 1

    def test_a_change_of_what_it_shows_is_seen_at_once(self, world, client, as_user):
        found = declaration(world)
        assert "reviews it before it is public" not in self._page(client)[0]
        services.change_settings(world.alice, world.conference, individuals_allowed=True, committee_approval=True)
        page = self._page(client)[0]
        assert "reviews it before it is public" in page and 'value="individual"' in page
        type(found).objects.filter(pk=found.pk).update(title="Declaración corregida")
        assert "Declaración corregida" in self._page(client)[0]
        logout = reverse("accounts:logout")
        assert logout not in page  # the anonymous page: a member gets their own, never this one
        assert logout in as_user(world.alice).get(reverse("endorsements:endorse", args=["conferencia"])).content.decode()

    def test_an_empty_post_is_refused_with_the_fields_errors(self, world, client):
        declaration(world)
        response = client.post(reverse("endorsements:endorse", args=["conferencia"]), {})
        assert response.status_code == 200 and "This field is required." in response.content.decode()
        assert not Endorsement.objects.exists()


def test_the_country_list_is_kept_per_language():
    from django.utils.translation import override

    from convoca.network.queries import sorted_country_choices

    with override("fr"):
        french = dict(sorted_country_choices())
    with override("es"):
        spanish = sorted_country_choices()
        assert dict(sorted_country_choices(["GP", "BR"])) == {"GP": "Guadalupe", "BR": "Brasil"}
    assert french["GP"] == "Guadeloupe" and dict(spanish)["GP"] == "Guadalupe"
    sorted_country_choices().clear()  # a copy: the cached list cannot be changed by a caller
    assert len(sorted_country_choices()) > 200
