from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import staff_views, views

app_name = "api"

urlpatterns = [
    path("api/v1/", views.EntryPointApi.as_view(), name="aep"),
    path(
        "api/v1/openapi.json",
        SpectacularJSONAPIView.as_view(),
        name="openapi",
    ),
    path("api/v1/people/", views.PersonListApi.as_view(), name="people"),
    path("api/v1/people/<int:pk>/", views.PersonDetailApi.as_view(), name="person"),
    path("api/v1/tags/", views.TagListApi.as_view(), name="tags"),
    path("api/v1/tags/<int:pk>/", views.TagDetailApi.as_view(), name="tag"),
    path(
        "api/v1/tags/<int:pk>/taggings/",
        views.TaggingListApi.as_view(),
        name="taggings",
    ),
    path(
        "api/v1/tags/<int:tag_pk>/taggings/<int:pk>/",
        views.TaggingDetailApi.as_view(),
        name="tagging",
    ),
    path("api/v1/petitions/", views.PetitionListApi.as_view(), name="petitions"),
    path(
        "api/v1/petitions/<int:pk>/", views.PetitionDetailApi.as_view(), name="petition"
    ),
    path(
        "api/v1/petitions/<int:pk>/signatures/",
        views.SignatureListApi.as_view(),
        name="signatures",
    ),
    path(
        "api/v1/petitions/<int:petition_pk>/signatures/<int:pk>/",
        views.SignatureDetailApi.as_view(),
        name="signature",
    ),
    path(
        "api/v1/advocacy_campaigns/",
        views.AdvocacyCampaignListApi.as_view(),
        name="advocacy_campaigns",
    ),
    path(
        "api/v1/advocacy_campaigns/<int:pk>/",
        views.AdvocacyCampaignDetailApi.as_view(),
        name="advocacy_campaign",
    ),
    path(
        "api/v1/advocacy_campaigns/<int:pk>/outreaches/",
        views.OutreachListApi.as_view(),
        name="outreaches",
    ),
    path(
        "api/v1/advocacy_campaigns/<int:action_pk>/outreaches/<int:pk>/",
        views.OutreachDetailApi.as_view(),
        name="outreach",
    ),
    path("api/v1/messages/", views.MessageListApi.as_view(), name="messages"),
    path("api/v1/messages/<int:pk>/", views.MessageDetailApi.as_view(), name="message"),
    path("staff/api-tokens/", staff_views.TokenListView.as_view(), name="tokens"),
    path(
        "staff/api-tokens/<int:pk>/revoke/",
        staff_views.TokenRevokeView.as_view(),
        name="revoke",
    ),
]
