"""Upload -> preview -> confirm -> confirmation page."""

from django.urls import reverse

from convoca.accounts.models import User
from convoca.imports.models import ImportBatch
from convoca.network.models import Organisation, Person

from .fixtures_files import ORGS_CP1252
from .helpers import csv_bytes, snapshot, upload


def _upload(client, data, kind="organisations", **extra):
    return client.post(reverse("imports:start"), {"kind": kind, "file": upload(data), **extra})


def test_it_shows_the_upload_form_to_coordinators(world, alice_client):
    response = alice_client.get(reverse("imports:start"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html and " style=" not in html
    assert "<legend>What does the file contain?</legend>" in html and 'for=""' not in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_it_renders_every_step_without_unrendered_variables(world, alice_client):
    bad = csv_bytes([["Nombre", "País", "Sector"], ["A", "Narnia", "otro"]], delimiter=";")
    pages = [alice_client.post(reverse("imports:start"), {"kind": "organisations", "file": upload(bad)})]
    response = _upload(alice_client, ORGS_CP1252)
    pages.append(alice_client.get(response["Location"]))
    batch = ImportBatch.objects.get()
    pages.append(alice_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True))
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200 and "INVALID_TEMPLATE_VARIABLE" not in html
        assert html.count("<h1") == 1 and " style=" not in html and "<script>" not in html
    assert "<strong>1</strong> row fills in an existing record" in pages[1].content.decode()


def test_it_previews_then_imports_on_confirmation(world, alice_client):
    before = snapshot()
    response = _upload(alice_client, ORGS_CP1252)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:preview", args=[batch.pk])
    assert snapshot() == before  # nothing written before confirming

    page = alice_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Windows-1252" in html and "semicolon" in html
    assert page.context["preview"].counts == {"create": 2, "update": 1, "skip": 0}
    assert "Confederación General" in html and "Peru" in html  # the sample, as it will be written
    assert snapshot() == before

    response = alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response["Location"] == reverse("imports:done", args=[batch.pk])
    assert Organisation.objects.filter(name="Confederación General", country="PE").exists()
    world.org_co.refresh_from_db()
    assert world.org_co.website == "https://sindicatoandino.org"

    done = alice_client.get(response["Location"])
    assert done.status_code == 200
    assert "Import complete" in done.content.decode()
    assert (done.context["result"].created, done.context["result"].updated) == (2, 1)
    batch.refresh_from_db()
    assert batch.data == {}  # the rows are not kept once imported


def test_it_confirms_only_once(world, alice_client):
    _upload(alice_client, ORGS_CP1252)
    batch = ImportBatch.objects.get()
    alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    after_first = snapshot()
    response = alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response["Location"] == reverse("imports:done", args=[batch.pk])
    assert snapshot() == after_first
    assert alice_client.get(reverse("imports:preview", args=[batch.pk]))["Location"] == reverse(
        "imports:done", args=[batch.pk])


def test_it_checks_again_on_confirmation_and_refuses_if_the_registry_changed(world, alice_client):
    data = csv_bytes([["correo", "rol", "organización"], ["nadia@example.org", "delegada", "Red Migrante del Norte"]])
    _upload(alice_client, data, kind="registrations", gathering="prep-mx")
    batch = ImportBatch.objects.get()
    world.org_mx.delete()  # someone removed the organisation in the meantime
    before = snapshot()
    response = alice_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    html = response.content.decode()
    assert "nothing was imported" in html and "unknown organisation" in html
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.confirmed_at is None  # the claim was rolled back with everything else


def test_it_discards_a_staged_file(world, alice_client):
    _upload(alice_client, ORGS_CP1252)
    batch = ImportBatch.objects.get()
    response = alice_client.post(reverse("imports:discard", args=[batch.pk]), follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_it_keeps_a_staged_file_private_to_who_uploaded_it(world, alice_client, as_user):
    _upload(alice_client, ORGS_CP1252)
    batch = ImportBatch.objects.get()
    other = User.objects.create_user("coord2@example.org", "x" * 12, is_coordinator=True)
    client = as_user(other)
    assert client.get(reverse("imports:preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[batch.pk])).status_code == 404
    assert not ImportBatch.objects.get().is_confirmed


def test_it_refuses_non_coordinators(world, as_user):
    before = snapshot()
    for user in (world.carla, world.bob, world.nadia, world.tomas):
        client = as_user(user)
        assert client.get(reverse("imports:start")).status_code == 403
        response = _upload(client, ORGS_CP1252)
        assert response.status_code == 403
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(world, client):
    response = _upload(client, ORGS_CP1252)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not ImportBatch.objects.exists()


def test_it_imports_people_with_a_portuguese_file(world, alice_client):
    data = csv_bytes([["Nome", "E-mail", "Línguas"], ["João Silva", "joao@example.org", "português, espanhol"]],
                     delimiter=";")
    _upload(alice_client, data, kind="people")
    batch = ImportBatch.objects.get()
    alice_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Person.objects.get(email="joao@example.org").languages == "pt,es"


def test_it_shows_the_sample_with_stacked_table_labels(world, alice_client):
    response = alice_client.get(alice_client.post(reverse("imports:start"), {
        "kind": "organisations", "file": upload(ORGS_CP1252)})["Location"])
    html = response.content.decode()
    assert 'class="stack import-sample"' in html and 'data-label="Country"' in html


def test_it_answers_a_delegate_uploading_with_the_403_page(world, as_user):
    before = snapshot()
    response = as_user(world.bob).post(
        reverse("imports:start"), {"kind": "organisations", "file": upload(ORGS_CP1252)}, HTTP_ACCEPT_LANGUAGE="es"
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>No permitido</h1>" in page and 'type="file"' not in page
    assert snapshot() == before and not ImportBatch.objects.exists()
