from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Chapter, Role, User


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label=_("Login email"))
    # No default: granting the most powerful role must never be one click away.
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Choose a role")), *Role.choices]
    )
    chapter = forms.ModelChoiceField(
        label=_("Chapter (chapter leaders only)"),
        queryset=Chapter.objects.all(),
        required=False,
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No login has that email. Create the login in the admin first.")
            )
        return user


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Any")), *AuditEvent.Action.choices],
        required=False,
    )
    actor = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = User.objects.filter(
            grants__isnull=False
        ).distinct()
