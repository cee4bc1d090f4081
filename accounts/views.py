"""Staff admin pages: roles (who may do what, and where) and the audit log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from harbor.staff import StaffRequiredMixin

from . import selectors, services
from .forms import AuditFilterForm, GrantRoleForm


class StaffAdminRequiredMixin(StaffRequiredMixin):
    def test_func(self):
        return selectors.can_manage_roles(self.request.user)


class RoleListView(StaffAdminRequiredMixin, View):
    def _render(self, request, form, status=200):
        return render(
            request,
            "accounts/roles.html",
            {"form": form, "grants": selectors.grants_for_management()},
            status=status,
        )

    def get(self, request):
        return self._render(request, GrantRoleForm())

    def post(self, request):
        form = GrantRoleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.grant_role(
                    by=request.user,
                    user=data["email"],
                    role=data["role"],
                    chapter=data["chapter"],
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The role was granted."))
                return redirect("accounts:roles")
        return self._render(request, form, status=400)


class RoleRevokeView(StaffAdminRequiredMixin, View):
    def post(self, request, pk: int):
        try:
            removed = services.revoke_role(
                by=request.user, grant_id=pk, request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if removed:
                messages.success(request, _("The role was removed."))
        return redirect("accounts:roles")


class AuditLogView(StaffAdminRequiredMixin, View):
    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        events = selectors.audit_events(
            action=filters.get("action", ""),
            actor_id=filters["actor"].pk if filters.get("actor") else None,
            object_type=filters.get("object_type", ""),
            since=filters.get("since"),
            until=filters.get("until"),
        )
        if form.is_bound and not form.is_valid():
            events = events.none()
        page = Paginator(events, 100).get_page(request.GET.get("page"))
        return render(request, "accounts/audit.html", {"form": form, "page": page})
