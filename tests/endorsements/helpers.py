"""Shared builders of the endorsements tests: the conference's published declaration (from one adopted
proposal), sign-ons through the service, the links of the email."""

import re

from django.core import mail

from convoca.endorsements import services
from convoca.endorsements.models import Endorsement, EndorsementSettings
from convoca.proposals import services as proposals
from tests.proposals.helpers import proposal

ORG = {
    "kind": "organisation", "organisation": "Central Única dos Trabalhadores", "country": "BR",
    "sector": "trade_union", "signatory": "Ana Souza", "role": "Secretária", "email": "Ana@cut.example",
}


def declaration(world, publish=True):
    adopted = proposal(world, state="adopted")
    found = proposals.start_declaration(world.alice, world.conference, title="Declaración de Panamá",
                                        original_language="es")
    proposals.add_section(world.alice, found, adopted)
    if publish:
        proposals.publish_declaration(world.alice, found)
    found.refresh_from_db()
    return found


def sign(found, **changes):
    return services.sign_on(found, **{**ORG, **changes})


def links_in_mail(index=-1):
    body = mail.outbox[index].body
    return re.findall(r"https?://\S+/(verify|withdraw)/(\S+)/", body)


def snapshot():
    return [list(model.objects.order_by("pk").values()) for model in (Endorsement, EndorsementSettings)]
