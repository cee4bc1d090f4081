from django.contrib import admin

from harbor.admin import StrictLookupsMixin

from .models import Campaign, CampaignBill


class CampaignBillInline(admin.TabularInline):
    model = CampaignBill
    extra = 0
    autocomplete_fields = ["bill"]


@admin.register(Campaign)
class CampaignAdmin(StrictLookupsMixin, admin.ModelAdmin):
    list_display = ["title", "status", "state", "chapter", "created_at"]
    list_filter = ["status", "state"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CampaignBillInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "story", "status"]}),
        ("Where", {"fields": ["state", "chapter", "starts_at", "ends_at"]}),
        ("Video", {"fields": ["video_youtube_id", "video_file_url", "video_caption"]}),
    ]
