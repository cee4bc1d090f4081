from django import template

from petitions.forms import NewsletterForm

register = template.Library()


@register.inclusion_tag("petitions/_newsletter_form.html", takes_context=True)
def newsletter_form(context):
    """The newsletter sign-up form; a bound form with errors when the view passed one."""
    return {
        "form": context.get("newsletter_form") or NewsletterForm(prefix="newsletter"),
        "csrf_token": context.get("csrf_token"),
    }
