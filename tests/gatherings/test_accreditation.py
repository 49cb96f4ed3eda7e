"""Mandates (organisation contact / committee of the organisation's country /
coordinator) and accreditation (coordinators; national committee for its own meeting)."""

import pytest

from convoca.core.errors import PermissionDenied, ServiceError
from convoca.gatherings import services
from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Organisation, Sector

from .helpers import delegate, observer, snapshot


@pytest.fixture
def nadia_delegate(world):
    """nadia, delegate of Sindicato Andino (CO) at prep-co, mandate pending."""
    return delegate(world, world.prep_co, world.nadia_person, world.org_co)


class TestMandate:
    def test_it_lets_the_organisation_contact_confirm(self, world, nadia_delegate):
        services.confirm_mandate(world.carla, nadia_delegate)  # carla: contact of Sindicato Andino
        nadia_delegate.refresh_from_db()
        assert nadia_delegate.mandate == "confirmed" and nadia_delegate.mandate_decided_by == world.carla
        assert nadia_delegate.mandate_decided_at is not None

    def test_it_lets_the_committee_of_the_organisations_country_confirm(self, world):
        org = Organisation.objects.create(name="Sindicato del Café", country="CO", sector=Sector.TRADE_UNION)
        reg = delegate(world, world.conference, world.nadia_person, org)
        services.confirm_mandate(world.carla, reg)  # not the contact, but CO committee
        reg.refresh_from_db()
        assert reg.mandate == "confirmed"

    def test_it_lets_a_coordinator_reject(self, world, nadia_delegate):
        services.reject_mandate(world.alice, nadia_delegate)
        nadia_delegate.refresh_from_db()
        assert nadia_delegate.mandate == "rejected"

    def test_it_refuses_a_committee_of_another_country(self, world, nadia_delegate):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.confirm_mandate(world.marco, nadia_delegate)
        assert snapshot() == before

    def test_it_refuses_the_delegate_confirming_their_own_mandate(self, world):
        Membership.objects.create(person=world.carla_person, organisation=world.org_co)
        reg = delegate(world, world.conference, world.carla_person, world.org_co)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.confirm_mandate(world.carla, reg)  # carla is the contact, but it is her own mandate
        assert snapshot() == before

    def test_it_refuses_a_mandate_decision_for_an_observer(self, world):
        before = snapshot()
        with pytest.raises(ServiceError) as exc:
            services.confirm_mandate(world.alice, world.olga_reg)
        assert exc.value.code == "not_a_delegate"
        assert snapshot() == before

    def test_it_refuses_rejecting_the_mandate_of_an_accredited_delegate(self, world):
        before = snapshot()
        with pytest.raises(ServiceError) as exc:
            services.reject_mandate(world.carla, world.bob_reg)
        assert exc.value.code == "already_accredited"
        assert snapshot() == before

    def test_it_treats_a_repeated_confirmation_as_done(self, world, nadia_delegate):
        services.confirm_mandate(world.carla, nadia_delegate)
        again = services.confirm_mandate(world.alice, Registration.objects.get(pk=nadia_delegate.pk))
        assert again.mandate == "confirmed" and again.mandate_decided_by == world.carla

    def test_it_confirms_through_the_web_and_lists_pending_mandates(self, as_user, world, nadia_delegate):
        carla = as_user(world.carla)
        html = carla.get("/gatherings/mandates/").content.decode()
        assert "Nadia Miembro" in html  # the delegate disclosed her name to whoever confirms the mandate
        assert nadia_delegate.get_absolute_url() in html
        response = carla.post(
            f"/gatherings/prep-co/registrations/{nadia_delegate.pk}/mandate/",
            {"decision": "confirm", "next": "/gatherings/mandates/"},
        )
        assert response.status_code == 302 and response["Location"] == "/gatherings/mandates/"
        nadia_delegate.refresh_from_db()
        assert nadia_delegate.mandate == "confirmed"
        assert "Nadia Miembro" not in carla.get("/gatherings/mandates/").content.decode()
        assert "Nadia" not in as_user(world.marco).get("/gatherings/mandates/").content.decode()

    def test_it_refuses_an_unknown_decision_and_an_offsite_next(self, as_user, world, nadia_delegate):
        before = snapshot()
        response = as_user(world.carla).post(
            f"/gatherings/prep-co/registrations/{nadia_delegate.pk}/mandate/",
            {"decision": "maybe", "next": "https://evil.example.com/"},
        )
        assert response.status_code == 302 and response["Location"] == nadia_delegate.get_absolute_url()
        assert snapshot() == before


class TestAccredit:
    def test_it_lets_a_coordinator_accredit_an_observer(self, world):
        services.accredit(world.alice, world.olga_reg)
        world.olga_reg.refresh_from_db()
        assert world.olga_reg.status == "accredited" and world.olga_reg.decided_by == world.alice
        assert world.olga_reg.decided_at is not None

    def test_it_refuses_accrediting_a_delegate_with_an_unconfirmed_mandate(self, world, nadia_delegate):
        before = snapshot()
        with pytest.raises(ServiceError) as exc:
            services.accredit(world.carla, nadia_delegate)
        assert exc.value.code == "mandate_not_confirmed" and exc.value.status == 400
        assert "mandate" in str(exc.value.message)
        assert snapshot() == before

    def test_it_refuses_accrediting_a_delegate_whose_mandate_was_rejected(self, world, nadia_delegate):
        services.reject_mandate(world.carla, nadia_delegate)
        before = snapshot()
        with pytest.raises(ServiceError):
            services.accredit(world.alice, nadia_delegate)
        assert snapshot() == before

    def test_it_accredits_a_delegate_once_the_mandate_is_confirmed(self, world, nadia_delegate):
        services.confirm_mandate(world.carla, nadia_delegate)
        services.accredit(world.carla, nadia_delegate)  # CO committee, own preparatory meeting
        nadia_delegate.refresh_from_db()
        assert nadia_delegate.status == "accredited"

    def test_it_refuses_a_mx_committee_member_accrediting_for_the_co_meeting(self, world, as_user):
        reg = observer(world.prep_co, world.nadia_person)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.accredit(world.marco, reg)
        response = as_user(world.marco).post(f"/gatherings/prep-co/registrations/{reg.pk}/accredit/")
        assert response.status_code == 404  # not his meeting: he may not even see the registration (issue 10)
        assert snapshot() == before

    def test_it_refuses_a_committee_member_accrediting_for_the_conference(self, world):
        before = snapshot()
        with pytest.raises(PermissionDenied) as exc:
            services.accredit(world.carla, world.olga_reg)
        assert "coordinators" in str(exc.value.message)
        assert snapshot() == before

    def test_it_refuses_a_committee_member_accrediting_themselves(self, world):
        reg = observer(world.prep_co, world.carla_person)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.accredit(world.carla, reg)
        assert snapshot() == before

    def test_it_treats_accrediting_twice_as_done(self, world):
        decided_at = world.bob_reg.decided_at
        again = services.accredit(world.alice, Registration.objects.get(pk=world.bob_reg.pk))
        assert again.status == "accredited" and again.decided_at == decided_at

    def test_it_accredits_a_previously_refused_registration(self, world):
        services.refuse(world.alice, world.olga_reg, "Falta documento")
        services.accredit(world.alice, world.olga_reg)
        world.olga_reg.refresh_from_db()
        assert world.olga_reg.status == "accredited" and world.olga_reg.refusal_reason == ""


class TestRefuse:
    def test_it_refuses_with_a_reason(self, world):
        services.refuse(world.alice, world.olga_reg, "  No hay cupo para observadores.  ")
        world.olga_reg.refresh_from_db()
        assert world.olga_reg.status == "refused" and world.olga_reg.refusal_reason == "No hay cupo para observadores."

    @pytest.mark.parametrize("reason", ["", "   ", None, "\n\t"], ids=["empty", "spaces", "none", "whitespace"])
    def test_it_refuses_refusing_without_a_reason(self, world, reason):
        before = snapshot()
        with pytest.raises(ServiceError) as exc:
            services.refuse(world.alice, world.olga_reg, reason)
        assert exc.value.field == "reason" and exc.value.code == "reason_required"
        assert snapshot() == before

    def test_it_refuses_an_overlong_reason(self, world):
        before = snapshot()
        with pytest.raises(ServiceError):
            services.refuse(world.alice, world.olga_reg, "x" * 1001)
        assert snapshot() == before

    def test_it_withdraws_an_accreditation(self, world):
        services.refuse(world.alice, world.bob_reg, "Mandato retirado por la organización")
        world.bob_reg.refresh_from_db()
        assert world.bob_reg.status == "refused"

    def test_it_refuses_a_refusal_by_an_observer(self, world):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.refuse(world.olga, world.olga_reg, "me retiro")
        assert snapshot() == before

    def test_it_shows_the_form_again_when_refusing_without_reason_on_the_web(self, as_user, world):
        before = snapshot()
        url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/refuse/"
        response = as_user(world.alice).post(url, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="error-summary"' in html and "Give the reason" in html
        assert snapshot() == before

    def test_it_refuses_on_the_web_and_redirects(self, as_user, world):
        url = f"/gatherings/conferencia/registrations/{world.olga_reg.pk}/refuse/"
        response = as_user(world.alice).post(url, {"reason": "Duplicada"})
        assert response.status_code == 302 and response["Location"] == world.olga_reg.get_absolute_url()
        world.olga_reg.refresh_from_db()
        assert world.olga_reg.status == "refused"


class TestRegistrationPage:
    def test_it_shows_the_person_their_status_and_refusal_reason(self, as_user, world):
        services.refuse(world.alice, world.olga_reg, "Inscripción fuera de plazo")
        html = as_user(world.olga).get(world.olga_reg.get_absolute_url()).content.decode()
        assert "Olga Observadora" in html and "Inscripción fuera de plazo" in html
        assert "/accredit/" not in html  # no actions for the person themselves

    def test_it_shows_the_actions_to_a_manager(self, as_user, world):
        html = as_user(world.alice).get(world.olga_reg.get_absolute_url()).content.decode()
        assert "/accredit/" in html and "/refuse/" in html

    def test_it_explains_why_a_delegate_cannot_be_accredited_yet(self, as_user, world, nadia_delegate):
        html = as_user(world.carla).get(nadia_delegate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "once the organisation has confirmed the mandate" in html
        response = as_user(world.carla).post(f"/gatherings/prep-co/registrations/{nadia_delegate.pk}/accredit/", follow=True,
                                             HTTP_ACCEPT_LANGUAGE="en")
        assert "cannot be accredited until the organisation confirms the mandate" in response.content.decode()
        nadia_delegate.refresh_from_db()
        assert nadia_delegate.status == "requested"

    def test_it_returns_404_for_a_registration_of_another_gathering(self, as_user, world):
        url = f"/gatherings/prep-co/registrations/{world.olga_reg.pk}/"
        assert as_user(world.alice).get(url).status_code == 404
        assert as_user(world.carla).post(f"{url}accredit/").status_code == 404
        world.olga_reg.refresh_from_db()
        assert world.olga_reg.status == "requested"
