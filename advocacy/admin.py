from django.contrib import admin

from harbor.admin import BoundedModelMultipleChoiceField, StrictLookupsMixin

from .models import AdvocacyCampaign, Outreach


@admin.register(AdvocacyCampaign)
class AdvocacyCampaignAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """Staff create and edit a campaign's call and letter actions here. The script
    templates are checked on save (``AdvocacyCampaign.clean`` → ``validate_script``):
    anything but the listed ``{{ variables }}`` is refused with a message."""

    list_display = ["campaign", "kind", "is_active", "target_bill", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["campaign__title"]
    autocomplete_fields = ["campaign", "target_legislators", "target_bill"]
    fieldsets = [
        (None, {"fields": ["campaign", "kind", "is_active"]}),
        (
            "Targets",
            {
                "fields": [
                    "targets_own_us_senators",
                    "targets_own_us_representative",
                    "targets_own_state_senator",
                    "targets_own_state_representative",
                    "target_legislators",
                    "target_bill",
                    "target_bill_group",
                ]
            },
        ),
        (
            "Words",
            {
                "fields": [
                    "script",
                    "cosponsor_script",
                    "talking_points",
                    "letter_subject",
                    "letter_body",
                ]
            },
        ),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Outreach)
class OutreachAdmin(StrictLookupsMixin, admin.ModelAdmin):
    # Read-only: outreaches are written by advocacy.services only; the per-campaign
    # staff page (scoped by chapter) is where staff read them.
    list_display = [
        "pk",
        "advocacy_campaign",
        "kind",
        "legislator",
        "outcome",
        "delivery_status",
        "created_at",
    ]
    list_filter = ["kind", "outcome", "delivery_status"]
    readonly_fields = [f.name for f in Outreach._meta.fields]
    raw_id_fields = ["supporter", "legislator", "office"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from accounts.selectors import visible_to

        return visible_to(
            request.user, super().get_queryset(request), chapter_path="chapter"
        )
