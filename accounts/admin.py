"""Logins, chapters and the audit log in the admin. Logins and their permissions are a
staff admin's alone; roles are changed only on the roles page (/staff/roles/), audited."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from harbor.admin import StrictLookupsMixin

from .models import AuditEvent, Chapter, User
from .selectors import can_manage_roles, chapters_visible_to, sees_everything


class StaffAdminOnly:
    """Only a staff admin sees or changes these, whatever permissions anyone holds."""

    def has_module_permission(self, request):
        return can_manage_roles(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_roles(request.user)

    def has_add_permission(self, request, *args):
        return can_manage_roles(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_roles(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_roles(request.user)


@admin.register(User)
class UserAdmin(StrictLookupsMixin, StaffAdminOnly, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "is_active"]}),
        ("Extra permissions", {"fields": ["groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})
    ]
    filter_horizontal = ["groups", "user_permissions"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(StaffAdminOnly, admin.ModelAdmin):
    search_fields = ["name"]
    filter_horizontal = ["permissions"]


@admin.register(Chapter)
class ChapterAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "state"]
    search_fields = ["name", "state"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return chapters_visible_to(request.user)

    def has_add_permission(self, request):
        return sees_everything(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return sees_everything(request.user) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return sees_everything(request.user) and super().has_delete_permission(
            request, obj
        )


@admin.register(AuditEvent)
class AuditEventAdmin(StrictLookupsMixin, StaffAdminOnly, admin.ModelAdmin):
    list_display = ["at", "action", "actor_email", "object_type", "object_repr"]
    list_filter = ["action", "via"]
    list_select_related = ["actor"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
