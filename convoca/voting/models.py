"""Polls, the voter roll, proxies, and the two tables of a cast.

Secret ballots: while the poll is open, ``Participation`` records *that* a
roll entry voted and ``SealedBallot`` holds *what* was chosen, encrypted to the
poll's public key (``sealing``); its private key exists only as shares sealed
to the poll's ``Teller``s. They are written in the same transaction (so a copy
of the database can tell which sealed box is whose, but not what is inside).
At the count, k tellers unlock together: the plain ``Ballot`` rows (no voter,
random ids, shuffled) are written in one transaction and the sealed boxes, the
shares and every key are deleted. Only named and open polls fill
``Ballot.voter``; they write plain ballots directly.

Weights are integers in units of ``Poll.weight_unit`` (a multiple of a
million, chosen when the poll opens) so that an organisation's single vote
split among three delegates is exactly a third each.
"""

import secrets
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from convoca.texts.models import Translatable

WEIGHT_UNIT = 1_000_000


def random_id():
    """A random positive 63-bit primary key: rows carry no insertion order."""
    return secrets.randbelow(2**63 - 2) + 1


def weight_display(units, unit=WEIGHT_UNIT):
    """``units`` of 1/``unit`` of a vote, exactly: "2", "0.5", "1.25", or a fraction where no short decimal is
    exact ("1/3", "7/6")."""
    value = Fraction(int(units or 0), int(unit or WEIGHT_UNIT))
    if value.denominator == 1:
        return str(value.numerator)
    if (value * 1_000_000).denominator == 1:
        return format((Decimal(value.numerator) / value.denominator).normalize(), "f")
    return f"{value.numerator}/{value.denominator}"


class Poll(Translatable):
    # The question and its description exist in es/pt/en/fr (convoca.texts): the ballot in the reader's language.
    TRANSLATABLE_FIELDS = ("title", "description")
    GATHERING_LOOKUP = "gathering"

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no / abstain")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        APPROVAL = "approval", _("Approval")
        RANKED = "ranked", _("Ranked choice (instant runoff / single transferable vote)")
        CONSENSUS = "consensus", _("Consensus (organisations may block)")

    class Secrecy(models.TextChoices):
        SECRET = "secret", _("Secret: nobody can know who voted what")
        OPEN = "open", _("Open: organisers can check who voted what, only totals are published")
        NAMED = "named", _("Named: who voted what is published")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("poll state", "Created")  # not the count of rows an import created
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")
        ANNULLED = "annulled", _("Annulled")

    class Electorate(models.TextChoices):
        PRESENT = "present", _("Accredited delegates who are present (checked in)")
        ACCREDITED = "accredited", _("All accredited delegates")
        CHOSEN = "chosen", _("A chosen group of delegates")

    class Weighting(models.TextChoices):
        DELEGATE = "delegate", _("One vote per delegate")
        ORGANISATION = "organisation", _("One vote per organisation, split among its delegates")

    class Majority(models.TextChoices):
        PLURALITY = "plurality", _("Most votes")
        SIMPLE = "simple", _("Simple majority (more than half)")
        ABSOLUTE = "absolute", _("Absolute majority (more than half of all eligible votes)")
        TWO_THIRDS = "two_thirds", _("Two-thirds majority")
        CUSTOM = "custom", _("Custom share")

    class Base(models.TextChoices):
        VALID = "valid", _("Votes cast, not counting abstentions and blank ballots")
        CAST = "cast", _("All votes cast, abstentions included")
        ELIGIBLE = "eligible", _("All eligible votes")

    class TieBreak(models.TextChoices):
        NONE = "none", _("A tie decides nothing (proposal not adopted, no winner)")
        LOT = "lot", _("Draw lots (the seed is published)")

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="polls")
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind of poll"), max_length=20, choices=Kind.choices, default=Kind.YES_NO)
    secrecy = models.CharField(_("secrecy"), max_length=10, choices=Secrecy.choices, default=Secrecy.SECRET)
    electorate = models.CharField(_("who votes"), max_length=12, choices=Electorate.choices, default=Electorate.PRESENT)
    chosen_voters = models.ManyToManyField(
        "gatherings.Registration", blank=True, related_name="+", verbose_name=_("chosen delegates")
    )
    weighting = models.CharField(_("weights"), max_length=14, choices=Weighting.choices, default=Weighting.DELEGATE)
    custom_weights = models.JSONField(
        _("custom weights"), default=dict, blank=True,
        help_text=_('Optional: {"org:ID": "3", "reg:ID": "2"} gives an organisation or a delegate another weight.'),
    )
    min_choices = models.PositiveSmallIntegerField(_("fewest choices"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("most choices"), default=1)
    seats = models.PositiveSmallIntegerField(_("seats to fill"), default=1)
    quorum_percent = models.DecimalField(_("quorum (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    majority = models.CharField(_("majority"), max_length=12, choices=Majority.choices, default=Majority.SIMPLE)
    majority_percent = models.DecimalField(
        _("custom share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    base = models.CharField(_("what counts as 100%"), max_length=10, choices=Base.choices, default=Base.VALID)
    block_threshold = models.PositiveIntegerField(
        _("blocks that stop a consensus"), default=1,
        help_text=_("In votes: with one vote per organisation, 1 means a single organisation can block."),
    )
    tie_break = models.CharField(_("ties"), max_length=6, choices=TieBreak.choices, default=TieBreak.NONE)
    allow_change = models.BooleanField(_("voters may change their vote while the poll is open"), default=False)
    results_while_open = models.BooleanField(_("show results while the poll is open"), default=False)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    annulled_at = models.DateTimeField(null=True, blank=True)
    annul_reason = models.TextField(_("reason"), blank=True)
    eligible_weight = models.BigIntegerField(default=0)
    # Weights (roll, ballots, results) are integers in units of 1/weight_unit of a vote, chosen when the poll
    # opens so that every weight is exact (an organisation's vote split three ways: unit 3,000,000).
    weight_unit = models.BigIntegerField(default=1_000_000)
    seed = models.CharField(max_length=64, blank=True)
    result = models.JSONField(null=True, blank=True)
    # Secret polls: how many of the tellers must unlock the count together, and the poll's X25519 public key
    # while its ballots are sealed (from opening until the count or the annulment).
    tellers_needed = models.PositiveSmallIntegerField(_("tellers needed to count"), default=1)
    public_key = models.BinaryField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["gathering", "state"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_choices__lte=models.F("max_choices")), name="poll_min_le_max"),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__gte=0, quorum_percent__lte=100), name="poll_quorum_range"
            ),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="poll_seats_positive"),
        ]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("voting:detail", args=[self.pk])

    @property
    def is_secret(self):
        return self.secrecy == self.Secrecy.SECRET

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def is_counted(self):
        return self.state in (self.State.CLOSED, self.State.PUBLISHED) and self.result is not None

    @property
    def awaits_count(self):
        """A closed secret poll whose sealed ballots wait for its tellers."""
        return self.state == self.State.CLOSED and self.result is None


class Option(Translatable):
    """A choice on the ballot. Built-in answers (yes, no, abstain, agree,
    stand aside, block) carry a ``code`` and are labelled in the reader's language."""

    TRANSLATABLE_FIELDS = ("label",)
    GATHERING_LOOKUP = "poll__gathering"

    class Code(models.TextChoices):
        CANDIDATE = "", _("Option")
        YES = "yes", _("Yes")
        NO = "no", _("No")
        ABSTAIN = "abstain", _("Abstain")
        AGREE = "agree", _("Agree")
        STAND_ASIDE = "stand_aside", _("Stand aside")
        BLOCK = "block", _("Block")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=12, choices=Code.choices, blank=True, default="")
    label = models.CharField(_("option"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return str(self.display)

    @classmethod
    def translation_queue(cls):
        """Built-in answers (yes, no, ...) are labelled by the catalogues, not by translators."""
        return cls.objects.filter(code="")

    @property
    def display(self):
        return self.label or self.get_code_display()


class Proxy(models.Model):
    """A delegate entrusts their vote to another delegate of the same
    gathering. Revoking it takes effect for every poll not yet open."""

    gathering = models.ForeignKey("gatherings.Gathering", on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey("gatherings.Registration", on_delete=models.CASCADE, related_name="proxies_given")
    holder = models.ForeignKey("gatherings.Registration", on_delete=models.CASCADE, related_name="proxies_held")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["giver"], condition=models.Q(revoked_at__isnull=True), name="proxy_one_active_per_giver"
            ),
            models.CheckConstraint(condition=~models.Q(giver=models.F("holder")), name="proxy_not_to_self"),
        ]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")

    def __str__(self):
        return f"proxy {self.pk}"


class Voter(models.Model):
    """One entry of a poll's voter roll, frozen when the poll opens: whose
    vote it is, who casts it (themselves or their proxy holder), its weight."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="roll")
    registration = models.ForeignKey("gatherings.Registration", on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey("gatherings.Registration", on_delete=models.CASCADE, related_name="+")
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weight = models.BigIntegerField()
    country = models.CharField(max_length=2, blank=True)
    sector = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["poll", "registration"], name="voter_unique_registration")]
        indexes = [models.Index(fields=["poll", "holder_user"])]

    def __str__(self):
        return f"voter {self.pk}"


class Participation(models.Model):
    """"Has voted": one row per roll entry. No timestamp, no link to a ballot.
    ``key_hash`` and ``fingerprint`` are keyed hashes of the voter's
    idempotency key: they let a retry be recognised, nothing more."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    voter = models.OneToOneField(Voter, on_delete=models.CASCADE, related_name="participation")
    key_hash = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["poll"])]

    def __str__(self):
        return f"participation {self.pk}"


class Ballot(models.Model):
    """What was chosen, with which weight, under which receipt. ``voter`` is
    filled only in named and open polls; a secret ballot knows nobody."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    receipt = models.CharField(max_length=24)
    choices = models.JSONField(default=list)
    weight = models.BigIntegerField()
    voter = models.OneToOneField(Voter, null=True, blank=True, on_delete=models.CASCADE, related_name="ballot")

    class Meta:
        ordering = ["receipt", "pk"]
        indexes = [models.Index(fields=["poll", "receipt"])]

    def __str__(self):
        return f"ballot {self.pk}"


class Teller(models.Model):
    """A member who holds a share of a secret poll's key. Before the poll opens the teller sets a teller
    passphrase: ``public_key`` and ``locked_private_key`` (encrypted under a key derived from the passphrase
    with Argon2id, ``salt``, ``kdf_ops``, ``kdf_mem``). When the poll opens, ``share`` receives the teller's
    share of the poll's private key, sealed to ``public_key``. All of it is wiped at the count."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="tellers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()  # 1..n: the index of this teller's share
    public_key = models.BinaryField(null=True, blank=True, editable=False)
    locked_private_key = models.BinaryField(null=True, blank=True, editable=False)
    salt = models.BinaryField(null=True, blank=True, editable=False)
    kdf_ops = models.PositiveIntegerField(default=0)
    kdf_mem = models.BigIntegerField(default=0)
    share = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="teller_once_per_poll"),
            models.UniqueConstraint(fields=["poll", "position"], name="teller_position_once"),
        ]
        verbose_name = _("teller")
        verbose_name_plural = _("tellers")

    def __str__(self):
        return f"teller {self.position} of poll {self.poll_id}"

    @property
    def is_ready(self):
        return self.public_key is not None


class SealedBallot(models.Model):
    """One roll entry's ballot of a secret poll while it is open or waits for its count: the JSON of
    (receipt, choices, weight), padded, in a sealed box to the poll's public key. No voter, no time, a random
    id."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    box = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["poll"])]

    def __str__(self):
        return f"sealed ballot {self.pk}"
