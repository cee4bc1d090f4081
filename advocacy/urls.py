"""Calls and letters to legislators: a campaign's advocacy actions and their outreaches
(after OSDI's advocacy campaigns and outreaches)."""

from django.urls import path

from . import letter_views, patch_views, views

app_name = "advocacy"
urlpatterns = [
    path("campaigns/<slug:slug>/call/", views.CallStartView.as_view(), name="call"),
    # Patch-through: the supporter asks Harbor to call them (before call/<token>/).
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
    path(
        "campaigns/<slug:slug>/call/<str:token>/",
        views.CallTargetView.as_view(),
        name="call-target",
    ),
    path(
        "campaigns/<slug:slug>/call/<str:token>/done/",
        views.CallDoneView.as_view(),
        name="call-done",
    ),
    path(
        "staff/campaigns/<slug:slug>/outreach/",
        views.StaffOutreachView.as_view(),
        name="staff-outreach",
    ),
    path(
        "staff/campaigns/<slug:slug>/outreach.csv",
        views.StaffOutreachExportView.as_view(),
        name="staff-outreach-export",
    ),
    path(
        "campaigns/<slug:slug>/write/",
        letter_views.WriteStartView.as_view(),
        name="write",
    ),
    path(
        "campaigns/<slug:slug>/write/<str:token>/",
        letter_views.WriteLettersView.as_view(),
        name="write-letters",
    ),
    path(
        "campaigns/<slug:slug>/write/<str:token>/sent/",
        letter_views.WriteSentView.as_view(),
        name="write-sent",
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
