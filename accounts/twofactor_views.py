"""The second login step and enrolment (accounts.twofactor)."""

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


def _next(request):
    return twofactor.safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """After the password: a code from the authenticator app, or a backup code."""

    template = "accounts/two_factor_verify.html"

    def get(self, request):
        if not twofactor.must_verify(request.user):
            return redirect(_next(request))
        if twofactor.must_enrol(request.user):
            return redirect("two-factor:setup")
        return render(
            request, self.template, {"form": CodeForm(), "next": _next(request)}
        )

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid() and twofactor.verify_second_factor(
            request=request, token=form.cleaned_data["code"]
        ):
            return redirect(_next(request))
        if form.is_valid():
            form.add_error(
                "code",
                _("That code is not right. Wait for a new one and try again."),
            )
        return render(
            request, self.template, {"form": form, "next": _next(request)}, status=400
        )


class TwoFactorSetupView(LoginRequiredMixin, View):
    """Enrolment: scan the QR code (or type the key), confirm with one code, get ten
    backup codes. A verified user may enrol a new app (the old one is replaced)."""

    template = "accounts/two_factor_setup.html"

    def _render(self, request, form, status=200):
        device = twofactor.pending_totp_device(request.user)
        return render(
            request,
            self.template,
            {
                "form": form,
                "qr_svg": twofactor.qr_svg(device),
                "secret": twofactor.secret_for_typing(device),
                "has_authenticator": twofactor.has_authenticator(request.user),
                "required": twofactor.must_enrol(request.user),
                "next": _next(request),
            },
            status=status,
        )

    def _blocked(self, request):
        # Replacing an enrolled app needs the second step first.
        return twofactor.must_verify(request.user) and not twofactor.must_enrol(
            request.user
        )

    def get(self, request):
        if self._blocked(request):
            return redirect("two-factor:verify")
        return self._render(request, CodeForm())

    def post(self, request):
        if self._blocked(request):
            return redirect("two-factor:verify")
        form = CodeForm(request.POST)
        codes = None
        if form.is_valid():
            codes = twofactor.confirm_totp_device(
                request=request, token=form.cleaned_data["code"]
            )
            if codes is None:
                form.add_error(
                    "code",
                    _(
                        "That code is not right. Check the time on your phone and try again."
                    ),
                )
        if codes is None:
            return self._render(request, form, status=400)
        return render(
            request,
            "accounts/two_factor_codes.html",
            {"codes": codes, "next": _next(request)},
        )
