"""The endorsements' share of ``convoca demo`` (after the proposals demo): the conference's declaration is
published (as its organisers do once the conference has adopted it) and organisations from many countries of
the Americas and the Caribbean have endorsed it: most verified and public, a few waiting for their email or
for their national committee. Rows are written in bulk (the demo's own signers have no mailbox); duplicates
cannot arise (the database's constraints)."""

import datetime as dt
import secrets

from django.db import transaction

from convoca.accounts import demo as accounts_demo
from convoca.core.errors import ServiceError
from convoca.gatherings.demo_data import CONFERENCE
from convoca.network.models import Sector, match_key
from convoca.proposals import services as proposals
from convoca.proposals.models import Declaration

from .models import Endorsement

COUNTRIES = ["AR", "BO", "BR", "CA", "CL", "CO", "CR", "CU", "DO", "EC", "GT", "GP", "HN", "HT", "JM", "MQ", "MX",
             "NI", "PA", "PE", "PR", "PY", "SV", "TT", "US", "UY", "VE"]
KINDS = {
    Sector.TRADE_UNION: ["Sindicato de Trabajadores de la Salud", "Central Sindical", "Sindicato Docente",
                         "Federación de Trabajadores del Transporte"],
    Sector.SOCIAL_MOVEMENT: ["Movimiento Campesino", "Asamblea de Mujeres", "Coordinadora de Barrios"],
    Sector.MIGRANT_RIGHTS: ["Red de Personas Migrantes", "Casa del Migrante"],
    Sector.HUMAN_RIGHTS: ["Comité de Derechos Humanos", "Observatorio de Derechos"],
    Sector.PARLIAMENTARY_GROUP: ["Bancada por la Integración"],
}
SIGNATORIES = ["María", "José", "Ana", "Luiz", "Marie", "Jean", "Rosa", "Pedro", "Carmen", "Joseph"]


def load(context):
    conference = context.loaded["gatherings"][CONFERENCE["slug"]]
    declaration = Declaration.objects.filter(gathering=conference).first()
    if declaration is None or Endorsement.objects.filter(declaration=declaration).exists():
        context.created["endorsements"] = 0
        return declaration
    coordinator = accounts_demo.login_users().get("coordinator")
    if not declaration.is_published and coordinator is not None:
        try:
            declaration = proposals.publish_declaration(coordinator, declaration)
        except ServiceError:  # no section yet: nothing to endorse
            context.created["endorsements"] = 0
            return declaration
    rng = context.rng
    rows = []
    for number, country in enumerate(COUNTRIES * 5):
        sector = rng.choice(list(KINDS))
        name = f"{rng.choice(KINDS[sector])} {number + 1} ({country})"
        state = rng.choices(
            [Endorsement.State.PUBLIC, Endorsement.State.PENDING, Endorsement.State.UNVERIFIED], [85, 8, 7])[0]
        created = context.now - dt.timedelta(hours=rng.randint(1, 240))
        rows.append(Endorsement(
            declaration=declaration, kind=Endorsement.Kind.ORGANISATION, organisation=name,
            organisation_key=match_key(name), country=country, sector=sector,
            signatory=rng.choice(SIGNATORIES), role=rng.choice(["Secretaria general", "Presidente", "Coordinación"]),
            show_signatory=rng.random() < 0.3, email=f"firma{number + 1}@endorsements.convoca.invalid",
            email_key=f"firma{number + 1}@endorsements.convoca.invalid", language=rng.choice(["es", "pt-br", "fr", "en"]),
            state=state, nonce=secrets.token_hex(16) if state == Endorsement.State.UNVERIFIED else "",
            withdraw_nonce=secrets.token_hex(16),
            verified_at=None if state == Endorsement.State.UNVERIFIED else created,
        ))
    with transaction.atomic():
        Endorsement.objects.bulk_create(rows)
    context.created["endorsements"] = len(rows)
    return declaration


def totals():
    return {"endorsements": Endorsement.objects.count()}
