from django.contrib import admin

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
class LegislatorAdmin(admin.ModelAdmin):
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
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["legislator", "kind", "phone"]
    list_select_related = ["legislator"]
    raw_id_fields = ["legislator"]


@admin.register(ZipDistrict)
class ZipDistrictAdmin(admin.ModelAdmin):
    list_display = ["zcta", "state", "district"]
    search_fields = ["zcta"]


class BillActionInline(admin.TabularInline):
    model = BillAction
    extra = 0


class SponsorshipInline(admin.TabularInline):
    model = Sponsorship
    extra = 0
    raw_id_fields = ["legislator"]


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin):
    list_display = ["identifier", "jurisdiction", "session", "stage", "last_synced_at"]
    list_filter = ["jurisdiction", "stage"]
    search_fields = ["identifier", "title"]
    inlines = [BillActionInline, SponsorshipInline]


@admin.register(BillAction)
class BillActionAdmin(admin.ModelAdmin):
    list_display = ["bill", "date", "chamber", "classification"]
    list_select_related = ["bill"]
    raw_id_fields = ["bill"]


@admin.register(Sponsorship)
class SponsorshipAdmin(admin.ModelAdmin):
    list_display = ["bill", "name", "kind", "sponsored_on"]
    list_select_related = ["bill"]
    raw_id_fields = ["bill", "legislator"]


@admin.register(SafeHarborLaw)
class SafeHarborLawAdmin(admin.ModelAdmin):
    list_display = ["state", "status", "immunity", "source_id", "as_of"]
    list_filter = ["status"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "ok", "created_at"]
    readonly_fields = ["kind", "ok", "summary", "message"]
