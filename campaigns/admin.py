from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "state", "chapter", "created_at"]
    list_filter = ["status", "state"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
