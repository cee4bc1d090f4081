"""Project-wide views: health checks and the site-styled error pages."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from . import health


@method_decorator(never_cache, name="dispatch")
class LiveView(View):
    """Liveness: the process answers. Also the trivial baseline view for benchmarks."""

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain")


@method_decorator(never_cache, name="dispatch")
class HealthView(View):
    def get(self, request):
        checks = {"database": health.check_database(), "broker": health.check_broker()}
        ok = not any(checks.values())
        body = {
            "status": "ok" if ok else "error",
            "checks": {name: reason or "ok" for name, reason in checks.items()},
        }
        return JsonResponse(body, status=200 if ok else 503)


def _error_page(request, status: int):
    return render(request, f"errors/{status}.html", {"status": status}, status=status)


def bad_request(request, exception=None):
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    # Rendered without a request context: the failure may be in a context processor.
    from django.template.loader import render_to_string

    return HttpResponse(render_to_string("errors/500.html"), status=500)


def csrf_failure(request, reason: str = ""):
    """A friendly 403 when a form's CSRF token is missing or stale (CSRF_FAILURE_VIEW)."""
    return render(request, "errors/csrf_failure.html", status=403)
