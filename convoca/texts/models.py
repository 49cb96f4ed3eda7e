"""Language versions of user-written text.

- ``Translatable``: the abstract model that a translatable model inherits. It
  adds the original's language and a revision counter of its translatable
  fields, and names those fields and the object's way to its gathering.
- ``Snapshot``: the original's translatable fields as they were at one
  revision (what a translator translated, so the editor can show what changed).
- ``Translation``: one per (object, language): the translated fields, the
  original's revision they translate, who saved them and when.

Translations and snapshots name their object by model label and id (no
content types, no foreign key): one query finds the translations of a list of
objects of any models, and texts needs to know nothing about those models.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import languages


class Translatable(models.Model):
    """Inherit this to make a model's user-written fields translatable::

        class Poll(Translatable):
            TRANSLATABLE_FIELDS = ("title",)
            GATHERING_LOOKUP = "gathering"  # "pk" for the gathering itself, "poll__gathering" for an option

    The owning app's services call ``texts.services.record_original(obj)``
    after creating an object and ``record_original_change(obj, changed)``
    after changing one; readers get ``texts.queries.localize(objects)``.
    """

    # The fields translators translate (CharField or TextField), in the order the editor shows them.
    TRANSLATABLE_FIELDS = ()
    # The lookup from this model to the gathering's primary key: "pk" for the gathering model itself.
    GATHERING_LOOKUP = None

    original_language = models.CharField(
        _("language of the original"), max_length=5, choices=languages.choices, default=languages.current_language,
    )
    text_revision = models.PositiveIntegerField(_("version of the text"), default=1, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def translation_queue(cls):
        """The objects that translators see and translate (all by default).
        A model overrides it to leave out what is not public yet (a draft)."""
        return cls._default_manager.all()

    def original_values(self):
        """{field: text} of the original's translatable fields."""
        return {name: getattr(self, name) or "" for name in self.TRANSLATABLE_FIELDS}

    def translation_saved(self, translation):
        """``services.save_translation`` calls this in its transaction once a language version of this object
        was written. An owning app that keeps something made from its texts (a search index) updates it here."""


class Snapshot(models.Model):
    """The original's translatable fields at one revision."""

    target = models.CharField(max_length=100)  # the model's label, e.g. "gatherings.gathering"
    object_id = models.PositiveBigIntegerField()
    revision = models.PositiveIntegerField()
    language = models.CharField(max_length=5, choices=languages.choices)
    fields = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "object_id", "revision"], name="snapshot_unique_revision"),
        ]

    def __str__(self):
        return f"{self.target} {self.object_id} r{self.revision}"


class Translation(models.Model):
    """The version of one object's text in one language."""

    target = models.CharField(max_length=100)  # the model's label, e.g. "gatherings.gathering"
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(_("language"), max_length=5, choices=languages.choices)
    fields = models.JSONField(default=dict)
    revision = models.PositiveIntegerField()  # the revision of the original that this translates
    version = models.PositiveIntegerField(default=1)  # +1 on every save: two editors never overwrite each other
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    translated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "object_id", "language"], name="translation_unique_language"),
        ]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self):
        return f"{self.target} {self.object_id} {self.language}"

    def is_outdated_for(self, obj):
        return self.revision < obj.text_revision
