from django.urls import path

from . import twofactor_views

app_name = "two-factor"
urlpatterns = [
    path("verify/", twofactor_views.TwoFactorVerifyView.as_view(), name="verify"),
    path("setup/", twofactor_views.TwoFactorSetupView.as_view(), name="setup"),
]
