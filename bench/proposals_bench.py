"""Benchmark: the proposal list of a gathering with 1,000 proposals x 10 amendments each, and a proposal
page with 30 amendments on a 20-paragraph text; the consolidation of 30 adopted amendments; a full-text
search of those proposals and amendments; the published declaration's page with 20 sections.

    .venv/bin/python bench/proposals_bench.py [--runs N]

Uses a throwaway SQLite database under var/bench/ (or DATABASE_URL if set: the rows it creates are
deleted at the end). The rows are seeded in bulk (setup, not measured); the pages are requested through
Django's test client as a logged-in coalition member would, with the whole middleware stack, so the
server time is the time of the request (median and p95 over ``--runs`` requests, after one warm-up) and
the queries are those the request ran. The consolidation is ``consolidation.consolidate`` (what every
adoption runs) of 30 adopted amendments, some changing words of the same paragraphs, on a 20-paragraph
text. The search is the list page with ``?q=`` (two words found in nearly every text: the worst case),
over the index the services keep (built once in the setup by ``search.rebuild``). The declaration's page is
read by an anonymous visitor in Portuguese, half of its sections translated. Writes var/bench/proposals.json.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT))

WORDS = ["derechos", "trabajadoras", "migrantes", "soberanía", "pueblos", "salario", "vivienda", "jornada", "continental", "acción", "marcha", "sindicatos", "comunidades", "regularización", "frontera", "solidaridad", "organización", "asamblea", "declaración", "tierra", "agua", "energía", "deuda", "paz", "justicia", "familias", "campaña", "movilización", "huelga", "red", "medios"]


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng, sentences=3):
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed_get(client, url, runs, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm-up: caches, template loading
    times, queries = [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), percentile(times, 0.95), queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=1000)
    parser.add_argument("--amendments", type=int, default=10)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    using_url = bool(os.environ.get("DATABASE_URL"))
    if not using_url:
        db_path = OUT_DIR / "proposals_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoca.settings")
    os.environ.setdefault("CONVOCA_FAST_HASHER", "1")
    # Static files from the source tree, as the tests serve them: no collectstatic step before the bench.
    os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from convoca.accounts.models import User
    from convoca.gatherings.models import Gathering, Registration
    from convoca.network.models import Organisation, Person, Sector
    from convoca.proposals import consolidation as cons
    from convoca.proposals import search, services
    from convoca.proposals.models import Amendment, Proposal, Sponsorship, Theme, Version
    from convoca.texts import services as text_services

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    tag = uuid.uuid4().hex[:8]
    rng = random.Random(8)
    today = timezone.localdate()
    gathering = Gathering.objects.create(
        kind="conference", slug=f"bench-{tag}", title="Conferencia de prueba", starts_on=today, ends_on=today,
        place="Panamá", original_language="es",
    )
    member = User.objects.create_user(f"bench.{tag}@example.org", "bench-password-123")  # a coalition member
    coordinator = User.objects.create_user(f"bench.coordinator.{tag}@example.org", "bench-password-123",
                                           is_coordinator=True, is_translator=True)
    try:
        started = time.perf_counter()
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Org {tag} {i}", name_key=f"org {tag} {i}", country="CO", sector=Sector.TRADE_UNION,
                         is_public=i % 2 == 0)
            for i in range(40)
        )
        people = Person.objects.bulk_create(Person(display_name=f"Delegada {i}", email=f"d{i}.{tag}@example.org")
                                            for i in range(40))
        delegates = Registration.objects.bulk_create(
            Registration(gathering=gathering, person=person, role="delegate", organisation=org,
                         mandate="confirmed", status="accredited")
            for person, org in zip(people, orgs, strict=True)
        )
        themes = Theme.objects.bulk_create(
            Theme(gathering=gathering, name=name, prefix=prefix, position=i)
            for i, (prefix, name) in enumerate([("MIG", "Migración"), ("SOB", "Soberanía"), ("MOV", "Movilizaciones"),
                                                ("SOL", "Solidaridad")])
        )
        states = ["submitted", "admitted", "amendment", "debate", "adopted", "rejected"]
        proposals = []
        for i in range(args.proposals):
            theme = themes[i % len(themes)]
            text = cons.join(paragraph(rng) for _ in range(5))
            proposals.append(Proposal(
                gathering=gathering, theme=theme, prefix=theme.prefix, seq=i // len(themes) + 1,
                title=sentence(rng, 6)[:-1], text=text, original_language="es", state=states[i % len(states)],
                version=1, base_version=1, paragraph_map=[0, 1, 2, 3, 4], delegate=delegates[i % len(delegates)],
                created_by=member, submitted_at=timezone.now(), next_amendment=args.amendments + 1,
            ))
        proposals = Proposal.objects.bulk_create(proposals, batch_size=500)
        Version.objects.bulk_create(
            (Version(proposal=p, number=1, title=p.title, text=p.text, reason="created") for p in proposals),
            batch_size=500)
        Sponsorship.objects.bulk_create(
            (Sponsorship(proposal=p, organisation=orgs[(i + k) % len(orgs)], role="submitter" if k == 0 else "cosponsor")
             for i, p in enumerate(proposals) for k in range(3)), batch_size=1000)
        amendments = []
        for p in proposals:
            blocks = cons.paragraphs(p.text)
            for n in range(1, args.amendments + 1):
                first = (n - 1) % len(blocks) + 1
                amendments.append(Amendment(
                    proposal=p, number=n, kind="replace", first=first, last=first, base_version=1,
                    old_text=blocks[first - 1], new_text=blocks[first - 1].replace(".", ", y más.", 1),
                    original_language="es", state="debate", delegate=delegates[n % len(delegates)],
                    organisation=orgs[n % len(orgs)],
                ))
        Amendment.objects.bulk_create(amendments, batch_size=1000)

        # The proposal page: a 20-paragraph text with 30 amendments in every state.
        base = cons.join(paragraph(rng, 4) for _ in range(20))
        page = Proposal.objects.create(
            gathering=gathering, theme=themes[0], prefix="MIG", seq=10_000, title="Veinte párrafos, treinta enmiendas",
            text=base, original_language="es", state="debate", version=1, base_version=1,
            paragraph_map=list(range(20)), delegate=delegates[0], created_by=member, next_amendment=31,
        )
        Version.objects.create(proposal=page, number=1, title=page.title, text=base, reason="created")
        Sponsorship.objects.bulk_create(Sponsorship(proposal=page, organisation=orgs[k], role="submitter" if k == 0
                                                    else "cosponsor") for k in range(8))
        blocks = cons.paragraphs(base)
        kinds = ["replace", "replace", "replace", "delete", "insert"]
        page_states = ["debate", "adopted", "rejected", "withdrawn", "debate"]
        page_amendments = []
        for n in range(1, 31):
            kind, first = kinds[n % len(kinds)], (n * 7) % 20 + 1
            words = blocks[first - 1].split()
            words[(n * 3) % len(words)] = f"cambio{n}"
            page_amendments.append(Amendment(
                proposal=page, number=n, kind=kind, first=first, last=first, base_version=1,
                old_text="" if kind == "insert" else blocks[first - 1],
                new_text={"replace": " ".join(words), "delete": "", "insert": paragraph(rng, 2)}[kind],
                reason=sentence(rng, 10), original_language="es", state=page_states[n % len(page_states)],
                delegate=delegates[n % len(delegates)], organisation=orgs[n % len(orgs)],
            ))
        Amendment.objects.bulk_create(page_amendments)
        search.rebuild(gathering)  # the rows above were written in bulk, without the services that index them

        # The declaration: 20 sections from adopted proposals, half of them (and its title) in Portuguese too.
        declaration = services.start_declaration(coordinator, gathering, title="Declaración de prueba",
                                                 original_language="es")
        text_services.save_translation(coordinator, declaration, "pt-br", {"title": "Declaração de teste"},
                                       declaration.text_revision)
        for n, source in enumerate(Proposal.objects.filter(gathering=gathering, state="adopted").order_by("pk")[:20]):
            section = services.add_section(coordinator, declaration, source)
            if n % 2 == 0:
                text_services.save_translation(coordinator, section, "pt-br", {
                    "heading": f"Seção {n}", "text": cons.join(f"Parágrafo {k} traduzido." for k in range(5)),
                }, section.text_revision)
        services.publish_declaration(coordinator, declaration)
        setup_s = time.perf_counter() - started

        client = Client()
        client.force_login(member)
        list_url = f"/gatherings/{gathering.slug}/proposals/"
        detail_url = f"/gatherings/{gathering.slug}/proposals/{page.pk}/"
        list_p50, list_p95, list_queries = timed_get(client, list_url, args.runs)
        detail_p50, detail_p95, detail_queries = timed_get(client, detail_url, args.runs)
        filtered_p50, filtered_p95, filtered_queries = timed_get(client, f"{list_url}?state=debate&q=jornada&page=2",
                                                                 args.runs)
        search_p50, search_p95, search_queries = timed_get(client, f"{list_url}?q=migrantes+jornada", args.runs)
        declaration_p50, declaration_p95, declaration_queries = timed_get(
            Client(), declaration.get_absolute_url(), args.runs, accept_language="pt-br")

        # Consolidation: 30 adopted amendments on 20 paragraphs, several on the same paragraph (different words).
        changes = []
        for n in range(30):
            first = n % 20 + 1
            words = blocks[first - 1].split()
            words[(n // 20) * 9 + 2] = f"nuevo{n}"
            changes.append(cons.Change(n, "replace", first, first, " ".join(words)))
        result = cons.consolidate(base, changes)
        assert len(result.applied) == 30 and not result.clashes, (len(result.applied), result.clashes)
        times = []
        for _ in range(max(20, args.runs)):
            started = time.perf_counter()
            cons.consolidate(base, changes)
            times.append((time.perf_counter() - started) * 1000)
        consolidate_ms = statistics.median(times)
    finally:
        if using_url:  # leave a real database as we found it
            Proposal.objects.filter(gathering=gathering).delete()
            Registration.objects.filter(gathering=gathering).delete()
            gathering.delete()
            Person.objects.filter(email__endswith=f".{tag}@example.org").delete()
            Organisation.objects.filter(name__startswith=f"Org {tag} ").delete()
            member.delete()
            coordinator.delete()

    report = {
        "database": connection.vendor,
        "proposals": args.proposals, "amendments_per_proposal": args.amendments, "runs": args.runs,
        "setup_s": round(setup_s, 2),
        "list_p50_ms": round(list_p50, 2), "list_p95_ms": round(list_p95, 2), "list_queries": list_queries,
        "list_filtered_p50_ms": round(filtered_p50, 2), "list_filtered_p95_ms": round(filtered_p95, 2),
        "list_filtered_queries": filtered_queries,
        "detail_paragraphs": 20, "detail_amendments": 30,
        "detail_p50_ms": round(detail_p50, 2), "detail_p95_ms": round(detail_p95, 2), "detail_queries": detail_queries,
        "consolidate_amendments": 30, "consolidate_paragraphs": 20, "consolidate_ms": round(consolidate_ms, 3),
        "search_p50_ms": round(search_p50, 2), "search_p95_ms": round(search_p95, 2), "search_queries": search_queries,
        "declaration_sections": 20, "declaration_p50_ms": round(declaration_p50, 2),
        "declaration_p95_ms": round(declaration_p95, 2), "declaration_queries": declaration_queries,
    }
    (OUT_DIR / "proposals.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"proposals list [{connection.vendor}, {args.proposals} proposals x {args.amendments} amendments, "
          f"page 1 of 50]: p50 {list_p50:.1f} ms, p95 {list_p95:.1f} ms, {list_queries} queries "
          f"(filtered and searched, page 2: p50 {filtered_p50:.1f} ms, p95 {filtered_p95:.1f} ms, "
          f"{filtered_queries} queries)")
    print(f"proposal page [20 paragraphs, 30 amendments]: p50 {detail_p50:.1f} ms, p95 {detail_p95:.1f} ms, "
          f"{detail_queries} queries")
    print(f"consolidation [30 adopted amendments on 20 paragraphs]: {consolidate_ms:.2f} ms")
    print(f"search [list page, ?q= two words in nearly every text, {args.proposals} proposals x {args.amendments} "
          f"amendments]: p50 {search_p50:.1f} ms, p95 {search_p95:.1f} ms, {search_queries} queries")
    print(f"declaration page [20 sections, read in Portuguese, half translated]: p50 {declaration_p50:.1f} ms, "
          f"p95 {declaration_p95:.1f} ms, {declaration_queries} queries")


if __name__ == "__main__":
    main()
