from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Chapter
from harbor.forms import HoneypotMixin
from harbor.states import STATE_CHOICES

from .services import clean_name, clean_public_zip, normalize_email


class SupporterImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row. Columns: email (required), first_name, last_name, "
            "street_address, city, state, zip, phone, tags (separated by ;), opt_in (yes/no)."
        ),
    )
    chapter = forms.ModelChoiceField(
        queryset=Chapter.objects.none(),
        required=False,
        label=_("Add everyone to chapter"),
    )
    tag = forms.CharField(max_length=100, required=False, label=_("Tag everyone with"))

    def __init__(self, *args, chapters, chapter_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters
        if chapter_required:
            # A chapter leader's import joins their chapter, or they could not see it.
            self.fields["chapter"].required = True
            self.fields["chapter"].empty_label = None
            self.fields["chapter"].label = _("Add everyone to chapter (required)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.HARBOR_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."),
                params={"limit": settings.HARBOR_MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class SupporterSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    chapter = forms.ModelChoiceField(queryset=Chapter.objects.none(), required=False)
    state = forms.ChoiceField(
        choices=[("", _("Any state")), *STATE_CHOICES], required=False
    )
    tag = forms.CharField(required=False, max_length=100)

    def __init__(self, *args, chapters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters


class NewsletterForm(HoneypotMixin):
    """The newsletter sign-up (home page, its own page). Prefix "newsletter" so it can sit
    beside another form."""

    prefix = "newsletter"

    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name (optional)"), max_length=100, required=False
    )
    zip_code = forms.CharField(
        label=_("ZIP code (optional)"), max_length=10, required=False
    )
    consent = forms.BooleanField(
        label=_("Yes, email me action alerts and news. I can unsubscribe at any time.")
    )

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"])

    def clean_zip_code(self):
        return clean_public_zip(self.cleaned_data["zip_code"])


class EraseSupporterForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: this person's name, address, phone, email and typed words "
            "are removed everywhere, and this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
