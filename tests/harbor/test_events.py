"""harbor.events: new records are announced once, after commit, however they were written."""

import pytest
from django.db import transaction

from harbor.events import announce_created, records_created
from petitions.models import Signature
from supporters.models import Supporter
from tests.petitions.factories import PetitionFactory, SupporterFactory


@pytest.fixture
def heard():
    got: list[tuple[type, list[int]]] = []

    def listen(sender, pks, **kwargs):
        got.append((sender, list(pks)))

    records_created.connect(listen, dispatch_uid="tests.events")
    yield got
    records_created.disconnect(dispatch_uid="tests.events")


@pytest.mark.django_db(transaction=True)
def test_orm_creations_are_announced_after_commit_and_updates_are_not(heard):
    with transaction.atomic():
        supporter = SupporterFactory()
        assert heard == []  # not before the commit
    assert (Supporter, [supporter.pk]) in heard
    heard.clear()
    supporter.first_name = "Ana"
    supporter.save()
    assert heard == []
    signature = Signature.objects.create(
        petition=PetitionFactory(), supporter=supporter, referral_code="zz1"
    )
    assert (Signature, [signature.pk]) in heard


@pytest.mark.django_db(transaction=True)
def test_a_rollback_announces_nothing(heard):
    def write_then_fail():
        with transaction.atomic():
            SupporterFactory()
            announce_created(Supporter, [1, 2, 3])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_logged_and_the_others_still_hear(heard, caplog):
    def broken(sender, pks, **kwargs):
        raise ValueError("boom")

    records_created.connect(broken, dispatch_uid="tests.events.broken")
    try:
        announce_created(Supporter, [7])
    finally:
        records_created.disconnect(dispatch_uid="tests.events.broken")
    assert (Supporter, [7]) in heard
    assert "records_created receiver" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_announces_its_new_supporters(heard):
    from supporters.importing import create_import, run_import

    job = create_import(
        file_name="a.csv",
        content=b"email,first_name\nnew1@example.org,A\nnew2@example.org,B\n",
        chapter=None,
        enqueue=False,
    )
    run_import(import_id=job.pk)
    announced = [p for sender, pks in heard if sender is Supporter for p in pks]
    assert sorted(announced) == sorted(
        Supporter.objects.filter(email__startswith="new").values_list("pk", flat=True)
    )
    assert len(announced) == 2
