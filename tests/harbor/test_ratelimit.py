import threading
import uuid

import pytest
from django.db import connection

from harbor import ratelimit
from harbor.models import RateLimitCounter
from tests.conftest import require


def _hammer(n, key, limit):
    results = []
    errors = []
    barrier = threading.Barrier(n)

    def run():
        try:
            barrier.wait()
            results.append(ratelimit.hit(key=key, limit=limit, window=600))
        except Exception as exc:  # noqa: BLE001 (a thread's error fails the test, not vanishes)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db
def test_database_limit_allows_up_to_the_limit(settings):
    settings.REDIS_URL = ""
    assert [ratelimit.hit(key="k", limit=3, window=600) for _ in range(5)] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert RateLimitCounter.objects.get().count == 5


@pytest.mark.django_db
def test_zero_limit_means_no_limit_and_no_write(settings):
    settings.REDIS_URL = ""
    assert all(ratelimit.hit(key="k", limit=0, window=600) for _ in range(3))
    assert not RateLimitCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_database_limit_is_atomic_across_connections(settings):
    settings.REDIS_URL = ""
    results = _hammer(12, "race", 5)
    assert results.count(True) == 5
    assert RateLimitCounter.objects.get(key="race").count == 12


def _redis_url():
    import redis

    url = "redis://127.0.0.1:6379/10"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


@pytest.mark.django_db(transaction=True)
def test_redis_limit_is_atomic(settings):
    url = _redis_url()
    require(url is not None, "no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = url
    # A key of its own: database 10 is shared by every run on this machine.
    key = f"test-{uuid.uuid4().hex}"
    results = _hammer(12, key, 5)
    assert results.count(True) == 5
    assert not RateLimitCounter.objects.exists()


@pytest.mark.django_db
def test_sign_limits_count_per_email_from_one_ip_and_per_ip(settings):
    settings.REDIS_URL = ""
    settings.PUBLIC_FORM_RATE_LIMIT_PER_EMAIL = 2
    settings.PUBLIC_FORM_RATE_LIMIT_PER_IP = 4
    ratelimit.check_public_form_limits(ip_address="198.51.100.1", email="a@example.org")
    ratelimit.check_public_form_limits(
        ip_address="198.51.100.1", email="A@example.org "
    )
    with pytest.raises(ratelimit.RateLimitedError, match="email"):
        ratelimit.check_public_form_limits(
            ip_address="198.51.100.1", email="a@example.org"
        )
    # The same email from another connection is not this connection's flood.
    ratelimit.check_public_form_limits(ip_address="198.51.100.2", email="a@example.org")
    ratelimit.check_public_form_limits(ip_address="198.51.100.1", email="b@example.org")
    with pytest.raises(ratelimit.RateLimitedError, match="ip"):
        ratelimit.check_public_form_limits(
            ip_address="198.51.100.1", email="c@example.org"
        )
    # Keys are hashed: no address or email is stored.
    keys = " ".join(RateLimitCounter.objects.values_list("key", flat=True))
    assert "example.org" not in keys
    assert "198.51" not in keys
