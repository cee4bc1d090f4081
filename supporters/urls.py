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
        "staff/supporters/<int:pk>/", views.SupporterDetailView.as_view(), name="detail"
    ),
    path(
        "staff/supporters/<int:pk>/data.json",
        views.SupporterDataExportView.as_view(),
        name="data-export",
    ),
    path(
        "staff/supporters/<int:pk>/erase/",
        views.SupporterEraseView.as_view(),
        name="erase",
    ),
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
