"""Staff pages for outgoing webhooks: endpoints (staff admins set them up; chapter
leaders and staff see theirs), each endpoint's deliveries, "retry now". Thin: form,
selector, service, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.selectors import can_manage_roles
from harbor.staff import StaffRequiredMixin

from . import selectors, services
from .forms import DeliveryFilterForm, EndpointForm
from .models import WebhookDelivery

# The new secret waits in the session for the one page view that shows it.
ONE_VIEW_KEY = "webhooks:secret:{pk}"


class StaffAdminRequiredMixin(StaffRequiredMixin):
    def test_func(self):
        return can_manage_roles(self.request.user)


@method_decorator(never_cache, name="dispatch")
class EndpointListView(StaffRequiredMixin, View):
    def get(self, request):
        endpoints = list(selectors.endpoints_visible_to(request.user)[:200])
        counts = selectors.status_counts([e.pk for e in endpoints])
        for endpoint in endpoints:
            endpoint.counts = counts[endpoint.pk]
        return render(
            request,
            "webhooks/endpoints.html",
            {"endpoints": endpoints, "can_manage": can_manage_roles(request.user)},
        )


class EndpointCreateView(StaffAdminRequiredMixin, View):
    def get(self, request):
        return render(request, "webhooks/endpoint_form.html", {"form": EndpointForm()})

    def post(self, request):
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return render(
                request, "webhooks/endpoint_form.html", {"form": form}, status=400
            )
        endpoint = services.create_endpoint(
            by=request.user, request=request, **form.cleaned_data
        )
        request.session[ONE_VIEW_KEY.format(pk=endpoint.pk)] = endpoint.secret
        messages.success(request, _("The webhook endpoint was created."))
        return redirect("webhooks:endpoint", pk=endpoint.pk)


@method_decorator(never_cache, name="dispatch")
class EndpointDetailView(StaffRequiredMixin, View):
    def get(self, request, pk: int):
        endpoint = get_object_or_404(
            selectors.endpoints_visible_to(request.user), pk=pk
        )
        form = DeliveryFilterForm(request.GET or None)
        status = (
            form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
        )
        page = Paginator(selectors.deliveries_of(endpoint, status=status), 50).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "webhooks/endpoint.html",
            {
                "endpoint": endpoint,
                "page": page,
                "form": form,
                "counts": selectors.status_counts([endpoint.pk])[endpoint.pk],
                # Shown on this one view, then gone from the session.
                "secret": request.session.pop(ONE_VIEW_KEY.format(pk=pk), ""),
                "can_manage": can_manage_roles(request.user),
            },
        )


class EndpointEditView(StaffAdminRequiredMixin, View):
    def _endpoint(self, request, pk):
        return get_object_or_404(selectors.endpoints_visible_to(request.user), pk=pk)

    def get(self, request, pk: int):
        endpoint = self._endpoint(request, pk)
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
                "chapter": endpoint.chapter,
                "is_active": endpoint.is_active,
            }
        )
        return render(
            request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint}
        )

    def post(self, request, pk: int):
        endpoint = self._endpoint(request, pk)
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "webhooks/endpoint_form.html",
                {"form": form, "endpoint": endpoint},
                status=400,
            )
        services.update_endpoint(
            by=request.user, endpoint=endpoint, request=request, **form.cleaned_data
        )
        messages.success(request, _("The webhook endpoint was saved."))
        return redirect("webhooks:endpoint", pk=endpoint.pk)


class SecretRotateView(StaffAdminRequiredMixin, View):
    def post(self, request, pk: int):
        endpoint = get_object_or_404(
            selectors.endpoints_visible_to(request.user), pk=pk
        )
        secret = services.rotate_secret(
            by=request.user, endpoint=endpoint, request=request
        )
        request.session[ONE_VIEW_KEY.format(pk=pk)] = secret
        messages.success(
            request,
            _(
                "A new secret was made. Give it to the receiver: the old one no longer works."
            ),
        )
        return redirect("webhooks:endpoint", pk=pk)


class DeliveryRetryView(StaffAdminRequiredMixin, View):
    def post(self, request, pk: int, delivery_pk: int):
        endpoint = get_object_or_404(
            selectors.endpoints_visible_to(request.user), pk=pk
        )
        delivery = get_object_or_404(
            WebhookDelivery.objects.defer("payload"), pk=delivery_pk, endpoint=endpoint
        )
        if services.retry_delivery(by=request.user, delivery=delivery, request=request):
            messages.success(request, _("The delivery will be sent again in a moment."))
        else:
            messages.info(request, _("That delivery is not failed: nothing to retry."))
        return redirect("webhooks:endpoint", pk=pk)
