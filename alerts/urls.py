"""Action alerts: a chapter's email to its supporters, frozen into recipients and sent in
chunks through the one send path."""

from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("staff/alerts/", views.AlertListView.as_view(), name="list"),
    path("staff/alerts/new/", views.AlertComposeView.as_view(), name="compose"),
    path(
        "staff/alerts/audience-count.json",
        views.AudienceCountView.as_view(),
        name="audience-count",
    ),
    path("staff/alerts/<int:pk>/", views.AlertDetailView.as_view(), name="detail"),
    path("staff/alerts/<int:pk>/edit/", views.AlertComposeView.as_view(), name="edit"),
    path(
        "staff/alerts/<int:pk>/preview/",
        views.AlertPreviewView.as_view(),
        name="preview",
    ),
    path(
        "staff/alerts/<int:pk>/preview.html",
        views.AlertPreviewHtmlView.as_view(),
        name="preview-html",
    ),
    path("staff/alerts/<int:pk>/test/", views.AlertTestSendView.as_view(), name="test"),
    path(
        "staff/alerts/<int:pk>/send/",
        views.AlertConfirmSendView.as_view(),
        name="send",
    ),
    path(
        "staff/alerts/<int:pk>/approve/",
        views.AlertApproveView.as_view(),
        name="approve",
    ),
    path(
        "staff/alerts/<int:pk>/pause/",
        views.AlertControlView.as_view(action="pause"),
        name="pause",
    ),
    path(
        "staff/alerts/<int:pk>/resume/",
        views.AlertControlView.as_view(action="resume"),
        name="resume",
    ),
    path(
        "staff/alerts/<int:pk>/cancel/",
        views.AlertControlView.as_view(action="cancel"),
        name="cancel",
    ),
    path(
        "staff/alerts/<int:pk>/progress.json",
        views.AlertProgressView.as_view(),
        name="progress",
    ),
]
