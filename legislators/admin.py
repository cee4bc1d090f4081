from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from harbor.admin import StrictLookupsMixin

from . import selectors
from .models import (
    Bill,
    BillAction,
    Legislator,
    Office,
    SafeHarborLaw,
    Sponsorship,
    SyncRun,
    ZipDistrict,
)


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Legislator)
class LegislatorAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "title",
        "party",
        "chamber",
        "state",
        "district",
        "is_current",
    ]
    list_filter = ["chamber", "is_current", "state"]
    search_fields = ["name", "bioguide_id", "openstates_id"]
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["legislator", "kind", "phone"]
    list_select_related = ["legislator"]
    raw_id_fields = ["legislator"]


@admin.register(ZipDistrict)
class ZipDistrictAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["zcta", "state", "district", "congress"]
    list_filter = ["congress"]
    search_fields = ["zcta"]


class BillActionInline(admin.TabularInline):
    model = BillAction
    extra = 0


class SponsorshipInline(admin.TabularInline):
    model = Sponsorship
    extra = 0
    raw_id_fields = ["legislator"]


@admin.register(Bill)
class BillAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["identifier", "jurisdiction", "session", "stage", "last_synced_at"]
    list_filter = ["jurisdiction", "stage"]
    search_fields = ["identifier", "title"]
    inlines = [BillActionInline, SponsorshipInline]


@admin.register(BillAction)
class BillActionAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["bill", "date", "chamber", "classification"]
    list_select_related = ["bill"]
    raw_id_fields = ["bill"]


@admin.register(Sponsorship)
class SponsorshipAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["bill", "name", "kind", "sponsored_on"]
    list_select_related = ["bill"]
    raw_id_fields = ["bill", "legislator"]


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs review")), ("no", _("Current"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # "as of" is free text ("2015", "2011-2016", "undated"): read in Python.
        stale = [law.pk for law in selectors.safe_harbor_records_needing_review()]
        if self.value() == "yes":
            return queryset.filter(pk__in=stale)
        return queryset.exclude(pk__in=stale)


@admin.register(SafeHarborLaw)
class SafeHarborLawAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = [
        "state",
        "status",
        "immunity",
        "source_id",
        "as_of",
        "needs_review",
    ]
    list_filter = ["status", NeedsReviewFilter]

    @admin.display(boolean=True, description=_("needs review"))
    def needs_review(self, law):
        """Its source is more than five years old, or undated."""
        return law.needs_review


@admin.register(SyncRun)
class SyncRunAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["kind", "ok", "created_at"]
    readonly_fields = ["kind", "ok", "summary", "message"]
