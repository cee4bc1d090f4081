"""What every Harbor admin page shares: query-string lookups limited to the admin's own
filters, and primary keys checked before they reach the database."""

from django import forms
from django.contrib import admin

# The lookups the admin's own list filters put in the URL.
FILTER_SUFFIXES = frozenset({"exact", "isnull", "gte", "lt", "lte", "gt"})
MAX_PK = 2**63 - 1


def _filter_fields(list_filter) -> set[str]:
    names = set()
    for item in list_filter:
        name = item[0] if isinstance(item, tuple | list) else item
        if isinstance(name, str):
            names.add(name.split("__")[0])
    return names


class StrictLookupsMixin:
    """Only the lookups this admin's list filters and date hierarchy generate are
    accepted in the changelist's query string; anything else (``__regex``, ``__range``,
    ``__in``, a filter through another relation) is refused as Django refuses an unknown
    lookup, with a 400-style "incorrect parameters" page, never a 500."""

    def lookup_allowed(self, lookup, value, request=None):
        own = {
            item.parameter_name
            for item in self.list_filter
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter)
        }
        if lookup in own:  # a filter of this admin's own, which reads its value itself
            return True
        parts = lookup.split("__")
        allowed = _filter_fields(self.list_filter)
        if self.date_hierarchy:
            allowed.add(self.date_hierarchy.split("__")[0])
        if parts[0] not in allowed or parts[-1] not in FILTER_SUFFIXES:
            return False
        if parts[-1] == "exact" and len(parts) > 1 and parts[-2] in ("id", "pk"):
            if not (str(value).isascii() and str(value).isdigit()):
                return False
            if int(value) > MAX_PK:
                return False
        return super().lookup_allowed(lookup, value, request)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice whose ids are checked as integers in range first: a huge
    id would overflow the database's integer (a 500) instead of being a choice error."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit()) or int(text) > MAX_PK:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:30]},
                )
        return super()._check_values(value)
