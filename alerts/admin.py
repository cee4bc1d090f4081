"""Alerts in the admin: read only. Alerts are written, confirmed, approved and
controlled on the staff pages (/staff/alerts/) through alerts.services, with their
guardrails and audit; the admin lists them for staff, each user only the alerts they
may see (alerts_visible_to: accounts.selectors.visible_to by the alert's chapter)."""

from django.contrib import admin

from harbor.admin import StrictLookupsMixin
from supporters.admin import ScopedChoicesMixin

from .models import Alert
from .selectors import alerts_visible_to


@admin.register(Alert)
class AlertAdmin(StrictLookupsMixin, ScopedChoicesMixin, admin.ModelAdmin):
    list_display = [
        "subject",
        "chapter",
        "campaign",
        "status",
        "recipient_count",
        "confirmed_at",
        "created_by",
    ]
    list_filter = ["status", "needs_approval"]
    list_select_related = ["chapter", "campaign", "created_by"]
    search_fields = ["subject", "source_code"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Alert._meta.fields]
    list_per_page = 50

    def get_queryset(self, request):
        return alerts_visible_to(request.user).select_related(
            "chapter", "campaign", "created_by"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only: every change goes through the staff pages' services.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
