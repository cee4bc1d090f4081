"""Calls and letters to legislators: a campaign's advocacy actions and their outreaches
(after OSDI's advocacy campaigns and outreaches)."""

from django.urls import path

from . import letter_views, views

app_name = "advocacy"
urlpatterns = [
    path("campaigns/<slug:slug>/call/", views.CallStartView.as_view(), name="call"),
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
]
