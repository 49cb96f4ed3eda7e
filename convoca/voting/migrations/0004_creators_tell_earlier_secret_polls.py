"""Secret polls created before tellers existed and not yet opened: their creator becomes their single teller
(who sets a teller passphrase before opening). Polls already open keep writing plain ballots and are counted
at close, as before."""

from django.db import migrations


def creators_tell(apps, schema_editor):
    Poll = apps.get_model("voting", "Poll")
    Teller = apps.get_model("voting", "Teller")
    waiting = Poll.objects.filter(secrecy="secret", state="draft", created_by__isnull=False, tellers__isnull=True)
    Teller.objects.bulk_create(Teller(poll_id=poll.pk, user_id=poll.created_by_id, position=1) for poll in waiting)


class Migration(migrations.Migration):
    dependencies = [("voting", "0003_tellers_sealed_ballots")]
    operations = [migrations.RunPython(creators_tell, migrations.RunPython.noop)]
