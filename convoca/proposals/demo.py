"""The proposals' share of ``convoca demo`` (run by ``convoca.core.seeding`` after the gatherings and
voting demos): proposals in Spanish, Portuguese, English and French at the national preparatory meetings
and at the conference, some forwarded with their provenance, a composite of two merged ones, amendments
in every state, one conflict between adopted amendments for the organisers to resolve, an English
translation of the amended text, an amendment put to the vote, and the conference's draft declaration made
of the proposals it adopted.

This is a **fixture loader, not a user write path**: it writes seed rows with the ORM (the texts through
``consolidation``, exactly as the services consolidate them) instead of going through ``services.py``, so
it can date what happened at past meetings (then ``search.rebuild`` indexes them). Only the poll and the
declaration go through the services (voting's and ours).

Loaded once: a demo whose gatherings already have proposals is left alone. The content is in
``demo_data.py``.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from convoca.accounts import demo as accounts_demo
from convoca.core.errors import ServiceError
from convoca.gatherings.demo_data import CONFERENCE, MEETINGS
from convoca.gatherings.models import Registration
from convoca.texts import services as text_services

from . import consolidation as cons
from . import search, services
from .demo_data import DECLARATION_TITLE, FORWARDED_AMENDMENTS, PROPOSALS, THEMES, TRANSLATIONS
from .models import (
    Amendment,
    Conflict,
    Declaration,
    Event,
    Proposal,
    ProposalSettings,
    Provenance,
    Sponsorship,
    Theme,
    Version,
)

S, A = Proposal.State, Amendment.State
PATHS = {  # the states a proposal went through, after being written
    S.DRAFT: [], S.SUBMITTED: [S.SUBMITTED], S.ADMITTED: [S.SUBMITTED, S.ADMITTED],
    S.AMENDMENT: [S.SUBMITTED, S.ADMITTED, S.AMENDMENT], S.DEBATE: [S.SUBMITTED, S.ADMITTED, S.AMENDMENT, S.DEBATE],
    S.ADOPTED: [S.SUBMITTED, S.ADMITTED, S.DEBATE, S.ADOPTED], S.REJECTED: [S.SUBMITTED, S.ADMITTED, S.DEBATE, S.REJECTED],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN], S.REFERRED: [S.SUBMITTED, S.ADMITTED, S.REFERRED],
    S.MERGED: [S.SUBMITTED, S.ADMITTED, S.MERGED],
}
ACTIONS = {S.SUBMITTED: "submit", S.ADMITTED: "admit", S.AMENDMENT: "open", S.DEBATE: "debate", S.ADOPTED: "adopt",
           S.REJECTED: "reject", S.WITHDRAWN: "withdraw", S.REFERRED: "refer", S.MERGED: "merge"}


class _Loader:
    def __init__(self, context, gatherings):
        self.context = context
        self.conference = gatherings[CONFERENCE["slug"]]
        self.meetings = {code: gatherings[f"preparatorio-{slug}"] for code, (slug, *_rest) in MEETINGS.items()}
        self.logins = accounts_demo.login_users()
        self.delegates = {}
        self.numbers = {}
        self.themes = {}
        self.made = {}
        self.created = {"proposals": 0, "amendments": 0, "declarations": 0}

    # --- who and when ------------------------------------------------------------------------------------

    def gathering(self, at):
        return self.conference if at == "conference" else self.meetings[at]

    def delegates_of(self, gathering):
        if gathering.pk not in self.delegates:
            self.delegates[gathering.pk] = list(
                Registration.objects.filter(
                    gathering=gathering, role=Registration.Role.DELEGATE, status=Registration.Status.ACCREDITED,
                ).select_related("person", "organisation").order_by("pk")
            )
        return self.delegates[gathering.pk]

    def author(self, gathering, who):
        delegates = self.delegates_of(gathering)
        if isinstance(who, str):
            user = self.logins.get(who)
            found = next((r for r in delegates if user is not None and r.person.user_id == user.pk), None)
            return found or (delegates[0] if delegates else None)
        if who is None or not delegates:
            return None
        return delegates[who % len(delegates)]

    def day(self, gathering, hour):
        """A moment of the meeting (past meetings) or of the run-up to the conference (now, hours ago)."""
        if gathering.starts_on < self.context.today:
            start = timezone.make_aware(dt.datetime.combine(gathering.starts_on, dt.time(9, 0)))
            return start + dt.timedelta(hours=hour)
        return self.context.now - dt.timedelta(hours=max(1, 400 - hour * 10))

    # --- writing ---------------------------------------------------------------------------------------------

    def number(self, gathering, theme):
        key = (gathering.pk, theme.prefix if theme else "P")
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return key[1], self.numbers[key]

    def event(self, proposal, action, at, from_state="", to_state="", **extra):
        Event.objects.create(proposal=proposal, action=action, from_state=from_state, to_state=to_state, at=at, **extra)

    def proposal(self, spec, gathering, *, theme=None, state=None, author=None, text=None, forwarded_from=None,
                 coordinator=None):
        state = state or spec["state"]
        registration = author if author is not None else self.author(gathering, spec.get("author"))
        creator = coordinator if spec.get("composite") or forwarded_from else (
            registration.person.user if registration and registration.person.user_id else None)
        text = cons.clean_text(text or spec["text"])
        p = Proposal.objects.create(
            gathering=gathering, theme=theme, title=spec["title"], text=text, original_language=spec["language"],
            state=state, delegate=None if spec.get("composite") or forwarded_from else registration,
            created_by=creator, forwarded_from=forwarded_from,
            referred_to=spec.get("note", "") if state == S.REFERRED else "",
            decision_note=spec.get("note", "") if state in (S.REJECTED, S.WITHDRAWN) else "",
        )
        self.created["proposals"] += 1
        Version.objects.create(
            proposal=p, number=1, title=p.title, text=text, created_by=creator,
            reason=Version.Reason.MERGED if spec.get("composite") else (
                Version.Reason.FORWARDED if forwarded_from else Version.Reason.CREATED),
        )
        text_services.record_original(p)
        hour = 0
        self.event(p, "received" if forwarded_from else ("merged" if spec.get("composite") else "created"),
                   self.day(gathering, hour), "", S.SUBMITTED if forwarded_from else S.DRAFT, actor=creator)
        path = PATHS[state]
        if forwarded_from:
            path = [s for s in path if s != S.SUBMITTED]
        if spec.get("composite"):
            path = [s for s in path if s not in (S.SUBMITTED, S.ADMITTED)]
        before = S.SUBMITTED if forwarded_from else S.DRAFT
        fields = {"created_at": self.day(gathering, 0)}
        for step in path:
            hour += 2
            at = self.day(gathering, hour)
            actor = creator if step in (S.SUBMITTED, S.WITHDRAWN) else self.logins.get("coordinator")
            note = spec.get("note", "") if step in (S.REJECTED, S.WITHDRAWN, S.REFERRED) else ""
            self.event(p, ACTIONS[step], at, before, step, actor=actor, note=note)
            before = step
            if step == S.SUBMITTED:
                fields["submitted_at"] = at
            if step in (S.ADOPTED, S.REJECTED, S.WITHDRAWN, S.REFERRED, S.MERGED):
                fields["decided_at"] = at
        if forwarded_from or spec.get("composite"):
            fields["submitted_at"] = self.day(gathering, 0)
        if state not in (S.DRAFT, S.SUBMITTED) and (S.ADMITTED in path or spec.get("composite") or forwarded_from) \
                and not (state == S.WITHDRAWN and S.ADMITTED not in path):
            fields["prefix"], fields["seq"] = self.number(gathering, theme)
        if state in (S.AMENDMENT, S.DEBATE):
            fields.update(base_version=1, paragraph_map=list(range(len(cons.paragraphs(text)))))
        if state == S.AMENDMENT:
            fields["amendment_deadline"] = self.context.now + dt.timedelta(days=10)
        Proposal.objects.filter(pk=p.pk).update(**fields)
        for name, value in fields.items():
            setattr(p, name, value)
        if state != S.DRAFT and not forwarded_from and not spec.get("composite"):
            self.sponsors(p, registration, spec.get("cosponsors", 0))
        return p

    def sponsors(self, p, registration, cosponsors):
        orgs = []
        if registration is not None and registration.organisation_id:
            orgs.append((registration.organisation_id, Sponsorship.Role.SUBMITTER, registration))
        added = 0
        for other in self.delegates_of(p.gathering):
            if added >= cosponsors:
                break
            if other.organisation_id in {o for o, _r, _g in orgs}:
                continue
            orgs.append((other.organisation_id, Sponsorship.Role.COSPONSOR, other))
            added += 1
        Sponsorship.objects.bulk_create(
            Sponsorship(proposal=p, organisation_id=org, role=role, registration=reg) for org, role, reg in orgs
        )

    def amendments(self, p, specs, translation=None):
        base = cons.paragraphs(p.text)
        gathering = p.gathering
        changes, made, seq = [], [], 0
        for number, spec in enumerate(specs, start=1):
            kind, first = spec["kind"], spec["first"]
            last = spec.get("last", first) if kind != Amendment.Kind.INSERT else first
            registration = self.author(gathering, spec.get("author", number))
            amendment = Amendment.objects.create(
                proposal=p, number=number, kind=kind, first=first, last=last, base_version=1,
                old_text="" if kind == Amendment.Kind.INSERT else cons.join(base[first - 1:last]),
                new_text=cons.clean_text(spec.get("text", "")), reason=spec.get("reason", ""),
                original_language=spec["language"], state=spec["state"], delegate=registration,
                organisation=registration.organisation if registration else None,
                created_by=registration.person.user if registration and registration.person.user_id else None,
                decided_at=self.day(gathering, 30 + number) if spec["state"] not in Amendment.PENDING_STATES else None,
            )
            text_services.record_original(amendment)
            self.created["amendments"] += 1
            self.event(p, "amendment", self.day(gathering, 10 + number), "", A.SUBMITTED, amendment=amendment,
                       actor=amendment.created_by)
            if p.state == S.DEBATE and spec["state"] != A.SUBMITTED:
                self.event(p, "debate", self.day(gathering, 20), A.SUBMITTED, A.DEBATE, amendment=amendment)
            if spec["state"] not in Amendment.PENDING_STATES:
                self.event(p, f"amendment_{spec['state']}", amendment.decided_at,
                           A.DEBATE if spec["state"] != A.WITHDRAWN else A.SUBMITTED, spec["state"],
                           amendment=amendment, actor=self.logins.get("coordinator"))
            made.append(amendment)
            if spec["state"] == A.ADOPTED:
                seq += 1
                Amendment.objects.filter(pk=amendment.pk).update(seq=seq)
                changes.append(cons.Change(amendment.pk, kind, first, last, amendment.new_text))
        if not changes:
            Proposal.objects.filter(pk=p.pk).update(next_amendment=len(specs) + 1)
            return made
        version, text, previous = 1, p.text, {"title": p.title, "text": p.text}
        for count in range(1, len(changes) + 1):  # each adoption consolidates the text, as the services do
            result = cons.consolidate(previous["text"], changes[:count])
            key = changes[count - 1].key
            clash = result.clash_of(key)
            if clash is not None:
                Conflict.objects.create(proposal=p, amendment_id=key, others=list(clash.others), start=clash.start,
                                        end=clash.end)
                self.event(p, "conflict", self.day(gathering, 40 + count), amendment_id=key)
            elif result.text != text:
                version, text = version + 1, result.text
                Version.objects.create(proposal=p, number=version, title=p.title, text=text,
                                       reason=Version.Reason.AMENDMENT, amendment_id=key)
                self.event(p, "consolidated", self.day(gathering, 40 + count), amendment_id=key, version=version)
        Proposal.objects.filter(pk=p.pk).update(
            text=text, version=version, change_seq=seq, next_amendment=len(specs) + 1, paragraph_map=result.positions,
        )
        p.text, p.version = text, version
        if text != previous["text"]:
            text_services.record_original_change(p, ["text"], previous=previous)
        if translation:
            language, fields = translation
            translator = self.logins.get("translator")
            if translator is not None:
                text_services.save_translation(translator, p, language, fields, p.text_revision)
        return made

    def load(self):
        for gathering in self.meetings.values():
            if gathering.starts_on < self.context.today:
                ProposalSettings.objects.get_or_create(
                    gathering=gathering, defaults={"amendment_stage": False, "amendment_days": 7, "prefix": "P"})
        ProposalSettings.objects.get_or_create(gathering=self.conference, defaults={"amendment_days": 10})
        for position, (prefix, name) in enumerate(THEMES):
            self.themes[prefix] = Theme.objects.create(gathering=self.conference, name=name, prefix=prefix,
                                                       position=position)
        coordinator = self.logins.get("coordinator")
        composites = {}
        for spec in PROPOSALS:
            gathering = self.gathering(spec["at"])
            theme = self.themes.get(spec.get("theme"))
            if spec.get("composite"):
                composites[spec["key"]] = (spec, theme)
                continue
            p = self.proposal(spec, gathering, theme=theme, coordinator=coordinator)
            self.made[spec["key"]] = p
            translation = None
            for language, fields in TRANSLATIONS.get(spec["key"], {}).items():
                translation = (language, fields)
            if spec.get("amendments"):
                self.amendments(p, spec["amendments"], translation)
            if spec.get("forward"):
                self.forward(spec, p, coordinator)
        for key, (spec, theme) in composites.items():
            composite = self.proposal(spec, self.conference, theme=theme, coordinator=coordinator)
            sources = [self.made[s["key"]] for s in PROPOSALS if s.get("merge") == key]
            Proposal.objects.filter(pk__in=[s.pk for s in sources]).update(merged_into=composite)
            roles = {}
            for sponsorship in Sponsorship.objects.filter(proposal__in=sources).order_by("role", "pk"):
                roles.setdefault(sponsorship.organisation_id, sponsorship.role)
            Sponsorship.objects.bulk_create(Sponsorship(proposal=composite, organisation_id=org, role=role)
                                            for org, role in roles.items())
            Event.objects.filter(proposal__in=sources, action="merge").update(note=composite.number)
            Event.objects.filter(proposal=composite, action="merged").update(
                note=", ".join(s.number for s in sources))
        for (gathering_pk, prefix), last in self.numbers.items():
            if prefix in self.themes and self.themes[prefix].gathering_id == gathering_pk:
                Theme.objects.filter(pk=self.themes[prefix].pk).update(next_number=last + 1)
            else:
                ProposalSettings.objects.filter(gathering_id=gathering_pk).update(next_number=last + 1)
        self.poll(coordinator)
        search.rebuild()  # the rows above were written without the services that keep the index
        self.declaration(coordinator)

    def declaration(self, coordinator):
        """The conference's draft declaration, composed through the services as an organiser would: one
        section per proposal the conference adopted (its consolidated text, its title as heading)."""
        if coordinator is None:
            return None
        declaration = services.start_declaration(
            coordinator, self.conference, title=DECLARATION_TITLE, original_language="es",
        )
        for p in Proposal.objects.filter(gathering=self.conference, state=S.ADOPTED).order_by("prefix", "seq", "pk"):
            services.add_section(coordinator, declaration, p)
        self.created["declarations"] = 1
        return declaration

    def forward(self, spec, source, coordinator):
        vote = spec["vote"]
        adopted_at = Proposal.objects.filter(pk=source.pk).values_list("decided_at", flat=True).get()
        theme = self.themes.get(spec.get("forward_theme", "MOV"))
        copy = self.proposal(spec, self.conference, theme=theme, state=spec["forward"], author=source.delegate,
                             forwarded_from=source, coordinator=coordinator)
        Sponsorship.objects.bulk_create(
            Sponsorship(proposal=copy, organisation_id=s.organisation_id, role=s.role)
            for s in Sponsorship.objects.filter(proposal=source).order_by("role", "pk")
        )
        Provenance.objects.create(
            proposal=copy, position=0, source=source, gathering=source.gathering,
            gathering_title=source.gathering.title, country=source.gathering.country.code, number=source.number,
            title=source.title, version=1, adopted_at=adopted_at, forwarded_at=adopted_at + dt.timedelta(days=2),
            vote={"poll": None, "title": f"{source.number} {source.title}", "outcome": vote["outcome"],
                  "yes": vote["yes"], "no": vote["no"], "abstain": vote["abstain"],
                  "counts": {"yes": vote["yes"], "no": vote["no"], "abstain": vote["abstain"]},
                  "published_at": adopted_at.isoformat()},
        )
        self.event(source, "forwarded", adopted_at + dt.timedelta(days=2), note=self.conference.title)
        if spec["key"] in FORWARDED_AMENDMENTS:
            self.amendments(copy, FORWARDED_AMENDMENTS[spec["key"]])
        return copy

    def poll(self, coordinator):
        """One click, as an organiser would: the amendment in debate of the first conference proposal is
        put to the vote (a poll that waits to be opened)."""
        if coordinator is None:
            return
        amendment = Amendment.objects.filter(
            proposal__gathering=self.conference, state=A.DEBATE, proposal__state=S.DEBATE,
        ).select_related("proposal__gathering").order_by("pk").first()
        if amendment is None:
            return
        try:
            services.create_amendment_poll(coordinator, amendment)
        except ServiceError:  # the voting app refuses today (its own rules): the demo goes on without it
            return


def load(context):
    """Create the demo proposals once; return {key: Proposal}."""
    gatherings = context.loaded["gatherings"]
    if Proposal.objects.filter(gathering__in=list(gatherings.values())).exists():
        context.created["proposals"] = context.created["amendments"] = context.created["declarations"] = 0
        return {}
    loader = _Loader(context, gatherings)
    with transaction.atomic():
        loader.load()
    context.created.update(loader.created)
    return loader.made


def totals():
    return {"proposals": Proposal.objects.count(), "amendments": Amendment.objects.count(),
            "declarations": Declaration.objects.count()}
