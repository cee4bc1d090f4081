from django.urls import path

from . import views

app_name = "legislators"
urlpatterns = [
    # MEDIA_URL + the name legislators.portraits stores: Legislator.portrait.url.
    path(
        "media/portraits/<str:name>",
        views.PortraitFileView.as_view(),
        name="portrait",
    ),
    path("legislators/", views.LegislatorLookupView.as_view(), name="lookup"),
    path("bills/", views.BillListView.as_view(), name="bills"),
    path("bills/<int:pk>/", views.BillDetailView.as_view(), name="bill"),
    path("safe-harbor/", views.SafeHarborMapView.as_view(), name="map"),
    path("safe-harbor/<str:state>/", views.SafeHarborStateView.as_view(), name="state"),
    path(
        "staff/legislators/bills/",
        views.StaffBillListView.as_view(),
        name="staff-bills",
    ),
    path(
        "staff/legislators/bills/new/",
        views.StaffBillEditView.as_view(),
        name="staff-bill-new",
    ),
    path(
        "staff/legislators/bills/<int:pk>/",
        views.StaffBillEditView.as_view(),
        name="staff-bill-edit",
    ),
    path(
        "staff/legislators/safe-harbor/<str:state>/",
        views.StaffSafeHarborEditView.as_view(),
        name="staff-safe-harbor-edit",
    ),
]
