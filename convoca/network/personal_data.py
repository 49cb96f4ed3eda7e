"""The registry's share of data rights (see ``convoca.core.data_rights``):
the person's record, memberships, committee seats and the organisations they
are the contact of; erasure empties the record and keeps the row, as "erased
person", for the registrations and votes that point to it."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import AddressForm, JoinRequest, Membership, NationalCommittee, Organisation, Person, ShownAs, Visibility


def export(person):
    return {
        "person": {
            "id": person.pk,
            "display_name": person.display_name,
            "full_name": person.full_name,
            "email": person.email,
            "languages": person.language_list,
            "shown_as": person.shown_as,
            "pseudonym": person.pseudonym,
            "address_form": person.address_form,
            "messages_opt_out_at": person.messages_opt_out_at,
            "visibility": {name: getattr(person, f"{name}_visibility") for name in Person.VISIBLE_FIELDS},
            "created_at": person.created_at,
            "erased_at": person.erased_at,
        },
        "memberships": [
            {"organisation": m.organisation.name, "country": m.organisation.country.code, "since": m.created_at}
            for m in Membership.objects.filter(person=person).select_related("organisation").order_by("pk")
        ],
        "national_committees": [
            committee.country.code for committee in NationalCommittee.objects.filter(members=person).order_by("country")
        ],
        "contact_person_of": [
            {"organisation": org.name, "country": org.country.code}
            for org in Organisation.objects.filter(contact=person).order_by("name_key")
        ],
        "join_requests": [
            {"organisation": r.organisation.name if r.organisation_id else r.name, "country": r.country.code,
             "proposed": r.organisation_id is None or r.name != "", "status": r.status, "asked_at": r.created_at,
             "decided_at": r.decided_at}
            for r in JoinRequest.objects.filter(person=person).select_related("organisation").order_by("pk")
        ],
    }


def erase(person):
    """Empty the record: names, email, languages and pseudonym go, every field
    becomes coordinators-only, memberships, committee seats and contact roles
    end. The row stays (registrations and votes point to it) with the name
    "erased person" in the site's language. The ``person`` object itself is
    left as it was, so that the other apps' erasure still knows whose data to
    remove (see ``convoca.core.data_rights``)."""
    with translation.override(settings.LANGUAGE_CODE):
        erased_name = gettext("Erased person")
    Membership.objects.filter(person=person).delete()
    JoinRequest.objects.filter(person=person).delete()
    for committee in NationalCommittee.objects.filter(members=person):
        committee.members.remove(person)
    Organisation.objects.filter(contact=person).update(contact=None)
    Person.objects.filter(pk=person.pk).update(
        display_name=erased_name, full_name="", email="", languages="", shown_as=ShownAs.PARTICIPANT, pseudonym="",
        address_form=AddressForm.UNSAID,
        erased_at=timezone.now(), **{f"{name}_visibility": Visibility.COORDINATORS for name in Person.VISIBLE_FIELDS},
    )
