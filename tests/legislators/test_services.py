"""Staff edit services called directly, as views, commands and the API do."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent as EditRecord
from legislators import services
from legislators.models import Bill

pytestmark = pytest.mark.django_db
HB_105 = {"jurisdiction": "OH", "session": "136", "identifier": "HB 105"}


def test_entering_a_bill_that_exists_is_a_validation_error_from_the_unique_key(
    staff_user,
):
    # The form checks for a duplicate first; this is the loser of two simultaneous
    # posts, which only the database key catches.
    Bill.objects.create(**HB_105, title="Entered first")
    with pytest.raises(
        ValidationError, match="A bill with this identifier already exists"
    ) as caught:
        services.save_bill(user=staff_user, **HB_105, title="Entered second")
    assert set(caught.value.message_dict) == {"identifier"}
    assert list(Bill.objects.values_list("title", flat=True)) == ["Entered first"]
    assert not EditRecord.objects.exists()


def test_renaming_a_bill_onto_another_is_a_validation_error(staff_user):
    Bill.objects.create(**HB_105, title="Safe Harbor")
    other = Bill.objects.create(**{**HB_105, "identifier": "HB 106"}, title="Other")
    with pytest.raises(
        ValidationError, match="A bill with this identifier already exists"
    ):
        services.save_bill(user=staff_user, bill_id=other.pk, **HB_105, title="Other")
    other.refresh_from_db()
    assert other.identifier == "HB 106"
    assert not EditRecord.objects.exists()
