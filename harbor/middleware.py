"""Request guards that must run before Django's own middleware reads the body."""

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext as _

from .text import without_control_characters

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class RejectUndecodableFormMiddleware:
    """Answer 400 to a form body that cannot be decoded in the charset it declares.

    Django decodes ``request.POST`` lazily and raises BadRequest for a urlencoded body
    that is not UTF-8. Its 400 handler reads the body again (for the CSRF token) and
    raises a second time, which escapes as a 500. Reading it here, before
    CsrfViewMiddleware, answers such a request with a plain 400 instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                request.POST  # noqa: B018 - decode now, where failure can be answered
            except RequestDataTooBig:
                # Over DATA_UPLOAD_MAX_MEMORY_SIZE (a pasted 10 MB letter): say so,
                # rather than the generic "could not be read" page.
                return HttpResponseBadRequest(
                    _(
                        "What you sent is too large. Shorten it (a letter of a few "
                        "thousand words at most) and submit the form again."
                    ),
                    content_type="text/plain; charset=utf-8",
                )
            except (BadRequest, UnicodeDecodeError):
                return HttpResponseBadRequest(
                    _("The form data could not be read. Please submit the form again."),
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class StripControlCharactersFromQueryMiddleware:
    """Replace control characters (NUL, tab, escape...) in the query string's names and
    values with spaces, before any view, form or admin page reads ``request.GET``.

    PostgreSQL refuses NUL in text, so ``?q=a%00b`` in a search box was a 500, and the
    other control characters match nothing anyone typed. This is the one place every
    search box and GET filter is cleaned, the admin's included (Django builds those).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lists = request.GET.lists()
        if not all(t.isprintable() for key, values in lists for t in (key, *values)):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(
                    without_control_characters(key),
                    [without_control_characters(value) for value in values],
                )
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class StyledMethodNotAllowedMiddleware:
    """Give Django's empty 405 (a GET to a POST-only form view) the site's error page,
    keeping its Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            from django.template.loader import render_to_string

            response.content = render_to_string(
                "errors/405.html", {"status": 405}, request=request
            )
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class LanguageFromQueryMiddleware:
    """``?lang=es`` (one of LANGUAGES) switches the page, and is remembered in Django's
    language cookie, so the next page (a header link, the emailed confirm link's
    follow-up) stays in that language. Goes after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        wanted = request.GET.get("lang", "")
        if wanted not in dict(settings.LANGUAGES):
            return self.get_response(request)
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != wanted:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                wanted,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
