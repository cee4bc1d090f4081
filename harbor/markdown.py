"""Markdown written by staff, rendered and then sanitized: script never reaches a page."""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "ul", "ol", "li",
    "blockquote", "a", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str) -> SafeString:
    """Render Markdown to HTML with only ALLOWED_TAGS; links get rel="noopener nofollow"."""
    html = md.markdown(
        text or "", extensions=["tables", "sane_lists"], output_format="html"
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above
