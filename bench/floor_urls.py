"""The signing benchmark's URLconf: Harbor's URLs plus the floor view, the least a
durable signature can cost on this server (a CSRF form, then one
``INSERT ... ON CONFLICT DO NOTHING`` in autocommit). Only bench/bench_sign.py serves it
(DJANGO_SETTINGS_MODULE=bench.floor_settings); it is never in production URLs."""

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import include, path
from django.utils.html import escape

FLOOR_TABLE = "bench_floor_signature"


def floor_view(request):
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (email, first_name) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (email) DO NOTHING",
                [request.POST.get("email", ""), request.POST.get("first_name", "")],
            )
        return HttpResponseRedirect("/bench/floor/")
    token = escape(get_token(request))
    return HttpResponse(
        '<!doctype html><form method="post"><input type="hidden" '
        f'name="csrfmiddlewaretoken" value="{token}"><input name="email">'
        "<button>Sign</button></form>"
    )


urlpatterns = [
    path("bench/floor/", floor_view),
    path("", include("harbor.urls")),
]
