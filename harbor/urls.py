from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

staff_patterns = (
    [path("", views.StaffDashboardView.as_view(), name="dashboard")],
    "staff",
)

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("livez", views.LiveView.as_view(), name="livez"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", include(staff_patterns)),
    path("staff/supporters/", include("supporters.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("legislators.urls")),
    path("", include("petitions.urls")),
    path("admin/", admin.site.urls),
]
