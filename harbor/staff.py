"""Glue every app's staff pages share: the staff check and a streaming CSV download."""

import csv
from collections.abc import Iterable
from itertools import chain

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import StreamingHttpResponse
from django.utils import timezone

UTF8_BOM = "\ufeff"


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Active staff only. Anonymous visitors go to the login page; a logged-in user who
    fails the check gets a 403 (AccessMixin raises for authenticated users). Views that
    need more (a permission) extend test_func."""

    def test_func(self):
        return self.request.user.is_active and self.request.user.is_staff


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream."""

    def write(self, value):
        return value


def streaming_csv_response(
    rows: Iterable[list[str]], *, filename_stem: str
) -> StreamingHttpResponse:
    """Stream ``rows`` (already formula-safe) as a CSV attachment named
    ``<filename_stem>-<YYYYmmdd-HHMM>.csv``, without holding the file in memory. It
    begins with a byte order mark: without one, Excel reads UTF-8 as a legacy code page
    and mangles every accented or non-Latin name."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        chain([UTF8_BOM], (writer.writerow(row) for row in rows)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="{filename_stem}-{stamp}.csv"'
    )
    return response
