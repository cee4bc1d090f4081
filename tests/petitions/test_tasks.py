import pytest

from petitions import services, tasks
from petitions.models import Signature, SignatureEmail

from .factories import PetitionFactory


def test_task_names_and_queues_are_pinned():
    assert tasks.send_signature_email_task.name == "petitions.send_signature_email"
    assert tasks.send_signature_email_task.queue == "transactional"
    assert tasks.send_signature_email_task.acks_late is True


@pytest.mark.django_db
@pytest.mark.usefixtures("drain_on_sign")
def test_send_task_called_as_a_function_sends_once(petition):
    services.sign_petition(
        petition=petition, email="a@example.org", first_name="A", last_name="B",
        zip_code="78701",
    )  # fmt: skip
    row = SignatureEmail.objects.get()
    tasks.send_signature_email_task(row.pk)
    tasks.send_signature_email_task(row.pk)  # a redelivery
    row.refresh_from_db()
    assert row.status == "done"
    assert row.attempts == 1


@pytest.mark.django_db
def test_send_task_for_a_deleted_row_does_nothing():
    tasks.send_signature_email_task(987654)


@pytest.mark.worker
def test_a_real_worker_sends_the_thank_you_email(celery_worker_process, client):
    petition = PetitionFactory()
    response = client.post(
        petition.get_absolute_url(),
        {
            "first_name": "Ana",
            "last_name": "Garcia",
            "email": "worker@example.org",
            "zip_code": "78701",
        },
    )
    assert response.status_code == 302
    # The request wrote an intake row and asked for a drain: the worker drains it.
    signature = celery_worker_process(lambda: Signature.objects.first())

    def sent():
        row = SignatureEmail.objects.filter(signature=signature).first()
        return row is not None and row.status == "done" and row

    row = celery_worker_process(sent)
    assert row.kind == "thank_you"
    assert row.message_id
