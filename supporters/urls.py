from django.urls import path

from . import views

app_name = "supporters"
urlpatterns = [
    path("newsletter/", views.NewsletterSignupView.as_view(), name="newsletter"),
    path(
        "unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
    path("staff/supporters/", views.SupporterListView.as_view(), name="list"),
    path(
        "staff/supporters/export.csv",
        views.SupporterExportView.as_view(),
        name="export",
    ),
    path(
        "staff/supporters/import/",
        views.SupporterImportCreateView.as_view(),
        name="import",
    ),
    path(
        "staff/supporters/import/<int:pk>/",
        views.SupporterImportDetailView.as_view(),
        name="import-detail",
    ),
]
