# The title and description of a gathering get language versions (convoca.texts):
# the language they were written in and a revision counter. Gatherings that exist
# get the language the migration runs in (the site's default language).

import convoca.texts.languages
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("gatherings", "0002_registration_mandate_decided_at_refusal_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="gathering",
            name="original_language",
            field=models.CharField(
                choices=convoca.texts.languages.choices, default=convoca.texts.languages.current_language,
                max_length=5, verbose_name="language of the original",
            ),
        ),
        migrations.AddField(
            model_name="gathering",
            name="text_revision",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version of the text"),
        ),
    ]
