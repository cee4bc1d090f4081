from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("campaigns/<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign"),
    path("staff/", views.StaffDashboardView.as_view(), name="staff-dashboard"),
]
