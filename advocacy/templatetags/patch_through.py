"""``{% patch_call_form campaign call_pass lang %}``: the "Harbor calls you" form on the
call page, or nothing while Twilio is not configured (click-to-call only)."""

from django import template
from django.urls import reverse

from advocacy import twilio_api
from advocacy.patch_forms import PatchCallForm

register = template.Library()


@register.inclusion_tag("advocacy/_patch_call_form.html")
def patch_call_form(campaign, call_pass: str, lang: str = "") -> dict:
    if not twilio_api.is_configured():
        return {"patch_form": None}
    action = reverse("advocacy:patch-request", args=[campaign.slug])
    return {
        "patch_form": PatchCallForm(initial={"call_pass": call_pass}),
        "patch_action": f"{action}?lang={lang}" if lang else action,
    }
