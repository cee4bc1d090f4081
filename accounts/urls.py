from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("roles/<int:pk>/revoke/", views.RoleRevokeView.as_view(), name="revoke"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
]
