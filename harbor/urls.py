"""The root URLconf. Apps are included by dotted name, so ``harbor`` imports none of them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

handler400 = "harbor.views.bad_request"
handler403 = "harbor.views.permission_denied"
handler404 = "harbor.views.page_not_found"
handler500 = "harbor.views.server_error"

urlpatterns = [
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("livez", views.LiveView.as_view(), name="livez"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", include("accounts.twofactor_urls")),
    path("", include("pages.urls")),
    path("staff/", include("accounts.urls")),
    path("", include("supporters.urls")),
    path("", include("legislators.urls")),
    path("", include("petitions.urls")),
    path("", include("advocacy.urls")),
    path("", include("alerts.urls")),
    path("", include("reach.urls")),
    path("", include("webhooks.urls")),
    # The OSDI API (/api/v1/) and its tokens' staff page (/staff/api-tokens/).
    path("", include("api.urls")),
    # The ESPs' tracking (and inbound) webhooks: /anymail/<esp>/tracking/, behind
    # ANYMAIL_WEBHOOK_SECRET's basic auth and the ESP's signature where it has one.
    path("anymail/", include("harbor.webhooks")),
    path("admin/", admin.site.urls),
]
