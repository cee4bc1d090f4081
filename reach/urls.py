from django.urls import path, re_path

from . import views

app_name = "reach"
urlpatterns = [
    path("staff/reach/", views.ReachDashboardView.as_view(), name="dashboard"),
    re_path(
        r"^staff/reach/export/(?P<table>[a-z-]{1,20})\.csv$",
        views.ReachExportView.as_view(),
        name="export",
    ),
    path(
        "staff/reach/<slug:slug>/packets/",
        views.DeliveryPacketListView.as_view(),
        name="packets",
    ),
    re_path(
        r"^staff/reach/(?P<slug>[-a-zA-Z0-9_]+)/packets/(?P<pk>[0-9]{1,18})\.(?P<fmt>pdf|csv)$",
        views.DeliveryPacketDownloadView.as_view(),
        name="packet-file",
    ),
]
