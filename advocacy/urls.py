from django.urls import path

from . import letter_views

app_name = "advocacy"
urlpatterns: list = [
    path(
        "campaigns/<slug:slug>/write/",
        letter_views.WriteView.as_view(),
        name="write",
    ),
    path(
        "campaigns/<slug:slug>/write/sent/<str:token>/",
        letter_views.WriteSentView.as_view(),
        name="write-sent",
    ),
]
