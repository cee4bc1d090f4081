"""The admin for supporter data. Every changelist, form and inline reads through the
visibility selector, and every chapter or supporter choice is limited to what the user may
see: a chapter leader granted every Django permission still reaches only their chapters."""

from django.contrib import admin

from accounts.selectors import chapters_visible_to, sees_everything
from harbor.admin import BoundedModelMultipleChoiceField, StrictLookupsMixin

from . import selectors
from .models import (
    ChapterMembership,
    ConsentEvent,
    Subscription,
    Supporter,
    SupporterImport,
    Tag,
)


class ScopedChoicesMixin:
    """Chapter and supporter choices (foreign keys and many-to-many, in forms and
    inlines) limited to what the requesting user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Supporter:
            kwargs["queryset"] = selectors.supporters_visible_to(request.user)
        elif db_field.related_model._meta.label == "accounts.Chapter":
            kwargs["queryset"] = chapters_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model._meta.label == "accounts.Chapter":
            kwargs["queryset"] = chapters_visible_to(request.user)
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    model = ChapterMembership
    extra = 0

    def get_queryset(self, request):
        # A leader sees (and may remove) only memberships of chapters they lead.
        qs = super().get_queryset(request)
        return qs.filter(chapter__in=chapters_visible_to(request.user))


class ConsentInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "source", "method", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Supporter)
class SupporterAdmin(StrictLookupsMixin, ScopedChoicesMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "state",
        "zip_code",
        "email_opt_in",
        "created_at",
    ]
    list_filter = ["state", "email_opt_in", "suppression_reason"]
    search_fields = ["email", "first_name", "last_name", "zip_code"]
    filter_horizontal = ["tags"]
    # Consent changes only through the services, which keep its history (ConsentEvent)
    # and never undo an unsubscribe; the admin shows it.
    readonly_fields = [
        "user",
        "email_opt_in",
        "opt_in_at",
        "opt_in_source",
        "opt_in_method",
        "unsubscribed_at",
        "suppressed_at",
        "suppression_reason",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, ConsentInline]

    def get_queryset(self, request):
        # The admin obeys the same chapter scoping as every other page.
        return selectors.supporters_visible_to(request.user)


@admin.register(Tag)
class TagAdmin(StrictLookupsMixin, admin.ModelAdmin):
    search_fields = ["name"]


class SupporterRowAdmin(StrictLookupsMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Rows that belong to a supporter: listed and editable only where the supporter is
    visible, and a supporter or chapter is chosen only among those."""

    # The path from this admin's model to its Supporter.
    supporter_path = "supporter"

    def get_queryset(self, request):
        return selectors.rows_of_visible_supporters(
            request.user,
            super().get_queryset(request),
            supporter_path=self.supporter_path,
        )


@admin.register(ChapterMembership)
class ChapterMembershipAdmin(SupporterRowAdmin):
    list_display = ["supporter", "chapter", "created_at"]
    list_filter = [("chapter", admin.RelatedOnlyFieldListFilter)]
    raw_id_fields = ["supporter"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(chapter__in=chapters_visible_to(request.user))
        )


@admin.register(ConsentEvent)
class ConsentEventAdmin(SupporterRowAdmin):
    list_display = ["supporter", "kind", "at", "source", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["supporter"]


@admin.register(Subscription)
class SubscriptionAdmin(SupporterRowAdmin):
    list_display = ["supporter", "list", "subscribed_at", "unsubscribed_at"]
    list_filter = ["list"]
    raw_id_fields = ["supporter"]


@admin.register(SupporterImport)
class SupporterImportAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "file_name",
        "status",
        "total_rows",
        "created_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    exclude = ["content"]
    readonly_fields = [
        f.name for f in SupporterImport._meta.fields if f.name != "content"
    ]

    def get_queryset(self, request):
        # Errors quote the file's values: only the uploader (or national staff) sees them.
        qs = super().get_queryset(request)
        if sees_everything(request.user):
            return qs
        return qs.filter(created_by=request.user)

    def has_add_permission(self, request):
        return False

    # New/updated counts would tell a chapter leader which emails exist elsewhere.
    COUNTS = ("created_count", "updated_count")

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if sees_everything(request.user):
            return shown
        return [f for f in shown if f not in self.COUNTS]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if sees_everything(request.user):
            return fields
        return [f for f in fields if f not in self.COUNTS]

    def get_readonly_fields(self, request, obj=None):
        return [
            f
            for f in super().get_readonly_fields(request, obj)
            if sees_everything(request.user) or f not in self.COUNTS
        ]
