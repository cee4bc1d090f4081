"""Staff pages of alerts under /staff/alerts/: list, compose, preview, test send, confirm
and send, approve, pause/resume/cancel, and the live progress. Thin: a form, one service
or selector, a response."""

from anymail.exceptions import AnymailError
from django.contrib import messages
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from requests import RequestException

from harbor.mail import describe_send_error
from harbor.staff import StaffRequiredMixin
from supporters.models import Supporter

from . import selectors, services
from .audience import audience_for, audience_for_alert, count_in_words
from .forms import AlertForm, AudienceForm, ConfirmSendForm
from .models import Alert
from .rendering import AlertRenderer

SAMPLE_SIZE = 20
# The site menu's link to these pages (templates/base.html) is translated here, with
# the rest of this app's strings.
NAV_LABEL = gettext_lazy("Alerts")


class _AlertStaffMixin(StaffRequiredMixin):
    permission = "alerts.view_alert"

    def test_func(self):
        return super().test_func() and self.request.user.has_perm(self.permission)

    def get_alert(self, pk: int) -> Alert:
        return get_object_or_404(
            selectors.alerts_visible_to(self.request.user).select_related(
                "chapter", "campaign", "created_by", "approved_by"
            ),
            pk=pk,
        )


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


class AlertListView(_AlertStaffMixin, View):
    def get(self, request):
        page = Paginator(selectors.staff_alerts(request.user), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "alerts/list.html",
            {
                "page": page,
                "may_compose": selectors.composable_chapters(request.user).exists()
                or selectors.may_send_nationally(request.user),
            },
        )


def _compose_form(request, data=None, initial=None, form_class=AlertForm):
    return form_class(
        data,
        initial=initial,
        chapters=list(selectors.composable_chapters(request.user)),
        national=selectors.may_send_nationally(request.user),
    )


def _live_count(request, form) -> str | None:
    """The audience's size in words for a valid (audience) form, else None."""
    if not form.is_valid():
        return None
    chapter = form.cleaned_data["chapter"]
    qs = audience_for(sender=request.user, chapter=chapter, filters=form.filters())
    return count_in_words(qs.count(), chapter)


class AlertComposeView(_AlertStaffMixin, View):
    """New draft (no pk) or a draft's edit. The "Count" button (for browsers without
    JavaScript) re-shows the form with the audience's size and saves nothing."""

    permission = "alerts.add_alert"

    def _render(self, request, form, alert=None, count_words=None, status=200):
        return render(
            request,
            "alerts/compose.html",
            {"form": form, "alert": alert, "count_words": count_words},
            status=status,
        )

    def _alert(self, pk):
        if pk is None:
            return None
        alert = self.get_alert(pk)
        if alert.status != Alert.Status.DRAFT or alert.confirmed_at is not None:
            raise Http404
        return alert

    def get(self, request, pk: int | None = None):
        alert = self._alert(pk)
        if alert is not None:
            initial = AlertForm.initial_for(alert)
        else:
            chapters = list(selectors.composable_chapters(request.user))
            first = chapters[0] if chapters else None
            initial = {
                **services.default_sender(first),
                "chapter": str(first.pk) if first else None,
                "body": _DEFAULT_BODY,
            }
        form = _compose_form(request, initial=initial)
        return self._render(request, form, alert)

    def post(self, request, pk: int | None = None):
        alert = self._alert(pk)
        form = _compose_form(request, data=request.POST)
        if request.POST.get("action") == "count":
            audience_form = _compose_form(
                request, data=request.POST, form_class=AudienceForm
            )
            return self._render(
                request, form, alert, count_words=_live_count(request, audience_form)
            )
        if not form.is_valid():
            return self._render(request, form, alert, status=400)
        d = form.cleaned_data
        try:
            alert = services.save_alert(
                user=request.user,
                alert=alert,
                chapter=d["chapter"],
                campaign=d["campaign"],
                subject=d["subject"],
                preheader=d["preheader"],
                body=d["body"],
                from_name=d["from_name"],
                from_email=d["from_email"],
                reply_to=d["reply_to"],
                filters=form.filters(),
                request=request,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, _messages_of(exc))
            return self._render(request, form, alert, status=400)
        messages.success(request, _("The draft is saved."))
        return redirect("alerts:detail", pk=alert.pk)


_DEFAULT_BODY = """Dear {{ first_name }},

Some states still treat exploited children as offenders. Your legislators can change that:

{{ legislators }}

[Take action now]({{ action_link }})

Thank you,
{{ chapter_name }}
"""


@method_decorator(never_cache, name="dispatch")
class AudienceCountView(_AlertStaffMixin, View):
    """The live count while composing: the audience part of the compose form, as JSON."""

    permission = "alerts.add_alert"

    def get(self, request):
        form = _compose_form(request, data=request.GET, form_class=AudienceForm)
        words = _live_count(request, form)
        if words is None:
            return JsonResponse(
                {"words": "", "errors": form.errors.get_json_data()}, status=400
            )
        return JsonResponse({"words": words})


class AlertDetailView(_AlertStaffMixin, View):
    def get(self, request, pk: int):
        alert = self.get_alert(pk)
        user = request.user
        may_act = services.can_compose_for(user, alert.chapter)
        count = None
        if alert.status == Alert.Status.DRAFT and may_act:
            count = audience_for_alert(alert, sender=user).count()
        return render(
            request,
            "alerts/detail.html",
            {
                "alert": alert,
                "progress": selectors.progress(alert),
                "may_act": may_act,
                "may_approve": services.may_approve(user, alert)
                and alert.status == Alert.Status.AWAITING_APPROVAL,
                "own_approval": user.is_staff_admin
                and not services.may_approve(user, alert)
                and alert.status == Alert.Status.AWAITING_APPROVAL,
                "count": count,
                "count_words": count_in_words(count, alert)
                if count is not None
                else "",
                "is_draft": alert.status == Alert.Status.DRAFT
                and alert.confirmed_at is None,
                "S": Alert.Status,
            },
        )


def _sample(request, alert: Alert) -> Supporter | None:
    """The chosen sample recipient: one of the first of the audience the user sees (an
    id outside it is ignored), else the first of them."""
    samples = list(
        audience_for_alert(alert, sender=request.user).order_by("pk")[:SAMPLE_SIZE]
    )
    wanted = request.GET.get("supporter") or request.POST.get("supporter") or ""
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:
        for s in samples:
            if s.pk == int(wanted):
                return s
        chosen = (
            audience_for_alert(alert, sender=request.user)
            .filter(pk=int(wanted))
            .first()
        )
        if chosen is not None:
            return chosen
    return samples[0] if samples else None


class AlertPreviewView(_AlertStaffMixin, View):
    def get(self, request, pk: int):
        alert = self.get_alert(pk)
        samples = list(
            audience_for_alert(alert, sender=request.user).order_by("pk")[:SAMPLE_SIZE]
        )
        sample = _sample(request, alert) or services.stand_in_for(request.user)
        subject, text, _html = AlertRenderer(alert).render(sample)
        return render(
            request,
            "alerts/preview.html",
            {
                "alert": alert,
                "samples": samples,
                "sample": sample,
                "subject": subject,
                "text": text,
                "may_act": services.can_compose_for(request.user, alert.chapter),
            },
        )


class AlertPreviewHtmlView(_AlertStaffMixin, View):
    """The HTML part alone, shown in a sandboxed frame of the preview page."""

    def get(self, request, pk: int):
        alert = self.get_alert(pk)
        sample = _sample(request, alert) or services.stand_in_for(request.user)
        _subject, _text, html = AlertRenderer(alert).render(sample)
        response = HttpResponse(html)
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
            "frame-ancestors 'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


class AlertTestSendView(_AlertStaffMixin, View):
    permission = "alerts.add_alert"

    def post(self, request, pk: int):
        alert = self.get_alert(pk)
        if not services.can_compose_for(request.user, alert.chapter):
            raise PermissionDenied
        sample = _sample(request, alert)
        try:
            accepted = services.send_test(
                alert=alert, user=request.user, sample=sample, request=request
            )
        except (AnymailError, RequestException, ImproperlyConfigured) as exc:
            # The ESP refused or could not be reached, or no ESP is configured: a
            # message on the page, not a 500.
            messages.error(
                request,
                _("The test email could not be sent (%(error)s).")
                % {"error": describe_send_error(exc)},
            )
        else:
            if accepted:
                messages.success(
                    request,
                    _("A test email is on its way to %(email)s.")
                    % {"email": request.user.email},
                )
            else:
                messages.error(
                    request,
                    _(
                        "The test email was not accepted: your address may be suppressed."
                    ),
                )
        return redirect("alerts:preview", pk=alert.pk)


class AlertConfirmSendView(_AlertStaffMixin, View):
    permission = "alerts.add_alert"

    def _render(self, request, alert, form, count, status=200):
        return render(
            request,
            "alerts/confirm.html",
            {
                "alert": alert,
                "form": form,
                "count": count,
                "count_words": count_in_words(count, alert),
            },
            status=status,
        )

    def _load(self, request, pk):
        alert = self.get_alert(pk)
        if not services.can_compose_for(request.user, alert.chapter):
            raise PermissionDenied
        return alert

    def get(self, request, pk: int):
        alert = self._load(request, pk)
        if alert.status != Alert.Status.DRAFT or alert.confirmed_at is not None:
            return redirect("alerts:detail", pk=alert.pk)
        count = audience_for_alert(alert, sender=request.user).count()
        return self._render(request, alert, ConfirmSendForm(), count)

    def post(self, request, pk: int):
        alert = self._load(request, pk)
        form = ConfirmSendForm(request.POST)
        count = audience_for_alert(alert, sender=request.user).count()
        if not form.is_valid():
            return self._render(request, alert, form, count, status=400)
        try:
            alert = services.confirm_send(
                alert=alert,
                user=request.user,
                typed_count=form.cleaned_data["typed_count"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
            return self._render(request, alert, form, count, status=400)
        text = {
            Alert.Status.AWAITING_APPROVAL: _(
                "Confirmed. A staff admin must approve it before it goes out."
            ),
            Alert.Status.SCHEDULED: _("Scheduled."),
            Alert.Status.PREPARING: _(
                "Confirmed. The audience is being prepared; sending starts in a moment."
            ),
        }.get(alert.status, _("Sending has started."))
        messages.success(request, text)
        return redirect("alerts:detail", pk=alert.pk)


class AlertApproveView(_AlertStaffMixin, View):
    def post(self, request, pk: int):
        alert = self.get_alert(pk)
        try:
            services.approve_alert(alert=alert, user=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(_messages_of(exc)))
        except PermissionDenied as exc:
            if not request.user.is_staff_admin:
                raise
            messages.error(request, str(exc))  # their own alert: another admin must
        else:
            messages.success(request, _("Approved."))
        return redirect("alerts:detail", pk=alert.pk)


class AlertControlView(_AlertStaffMixin, View):
    """Pause, resume, cancel (the engine's buttons)."""

    action = ""

    def post(self, request, pk: int):
        alert = self.get_alert(pk)
        changed = services.control_alert(
            alert=alert, user=request.user, action=self.action, request=request
        )
        if changed:
            messages.success(
                request,
                {
                    "pause": _("Paused: nothing more goes out until you resume."),
                    "resume": _("Resumed."),
                    "cancel": _("Cancelled: nothing more goes out."),
                }[self.action],
            )
        else:
            messages.info(
                request,
                _("Nothing changed: the alert is %(status)s.")
                % {"status": alert.get_status_display().lower()},
            )
        return redirect("alerts:detail", pk=alert.pk)


@method_decorator(never_cache, name="dispatch")
class AlertProgressView(_AlertStaffMixin, View):
    """The counters as JSON, polled by the alert's page while it sends."""

    def get(self, request, pk: int):
        alert = self.get_alert(pk)
        return JsonResponse(
            {
                **selectors.progress(alert),
                "status": alert.status,
                "status_text": str(alert.get_status_display()),
            }
        )
