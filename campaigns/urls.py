from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("<slug:slug>/", views.CampaignDetailView.as_view(), name="detail"),
]
