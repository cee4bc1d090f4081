import pytest

from bench.loadgen import NotLocalError, check_local, run
from petitions.models import Signature
from tests.conftest import drain_signatures

from .factories import PetitionFactory


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://example.org/",
        "https://127.0.0.1/",
        "http://192.168.1.2/",
    ],
)
def test_loadgen_refuses_anything_but_this_machine(url):
    with pytest.raises(NotLocalError):
        check_local(url)


def test_loadgen_accepts_loopback():
    assert check_local("http://127.0.0.2:8000/livez?x=1") == (
        "127.0.0.2",
        8000,
        "/livez?x=1",
    )
    assert check_local("http://localhost/")[0] == "localhost"


@pytest.mark.django_db(transaction=True)
def test_loadgen_signs_with_csrf_and_distinct_bodies(live_server, settings):
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 0
    petition = PetitionFactory()
    result = run(
        f"{live_server.url}{petition.get_absolute_url()}",
        method="POST",
        concurrency=3,
        requests=9,
        seconds=60,
        csrf=True,
        form=lambda i: {
            "first_name": "Load",
            "last_name": "Gen",
            "email": f"load{i}@example.org",
            "zip_code": "78701",
        },
        ok_statuses=(302,),
    )
    assert result.statuses == {302: 9}
    drain_signatures()
    assert Signature.objects.count() == result.ok == 9
    assert result.percentile(50) <= result.percentile(99)
    livez = run(f"{live_server.url}/livez", concurrency=2, requests=6, seconds=30)
    assert livez.ok == 6
