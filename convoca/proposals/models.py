"""Proposals, their amendments, versions, sponsors and provenance.

A proposal belongs to one gathering and follows its workflow (``Proposal.State``,
the transitions are in ``services``). Its text is Markdown, stored in a
canonical form (paragraphs separated by one blank line, see
``consolidation.clean_text``); every change of text is a ``Version``.
Amendments are written against the *base version* (the text when the proposal
was opened for amendments); the text in debate is the base with the adopted
amendments and the coordinators' conflict resolutions applied, in the order
of ``seq``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from convoca.texts.models import Translatable


class ProposalSettings(models.Model):
    """How proposals work at one gathering. A gathering without a row uses the defaults (``DEFAULTS``)."""

    DEFAULTS = {"submissions_open": True, "amendment_stage": True, "amendment_days": 14, "prefix": "P"}

    gathering = models.OneToOneField(
        "gatherings.Gathering", on_delete=models.CASCADE, related_name="proposal_settings"
    )
    submissions_open = models.BooleanField(_("delegates may submit proposals"), default=True)
    amendment_stage = models.BooleanField(
        _("proposals are open for amendments before the debate"), default=True,
    )
    amendment_days = models.PositiveSmallIntegerField(_("days to amend, by default"), default=14)
    prefix = models.CharField(_("numbering prefix for proposals without a theme"), max_length=10, default="P")
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("proposal settings")
        verbose_name_plural = _("proposal settings")

    def __str__(self):
        return f"proposal settings {self.gathering_id}"


class Theme(models.Model):
    """A theme of a gathering's proposals; its prefix numbers them (MIG-1, MIG-2...)."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="proposal_themes")
    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(_("numbering prefix"), max_length=10)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["gathering", "prefix"], name="theme_unique_prefix"),
        ]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Proposal(Translatable):
    """A proposal; its title and text exist in the four languages (``convoca.texts``)."""

    TRANSLATABLE_FIELDS = ("title", "text")
    GATHERING_LOOKUP = "gathering"

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("proposal state", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("proposal state", "Submitted")
        ADMITTED = "admitted", pgettext_lazy("proposal state", "Admitted")
        AMENDMENT = "amendment", pgettext_lazy("proposal state", "Open for amendments")
        DEBATE = "debate", pgettext_lazy("proposal state", "In debate")
        ADOPTED = "adopted", pgettext_lazy("proposal state", "Adopted")
        REJECTED = "rejected", pgettext_lazy("proposal state", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal state", "Withdrawn")
        MERGED = "merged", pgettext_lazy("proposal state", "Merged into another")
        REFERRED = "referred", pgettext_lazy("proposal state", "Referred to a working group")

    OPEN_STATES = (State.SUBMITTED, State.ADMITTED, State.AMENDMENT, State.DEBATE)
    CLOSED_STATES = (State.ADOPTED, State.REJECTED, State.WITHDRAWN, State.MERGED, State.REFERRED)

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="proposals")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("theme")
    )
    prefix = models.CharField(max_length=10, blank=True)  # the number: PREFIX-seq, given on admission
    seq = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)  # the current version of the text (optimistic versioning)
    base_version = models.PositiveIntegerField(null=True, blank=True)  # what amendments are written against
    paragraph_map = models.JSONField(default=list, blank=True)  # base paragraph i -> current paragraph or None
    change_seq = models.PositiveIntegerField(default=0)  # order of adoptions and resolutions
    next_amendment = models.PositiveIntegerField(default=1)
    amendment_deadline = models.DateTimeField(_("amendments until"), null=True, blank=True)
    delegate = models.ForeignKey(
        "gatherings.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    forwarded_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forwarded_copies"
    )
    referred_to = models.CharField(_("working group"), max_length=200, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)
    poll = models.ForeignKey("voting.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    poll_applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix", "seq", "pk"]
        indexes = [models.Index(fields=["gathering", "state"]), models.Index(fields=["poll"])]
        constraints = [
            models.UniqueConstraint(
                fields=["gathering", "prefix", "seq"], condition=models.Q(seq__isnull=False),
                name="proposal_unique_number",
            ),
            models.UniqueConstraint(
                fields=["gathering", "forwarded_from"], condition=models.Q(forwarded_from__isnull=False),
                name="proposal_forwarded_once",
            ),
        ]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return f"{self.number} {self.title}" if self.seq else self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.gathering.slug, self.pk])

    @classmethod
    def translation_queue(cls):
        """Translators see every proposal but drafts (which only their author sees)."""
        return cls._default_manager.exclude(state=cls.State.DRAFT)

    @property
    def number(self):
        return f"{self.prefix}-{self.seq}" if self.seq else ""

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @property
    def is_closed(self):
        return self.state in self.CLOSED_STATES

    def translation_saved(self, translation):
        from . import search  # search reads these models: imported when a translation is saved, not at import time

        search.index([self])


class Sponsorship(models.Model):
    """An organisation behind a proposal: one that submits it, or one that co-sponsors it."""

    class Role(models.TextChoices):
        SUBMITTER = "submitter", _("Submitting organisation")
        COSPONSOR = "cosponsor", _("Co-sponsoring organisation")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sponsorships")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    registration = models.ForeignKey(
        "gatherings.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation"], name="sponsorship_unique_organisation"),
        ]

    def __str__(self):
        return f"{self.role} {self.organisation_id} of {self.proposal_id}"


class Version(models.Model):
    """One version of a proposal's title and text."""

    class Reason(models.TextChoices):
        CREATED = "created", _("Written")
        EDITED = "edited", _("Edited")
        AMENDMENT = "amendment", _("Amendment adopted")
        RESOLUTION = "resolution", _("Conflict resolved")
        MERGED = "merged", _("Composite of merged proposals")
        FORWARDED = "forwarded", _("Forwarded from a national meeting")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    reason = models.CharField(max_length=12, choices=Reason.choices)
    amendment = models.ForeignKey("Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="version_unique_number")]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"


class Amendment(Translatable):
    """An amendment; its new text and explanation exist in the four languages (``convoca.texts``)."""

    TRANSLATABLE_FIELDS = ("new_text", "reason")
    GATHERING_LOOKUP = "proposal__gathering"

    class Kind(models.TextChoices):
        REPLACE = "replace", _("Replace")
        DELETE = "delete", _("Delete")
        INSERT = "insert", _("Insert a new paragraph")

    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("amendment state", "Submitted")
        DEBATE = "debate", pgettext_lazy("amendment state", "In debate")
        ADOPTED = "adopted", pgettext_lazy("amendment state", "Adopted")
        REJECTED = "rejected", pgettext_lazy("amendment state", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("amendment state", "Withdrawn")

    PENDING_STATES = (State.SUBMITTED, State.DEBATE)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    kind = models.CharField(_("kind of amendment"), max_length=8, choices=Kind.choices)
    first = models.PositiveSmallIntegerField()  # paragraphs of the base version, 1-based; insert: after ``first``
    last = models.PositiveSmallIntegerField()
    base_version = models.PositiveIntegerField()
    old_text = models.TextField(blank=True)  # the paragraphs concerned, as they were in the base version
    new_text = models.TextField(_("new text"), blank=True)
    reason = models.TextField(_("explanation"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    seq = models.PositiveIntegerField(null=True, blank=True)  # its place among adoptions and resolutions
    delegate = models.ForeignKey(
        "gatherings.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    poll = models.ForeignKey("voting.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    poll_option = models.ForeignKey(
        "voting.Option", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poll_applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        indexes = [models.Index(fields=["poll"])]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="amendment_unique_number"),
            models.CheckConstraint(condition=models.Q(first__lte=models.F("last")), name="amendment_range_ordered"),
        ]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self):
        return f"A{self.number}"

    def get_absolute_url(self):
        return f"{self.proposal.get_absolute_url()}#amendment-{self.number}"

    @property
    def label(self):
        return f"A{self.number}"

    @property
    def is_pending(self):
        return self.state in self.PENDING_STATES

    def translation_saved(self, translation):
        from . import search  # search reads these models: imported when a translation is saved, not at import time

        search.index([self])


class Conflict(models.Model):
    """An adopted amendment that changes what earlier changes changed: it stays
    out of the text until a coordinator writes the paragraphs concerned."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="conflicts")
    others = models.JSONField(default=list)  # keys of the changes it collides with: amendment and resolution ids
    start = models.PositiveSmallIntegerField()  # base paragraphs [start, end), 0-based
    end = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolution = models.TextField(blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["amendment"], name="conflict_one_per_amendment"),
        ]

    def __str__(self):
        return f"conflict {self.pk} of {self.proposal_id}"

    @property
    def is_open(self):
        return self.resolved_at is None


class Event(models.Model):
    """What happened to a proposal or one of its amendments, by whom and when."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    poll = models.ForeignKey("voting.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.proposal_id}"

    def get_to_state_label(self):
        try:
            return Proposal.State(self.to_state).label
        except ValueError:
            return self.to_state


class Provenance(models.Model):
    """One step of the way a forwarded proposal came: copied when it was
    forwarded, so that later changes on either side change nothing here."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="provenance")
    position = models.PositiveSmallIntegerField(default=0)  # 0: the origin
    source = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gathering = models.ForeignKey(
        "gatherings.Gathering", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gathering_title = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True)
    number = models.CharField(max_length=24, blank=True)
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    adopted_at = models.DateTimeField(null=True, blank=True)
    vote = models.JSONField(null=True, blank=True)  # {"poll", "title", "outcome", "yes", "no", "abstain", "published_at"}
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    forwarded_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"provenance {self.position} of {self.proposal_id}"

    @property
    def country_name(self):
        return countries.name(self.country) if self.country else ""


class SearchDocument(models.Model):
    """One text as search finds it: a proposal's title and text, or an amendment's new text and explanation,
    in one language (the original or a translation). Rewritten by ``search.index`` whenever the services
    write the text or a translation of it. On SQLite the FTS5 table ``proposals_search`` indexes it (rowid:
    this id); on PostgreSQL its generated column ``search_vector`` (both made by migration 0004)."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=5)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["proposal", "amendment"])]

    def __str__(self):
        return f"search document {self.pk} ({self.language})"


class Declaration(Translatable):
    """The declaration of a gathering: sections its organisers compose from adopted proposals, every change a
    version (``DeclarationVersion``), published for everyone to read. Its title and its sections exist in the
    four languages (``convoca.texts``)."""

    TRANSLATABLE_FIELDS = ("title",)
    GATHERING_LOOKUP = "gathering"

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("declaration state", "Draft")
        PUBLISHED = "published", pgettext_lazy("declaration state", "Published")

    gathering = models.OneToOneField("gatherings.Gathering", on_delete=models.CASCADE, related_name="declaration")
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)  # +1 on every change: the number of its latest version
    published_version = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:declaration", args=[self.gathering.slug])

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class Section(Translatable):
    """One section of a declaration: its text starts as an adopted proposal's consolidated text and is then
    edited by the organisers (``version``: optimistic edits); it keeps links to its source proposals."""

    TRANSLATABLE_FIELDS = ("heading", "text")
    GATHERING_LOOKUP = "declaration__gathering"

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    sources = models.ManyToManyField(
        Proposal, blank=True, related_name="declaration_sections", verbose_name=_("source proposals"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section of the declaration")
        verbose_name_plural = _("sections of the declaration")

    def __str__(self):
        return self.heading or f"section {self.pk}"

    def get_absolute_url(self):
        return f"{self.declaration.get_absolute_url()}#section-{self.pk}"


class DeclarationVersion(models.Model):
    """The whole declaration as it was after one change: its title and its sections in order."""

    class Reason(models.TextChoices):
        STARTED = "started", _("Started")
        TITLE = "title", _("Title changed")
        ADDED = "added", _("Section added")
        EDITED = "edited", _("Section edited")
        MOVED = "moved", _("Sections reordered")
        REMOVED = "removed", _("Section removed")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    sections = models.JSONField(default=list)  # [{"id", "heading", "text", "sources": [proposal ids]}] in order
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="declaration_version_unique_number"),
        ]

    def __str__(self):
        return f"declaration {self.declaration_id} v{self.number}"

    @property
    def document(self):
        """The version as one Markdown text (headings and sections), for word-level comparison."""
        parts = []
        for section in self.sections:
            if section.get("heading"):
                parts.append(f"## {section['heading']}")
            parts.append(section.get("text", ""))
        return "\n\n".join(parts)
