from django.contrib import admin

from harbor.admin import StrictLookupsMixin
from supporters.admin import SupporterRowAdmin

from . import services
from .models import (
    OrganisationSignOn,
    Petition,
    Signature,
    SignatureEmail,
)


@admin.register(Petition)
class PetitionAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "campaign",
        "status",
        "goal",
        "requires_double_opt_in",
        "language",
    ]
    list_filter = ["status", "language", "requires_double_opt_in"]
    search_fields = ["title", "target"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Signature)
class SignatureAdmin(SupporterRowAdmin):
    # Read-only here: signatures are written by petitions.services only.
    list_display = [
        "pk",
        "petition",
        "created_at",
        "confirmed_at",
        "channel",
        "utm_source",
    ]
    list_filter = ["petition", "channel"]
    readonly_fields = [f.name for f in Signature._meta.fields]
    raw_id_fields = ["supporter"]

    def has_add_permission(self, request):
        return False


@admin.register(SignatureEmail)
class SignatureEmailAdmin(SupporterRowAdmin):
    supporter_path = "signature__supporter"

    list_display = ["pk", "signature", "kind", "status", "attempts", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in SignatureEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.action(description="Approve selected sign-ons", permissions=["change"])
def approve(modeladmin, request, queryset):
    n = services.review_sign_ons(
        sign_on_ids=list(queryset.values_list("pk", flat=True)),
        approve=True,
        user=request.user,
        request=request,
    )
    modeladmin.message_user(request, f"{n} sign-on(s) approved.")


@admin.action(description="Reject selected sign-ons", permissions=["change"])
def reject(modeladmin, request, queryset):
    n = services.review_sign_ons(
        sign_on_ids=list(queryset.values_list("pk", flat=True)),
        approve=False,
        user=request.user,
        request=request,
    )
    modeladmin.message_user(request, f"{n} sign-on(s) rejected.")


@admin.register(OrganisationSignOn)
class OrganisationSignOnAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "city", "state", "petition", "status", "created_at"]
    list_filter = ["status", "kind", "petition"]
    search_fields = ["name", "contact_name", "contact_email"]
    readonly_fields = ["status", "reviewed_at", "reviewed_by"]
    actions = [approve, reject]
