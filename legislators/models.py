"""Legislators, their offices, ZIP→district crosswalk, bills and state Safe Harbor
laws."""

import calendar
import datetime as dt
import re

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES, STATES


class Chamber(models.TextChoices):
    US_SENATE = "us_senate", _("US Senate")
    US_HOUSE = "us_house", _("US House")
    STATE_UPPER = "state_upper", _("State senate")
    STATE_LOWER = "state_lower", _("State house")


FEDERAL_CHAMBERS = (Chamber.US_SENATE, Chamber.US_HOUSE)

# Places represented in Congress by one member of the House who cannot vote on the
# floor, and by no senator: the District of Columbia and the territories. Puerto Rico's
# member is the Resident Commissioner, the others' a Delegate.
WITHOUT_US_SENATORS = frozenset({"DC", "PR", "GU", "VI", "AS", "MP"})


def has_us_senators(state: str) -> bool:
    """Whether ``state`` elects members of the US Senate (DC and the territories do
    not)."""
    return state not in WITHOUT_US_SENATORS


def member_title(chamber: str, state: str) -> str:
    """The title of whoever holds a seat of ``chamber`` for ``state``, in the active
    language: "Senator", "Representative", "Delegate", "Resident Commissioner", "State
    senator", "State representative", "Councilmember".

    The one place Harbor names a legislator's office: the lookup, bill sponsor lists
    and calls to a legislator all use it (through ``Legislator.title`` or
    ``selectors.Seat.member_title``)."""
    if chamber == Chamber.US_SENATE:
        return gettext("Senator")
    if chamber == Chamber.US_HOUSE:
        if state == "PR":
            return gettext("Resident Commissioner")
        if state in WITHOUT_US_SENATORS:
            return pgettext("member of the US House", "Delegate")
        return gettext("Representative")
    if chamber == Chamber.STATE_UPPER:
        # Open States files the Council of the District of Columbia as its
        # legislature; its members are councilmembers.
        return gettext("Councilmember") if state == "DC" else gettext("State senator")
    return gettext("State representative")


def chamber_name(chamber: str, state: str) -> str:
    """The chamber a seat is in, as a heading: "US Senate", "US House", "State senate",
    "State house", or "Council of the District of Columbia"."""
    if chamber == Chamber.STATE_UPPER and state == "DC":
        return gettext("Council of the District of Columbia")
    return str(Chamber(chamber).label)


class LegislatorQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)


class Legislator(TimestampedModel):
    """A member of Congress (``bioguide_id``) or of a state legislature
    (``openstates_id``).

    Importers never delete a legislator: members who leave office get
    ``is_current=False``, so sponsorships and campaign history keep pointing at them.
    """

    bioguide_id = models.CharField(max_length=10, unique=True, null=True, blank=True)
    openstates_id = models.CharField(max_length=60, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    party = models.CharField(max_length=50, blank=True)
    chamber = models.CharField(max_length=12, choices=Chamber.choices)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    # Congress: "7", "0" at-large. States: as named by Open States ("127", "22A", "At-
    # Large").
    district = models.CharField(max_length=50, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    photo_url = models.URLField(max_length=500, blank=True)
    website = models.URLField(max_length=500, blank=True)
    contact_form_url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    is_current = models.BooleanField(default=True)
    # A copy of ``photo_url`` in MEDIA storage, made by ``portraits.fetch_portraits``,
    # so that no page loads an image from another host; blank: show initials.
    portrait = models.FileField(upload_to="portraits/", max_length=200, blank=True)
    # The ``photo_url`` the portrait was copied from: a new URL upstream is fetched again.
    portrait_source_url = models.URLField(max_length=500, blank=True)

    objects = LegislatorQuerySet.as_manager()

    class Meta:
        ordering = ["state", "chamber", "last_name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    chamber__in=FEDERAL_CHAMBERS, bioguide_id__isnull=False
                )
                | models.Q(
                    chamber__in=[Chamber.STATE_UPPER, Chamber.STATE_LOWER],
                    openstates_id__isnull=False,
                ),
                name="legislator_has_source_id",
            ),
            models.CheckConstraint(
                condition=models.Q(chamber__in=Chamber.values),
                name="legislator_chamber_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "chamber", "district", "is_current"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.party_initial}-{self.seat_label})"

    @property
    def party_initial(self) -> str:
        return (self.party or "?")[:1]

    @property
    def seat_label(self) -> str:
        if self.chamber == Chamber.US_SENATE:
            return self.state
        if self.chamber == Chamber.US_HOUSE:
            return f"{self.state}-{congressional_label(self.district)}"
        return f"{self.state} {self.district}"

    @property
    def is_federal(self) -> bool:
        return self.chamber in FEDERAL_CHAMBERS

    @property
    def party_name(self) -> str:
        """The party in the active language when it is one the data uses, else as
        given ("Democratic-Farmer-Labor")."""
        names = {
            "Democrat": pgettext("party", "Democrat"),
            "Democratic": pgettext("party", "Democrat"),
            "Republican": pgettext("party", "Republican"),
            "Independent": pgettext("party", "Independent"),
        }
        return names.get(self.party, self.party)

    @property
    def title(self) -> str:
        """The title of the seat: "Senator", "Representative", "Delegate", "Resident
        Commissioner", ... (see ``member_title``)."""
        return member_title(self.chamber, self.state)

    @property
    def title_and_name(self) -> str:
        """Title and name: "Delegate Eleanor Holmes Norton"."""
        return gettext("%(title)s %(name)s") % {"title": self.title, "name": self.name}


def congressional_label(district: str | int) -> str:
    """'0' → 'AL' (at-large), '7' → '07'."""
    number = int(district)
    return "AL" if number == 0 else f"{number:02d}"


class Office(models.Model):
    class Kind(models.TextChoices):
        DC = "dc", _("Washington, DC office")
        CAPITOL = "capitol", _("Capitol office")
        DISTRICT = "district", _("District office")

    # Offices are part of the legislator's record and are replaced on every import.
    legislator = models.ForeignKey(
        Legislator, on_delete=models.CASCADE, related_name="offices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    # As given by congress-legislators for district offices; Open States gives none.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    fax = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["legislator", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.address}"

    @property
    def label(self) -> str:
        """What a supporter reads next to the phone number: "Austin office",
        "Washington, DC office", "Capitol office", or "District office" when the city
        is not known."""
        if self.kind == self.Kind.DISTRICT and self.city:
            return gettext("%(city)s office") % {"city": self.city}
        return str(self.get_kind_display())

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


# The Congress whose districts the shipped crosswalk (zipcodes-congress/zccd.csv) maps.
SHIPPED_CONGRESS = 119


def congress_start(number: int) -> dt.date:
    """The day the ``number``th Congress's districts take over: its date in
    ``HARBOR_CONGRESS_SWITCHES`` if set, else noon of January 3 of its first year (the
    20th Amendment), counted as that day: 119 → 2025-01-03, 120 → 2027-01-03."""
    from django.conf import settings

    switch = settings.HARBOR_CONGRESS_SWITCHES.get(number)
    if switch is not None:
        return switch
    return dt.date(1789 + 2 * (number - 1), 1, 3)


class ZipDistrict(models.Model):
    """One row of a ZCTA → congressional district crosswalk of one Congress. Several
    Congresses' crosswalks live side by side; the lookup reads the one in force
    (``selectors.congress_in_force``)."""

    congress = models.PositiveSmallIntegerField(default=SHIPPED_CONGRESS)
    zcta = models.CharField(max_length=5)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    district = models.PositiveSmallIntegerField()  # 0 = at-large

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "zcta", "state", "district"],
                name="one_zip_district_per_congress",
            )
        ]
        indexes = [models.Index(fields=["zcta", "congress"])]

    def __str__(self) -> str:
        seat = f"{self.state}-{congressional_label(self.district)}"
        return f"{self.zcta} → {seat} ({self.congress})"


class BillStage(models.TextChoices):
    INTRODUCED = "introduced", _("Introduced")
    IN_COMMITTEE = "in_committee", _("In committee")
    PASSED_ONE = "passed_one", _("Passed one chamber")
    PASSED_BOTH = "passed_both", _("Passed both chambers")
    SIGNED = "signed", _("Signed into law")
    VETOED = "vetoed", _("Vetoed")
    FAILED = "failed", _("Failed")


class Bill(TimestampedModel):
    Stage = BillStage

    # "US" for Congress, else a USPS state code.
    jurisdiction = models.CharField(
        max_length=2, choices=[("US", _("Congress")), *STATE_CHOICES]
    )
    # The congress number ("118") or the state session name ("89R", "2025-2026").
    session = models.CharField(max_length=50)
    # Normalized: "H.R. 2200", "S. 1", "HB 12", "SF 2".
    identifier = models.CharField(max_length=50)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True)
    stage = models.CharField(
        max_length=15, choices=Stage.choices, default=Stage.INTRODUCED
    )
    introduced_on = models.DateField(null=True, blank=True)
    source_urls = models.JSONField(default=list, blank=True)
    openstates_id = models.CharField(max_length=60, unique=True, null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-introduced_on", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "session", "identifier"],
                name="one_bill_per_session",
            )
        ]

    def __str__(self) -> str:
        where = "Congress" if self.is_federal else self.jurisdiction
        return f"{self.identifier} ({where} {self.session})"

    @property
    def is_federal(self) -> bool:
        return self.jurisdiction == "US"

    @property
    def jurisdiction_name(self) -> str:
        if self.is_federal:
            return _("%(nth)s Congress") % {"nth": ordinal(self.session)}
        return STATES.get(self.jurisdiction, self.jurisdiction)

    def get_absolute_url(self) -> str:
        return reverse("legislators:bill", kwargs={"pk": self.pk})


class BillAction(models.Model):
    # Actions are part of the bill; they go with it.
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="actions")
    date = models.DateField()
    chamber = models.CharField(max_length=50, blank=True)
    text = models.TextField()
    classification = models.CharField(max_length=100, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date", "order"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"

    @property
    def chamber_label(self) -> str:
        """Who acted, in the active language, for the names Congress.gov ("House",
        "Senate", "President") and Open States ("lower", "upper", "executive") use;
        anything else as given."""
        names = {
            "house": pgettext("chamber", "House"),
            "lower": pgettext("chamber", "House"),
            "senate": pgettext("chamber", "Senate"),
            "upper": pgettext("chamber", "Senate"),
            "legislature": pgettext("chamber", "Legislature"),
            "president": pgettext("chamber", "President"),
            "executive": pgettext("chamber", "Executive"),
        }
        return names.get(self.chamber.strip().lower(), self.chamber)


class Sponsorship(models.Model):
    class Kind(models.TextChoices):
        SPONSOR = "sponsor", _("Sponsor")
        COSPONSOR = "cosponsor", _("Cosponsor")

    bill = models.ForeignKey(
        Bill, on_delete=models.CASCADE, related_name="sponsorships"
    )
    legislator = models.ForeignKey(
        Legislator,
        # A sponsor not (yet) in the legislators table is kept by name.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsorships",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sponsored_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "sponsored_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "name", "kind"], name="one_sponsorship_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class SafeHarborStatus(models.TextChoices):
    """A state's progress, in the words of the campaign's progress cards (green,
    yellow, red), according to the one source its record names. What each means is in
    ``SafeHarborStatus.meaning``; the values predate the words and are kept."""

    NOTABLE_EFFORTS = "full", _("Notable efforts")
    SOME_PROGRESS = "partial", _("Some progress")
    LOW_PROGRESS = "none", _("Low progress")
    UNKNOWN = "unknown", _("Unknown")

    @property
    def meaning(self) -> str:
        """What the colour measures, as one sentence for the map's legend."""
        return {
            "full": _(
                "The source says children cannot be charged with prostitution and "
                "that specialized services are provided."
            ),
            "partial": _(
                "The source records a Safe Harbor law or part of one: services, "
                "diversion away from prosecution, or protection from prostitution "
                "charges in some cases."
            ),
            "none": _(
                "The source says children can be charged with prostitution, and it "
                "records no Safe Harbor law."
            ),
            "unknown": _(
                "The sources Harbor has do not answer these questions for this state, "
                "or are undated."
            ),
        }[self.value]  # type: ignore[return-value]


# Safe Harbor records whose source is older than this need a staff member to check the
# current law (the sources are surveys and bill summaries of their year).
SAFE_HARBOR_REVIEW_YEARS = 5


def as_of_end(as_of: str) -> dt.date | None:
    """The last day an "as of" text can mean: "2015" → 2015-12-31, "2025-10" →
    2025-10-31, "2011-2016" → 2016-12-31, "2022-06-30" → itself; None when it names no
    year ("undated")."""
    text = (as_of or "").strip()
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    match = re.fullmatch(r"(?:\d{4}\s*[-\u2013]\s*)?(\d{4})(?:-(\d{2}))?", text)
    if not match:
        return None
    year, month = int(match[1]), int(match[2] or 12)
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTIAL = "partial", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class SafeHarborLaw(TimestampedModel):
    """Where one state stands on Safe Harbor, according to one named source and year."""

    Status = SafeHarborStatus
    Answer = Answer

    COMPONENTS = ("immunity", "diversion", "services", "training", "buyer_penalties")

    state = models.CharField(max_length=2, choices=STATE_CHOICES, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.UNKNOWN
    )
    immunity = models.CharField(
        _("immunity from prostitution charges for minors"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    diversion = models.CharField(
        _("diversion to services"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    services = models.CharField(
        _("specialized services funded"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    training = models.CharField(
        _("law-enforcement training"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    buyer_penalties = models.CharField(
        _("penalties for buyers and traffickers"),
        max_length=10,
        choices=Answer.choices,
        default=Answer.UNKNOWN,
    )
    citation = models.CharField(max_length=500, blank=True)
    year = models.CharField(max_length=100, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    source_id = models.CharField(max_length=50, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    as_of = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["state"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SafeHarborStatus.values),
                name="safe_harbor_status_valid",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__in": Answer.values}),
                    name=f"safe_harbor_{name}_valid",
                )
                for name in (
                    "immunity",
                    "diversion",
                    "services",
                    "training",
                    "buyer_penalties",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.status}"

    @property
    def state_name(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def as_of_date(self) -> dt.date | None:
        """The last day the source's "as of" can mean (see ``as_of_end``)."""
        return as_of_end(self.as_of)

    def needs_review_on(self, today: dt.date) -> bool:
        """Whether, on ``today``, the source is more than SAFE_HARBOR_REVIEW_YEARS old
        (or undated) and staff should check the current law."""
        end = self.as_of_date
        if end is None:
            return True
        try:
            limit = today.replace(year=today.year - SAFE_HARBOR_REVIEW_YEARS)
        except ValueError:  # 29 February
            limit = today.replace(year=today.year - SAFE_HARBOR_REVIEW_YEARS, day=28)
        return end < limit

    @property
    def needs_review(self) -> bool:
        return self.needs_review_on(timezone.localdate())

    @property
    def status_meaning(self) -> str:
        return SafeHarborStatus(self.status).meaning

    def get_absolute_url(self) -> str:
        return reverse("legislators:state", kwargs={"state": self.state.lower()})


class SyncRun(TimestampedModel):
    """One run of an importer or a bill sync: what it did, for the staff page and the
    logs."""

    kind = models.CharField(max_length=50)
    ok = models.BooleanField(default=True)
    summary = models.JSONField(default=dict)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
