from django.urls import path

from . import patch_views

app_name = "advocacy"
urlpatterns: list = [
    # Patch-through: the supporter asks Harbor to call them.
    path(
        "campaigns/<slug:slug>/call/patch/",
        patch_views.PatchCallRequestView.as_view(),
        name="patch-request",
    ),
    path(
        "campaigns/<slug:slug>/call/patch/sent/",
        patch_views.PatchCallRequestDoneView.as_view(),
        name="patch-request-done",
    ),
    path(
        "campaigns/<slug:slug>/call/patch/<str:token>/",
        patch_views.PatchCallStatusView.as_view(),
        name="patch-call",
    ),
    # Twilio's webhooks for patch-through calls (signed; see advocacy/patch_views.py).
    path(
        "twilio/calls/<str:token>/answer/",
        patch_views.PatchAnswerView.as_view(),
        name="patch-answer",
    ),
    path(
        "twilio/calls/<str:token>/legs/<int:leg>/",
        patch_views.PatchLegView.as_view(),
        name="patch-leg",
    ),
    path(
        "twilio/calls/<str:token>/legs/<int:leg>/choice/",
        patch_views.PatchChoiceView.as_view(),
        name="patch-choice",
    ),
    path(
        "twilio/calls/<str:token>/legs/<int:leg>/dialed/",
        patch_views.PatchDialedView.as_view(),
        name="patch-dialed",
    ),
    path(
        "twilio/calls/<str:token>/legs/<int:leg>/outcome/",
        patch_views.PatchOutcomeView.as_view(),
        name="patch-outcome",
    ),
    path(
        "twilio/calls/<str:token>/status/",
        patch_views.PatchStatusView.as_view(),
        name="patch-status",
    ),
]
