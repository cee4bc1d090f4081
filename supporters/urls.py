from django.urls import path

from . import views

app_name = "supporters"
urlpatterns = [
    path("", views.SupporterListView.as_view(), name="list"),
    path("export.csv", views.SupporterExportView.as_view(), name="export"),
    path("import/", views.SupporterImportCreateView.as_view(), name="import"),
    path(
        "import/<int:pk>/",
        views.SupporterImportDetailView.as_view(),
        name="import-detail",
    ),
]
