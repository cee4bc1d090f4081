from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Chapter


class CreateTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, such as “Action Network sync”."),
    )
    chapter = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Chapter.objects.none(),
        required=False,
        empty_label=_("National: every chapter"),
    )

    def __init__(self, *args, chapters, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["chapter"]
        field.queryset = chapters
        if not national:
            # A chapter leader's token is always for one of their chapters.
            field.required = True
            field.empty_label = None
