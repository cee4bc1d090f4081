from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path(
        "petitions/logos/<int:pk>/", views.SignOnLogoView.as_view(), name="sign-on-logo"
    ),
    path("petitions/<slug:slug>/", views.PetitionDetailView.as_view(), name="detail"),
    path(
        "petitions/<slug:slug>/count.json",
        views.PetitionCountView.as_view(),
        name="count",
    ),
    path(
        "petitions/<slug:slug>/widget/",
        views.PetitionWidgetView.as_view(),
        name="widget",
    ),
    path(
        "petitions/<slug:slug>/thanks/",
        views.PetitionThanksView.as_view(),
        name="thanks-generic",
    ),
    path(
        "petitions/<slug:slug>/thanks/<str:token>/",
        views.PetitionThanksView.as_view(),
        name="thanks",
    ),
    path(
        "petitions/<slug:slug>/confirm/<str:token>/",
        views.SignatureConfirmView.as_view(),
        name="confirm",
    ),
    path(
        "petitions/<slug:slug>/organisations/",
        views.SignOnView.as_view(),
        name="sign-ons",
    ),
    path("staff/petitions/", views.StaffPetitionListView.as_view(), name="staff-list"),
    path(
        "staff/petitions/<slug:slug>/signatures/",
        views.SignatureListView.as_view(),
        name="signatures",
    ),
    path(
        "staff/petitions/<slug:slug>/organisations/",
        views.SignOnReviewView.as_view(),
        name="sign-on-review",
    ),
    path(
        "staff/petitions/<slug:slug>/signatures.csv",
        views.SignatureExportView.as_view(),
        name="export",
    ),
    path(
        "staff/petitions/<slug:slug>/deliveries/",
        views.DeliveryReportListView.as_view(),
        name="deliveries",
    ),
    path(
        "staff/petitions/<slug:slug>/deliveries/<int:pk>.pdf",
        views.DeliveryReportDownloadView.as_view(),
        name="delivery-pdf",
    ),
]
