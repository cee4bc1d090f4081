from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from harbor.states import STATE_CHOICES

from .models import Chapter


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
