from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("staff/webhooks/", views.EndpointListView.as_view(), name="endpoints"),
    path("staff/webhooks/new/", views.EndpointCreateView.as_view(), name="create"),
    path(
        "staff/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint"
    ),
    path(
        "staff/webhooks/<int:pk>/edit/", views.EndpointEditView.as_view(), name="edit"
    ),
    path(
        "staff/webhooks/<int:pk>/secret/",
        views.SecretRotateView.as_view(),
        name="rotate-secret",
    ),
    path(
        "staff/webhooks/<int:pk>/deliveries/<int:delivery_pk>/retry/",
        views.DeliveryRetryView.as_view(),
        name="retry",
    ),
]
