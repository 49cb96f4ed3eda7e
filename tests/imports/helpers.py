"""Builders for the spreadsheets organisers really send."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from convoca.gatherings.models import Registration
from convoca.network.models import Membership, Organisation, Person


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(data, name="lista.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def snapshot():
    """Counts of everything an import may write."""
    return (
        Organisation.objects.count(), Person.objects.count(), Membership.objects.count(),
        Registration.objects.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "website", "sector")),
        list(Person.objects.order_by("pk").values_list("display_name", "full_name", "email", "languages")),
        list(Registration.objects.order_by("pk").values_list("role", "organisation_id", "status")),
    )


def people_csv(count, *, start=0, delimiter=",", encoding="utf-8", organisation=None):
    header = ["nombre", "correo", "idiomas"] + (["organización", "país"] if organisation else [])
    rows = [header]
    for i in range(start, start + count):
        row = [f"Persona {i}", f"persona{i}@example.org", "es, pt"]
        if organisation:
            row += list(organisation)
        rows.append(row)
    return csv_bytes(rows, delimiter=delimiter, encoding=encoding)
