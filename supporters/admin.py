from django.contrib import admin

from . import selectors
from .models import (
    Chapter,
    ChapterMembership,
    ConsentEvent,
    Supporter,
    SupporterImport,
    Tag,
)


class MembershipInline(admin.TabularInline):
    model = ChapterMembership
    extra = 0
    autocomplete_fields = ["chapter"]


class ConsentInline(admin.TabularInline):
    model = ConsentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "at", "source", "method", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "state",
        "zip_code",
        "email_opt_in",
        "created_at",
    ]
    list_filter = ["state", "email_opt_in", "suppression_reason", "chapters"]
    search_fields = ["email", "first_name", "last_name", "zip_code"]
    filter_horizontal = ["tags"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline, ConsentInline]

    def get_queryset(self, request):
        # The admin obeys the same chapter scoping as every other page.
        return selectors.supporters_visible_to(request.user)


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state"]
    search_fields = ["name", "state"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ChapterScopedAdmin(admin.ModelAdmin):
    """Rows that belong to a supporter are listed and editable only where the supporter
    is visible to the user, and a supporter can only be chosen among those."""

    # The path from this admin's model to its Supporter.
    supporter_path = "supporter"

    def get_queryset(self, request):
        visible = selectors.supporters_visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.supporter_path}__in": visible.values("pk")})
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supporter":
            kwargs["queryset"] = selectors.supporters_visible_to(request.user)
        elif db_field.name == "chapter":
            kwargs["queryset"] = selectors.chapters_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ChapterMembership)
class ChapterMembershipAdmin(ChapterScopedAdmin):
    list_display = ["supporter", "chapter", "role", "created_at"]
    list_filter = ["role", "chapter"]
    raw_id_fields = ["supporter"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ChapterScopedAdmin):
    list_display = ["supporter", "kind", "at", "source", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["supporter"]


@admin.register(SupporterImport)
class SupporterImportAdmin(admin.ModelAdmin):
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
        if selectors.can_see_all_supporters(request.user):
            return qs
        return qs.filter(created_by=request.user)
