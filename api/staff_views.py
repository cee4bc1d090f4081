"""The staff page of API tokens: staff admins see and revoke every token and make
national or chapter ones; a chapter leader makes and revokes their own, for their
chapters. The secret is shown once, on the page that answers its creation."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from harbor.staff import StaffRequiredMixin

from . import selectors, services
from .forms import CreateTokenForm


class TokenManagerRequiredMixin(StaffRequiredMixin):
    def test_func(self):
        return selectors.may_manage_tokens(self.request.user)


class TokenListView(TokenManagerRequiredMixin, View):
    def _form(self, data=None) -> CreateTokenForm:
        user = self.request.user
        return CreateTokenForm(
            data,
            chapters=selectors.token_chapters_for(user),
            national=user.is_national_staff,
        )

    def _render(self, request, form, *, secret=None, status=200):
        return render(
            request,
            "api/tokens.html",
            {
                "form": form,
                "tokens": selectors.tokens_managed_by(request.user),
                "secret": secret,
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, self._form())

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                new = services.create_token(
                    by=request.user,
                    name=form.cleaned_data["name"],
                    chapter=form.cleaned_data["chapter"],
                    request=request,
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                # Shown in this response only: no redirect, so a reload cannot show it
                # again, and it is never stored.
                response = self._render(request, self._form(), secret=new)
                response["Cache-Control"] = "no-store"
                return response
        return self._render(request, form, status=400)


class TokenRevokeView(TokenManagerRequiredMixin, View):
    def post(self, request, pk: int):
        try:
            revoked = services.revoke_token(
                by=request.user, token_id=pk, request=request
            )
        except PermissionDenied:
            messages.error(request, _("You may not revoke that token."))
        else:
            if revoked:
                messages.success(request, _("The token was revoked."))
        return redirect("api:tokens")
