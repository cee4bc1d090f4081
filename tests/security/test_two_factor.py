"""Two-factor login for staff (issue #11): TOTP through django-otp, required for staff
admins while HARBOR_REQUIRE_2FA is on, with backup codes. Driven through the HTTP client
with codes computed here from the device's key (RFC 6238), as an authenticator app does."""

import hashlib
import hmac
import struct
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

EMAIL = "admin@example.org"


def totp(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    counter = struct.pack(">Q", int(at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.HARBOR_REQUIRE_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db):
    return make_user(EMAIL, role=Role.STAFF_ADMIN)


def _password_login(client, url_name="login"):
    response = client.post(reverse(url_name), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrol(client):
    """Log in with the password, follow to enrolment, confirm with a real code."""
    _password_login(client)
    page = client.get(reverse("pages:staff-dashboard"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("two-factor:setup"))
    setup = client.get(page.url)
    assert setup.status_code == 200
    html = setup.content.decode()
    assert "<svg" in html
    assert "<script" not in html
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(
        reverse("two-factor:setup"), {"code": totp(device.key, time.time())}
    )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    return TOTPDevice.objects.get(confirmed=True), codes


def test_a_staff_admin_must_enrol_before_any_staff_page(admin_user):
    client = Client()
    _password_login(client)
    for url in (reverse("pages:staff-dashboard"), "/admin/", reverse("accounts:roles")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("two-factor:setup"))
    device, _ = _enrol(client)
    assert device.user == admin_user
    assert client.get(reverse("pages:staff-dashboard")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_after_enrolment_the_password_alone_opens_nothing(admin_user):
    device, _ = _enrol(Client())
    client = Client()
    _password_login(client)
    assert client.get(reverse("pages:staff-dashboard")).url.startswith(
        reverse("two-factor:verify")
    )
    # The code of the next time step (the enrolment used this one; no code counts twice).
    code = totp(device.key, time.time() + 30)
    ok = client.post(
        reverse("two-factor:verify"),
        {"code": code, "next": reverse("accounts:roles")},
    )
    assert ok.status_code == 302
    assert ok.url == reverse("accounts:roles")
    assert client.get(reverse("pages:staff-dashboard")).status_code == 200


def test_a_wrong_code_opens_nothing_and_slows_the_next_try(admin_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # the wait, long enough for a slow machine
    device, _ = _enrol(Client())
    client = Client()
    _password_login(client)
    wrong = client.post(reverse("two-factor:verify"), {"code": "000000"})
    assert wrong.status_code == 400
    assert client.get(reverse("pages:staff-dashboard")).status_code == 302
    # django-otp's throttle: right after a failure even the right code waits.
    code = totp(device.key, time.time() + 30)
    assert client.post(reverse("two-factor:verify"), {"code": code}).status_code == 400


def test_the_admin_login_needs_the_second_step_too(admin_user):
    _enrol(Client())
    client = Client()
    _password_login(client, "admin:login")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two-factor:verify"))


def test_a_backup_code_logs_in_once(admin_user):
    _, codes = _enrol(Client())
    first = Client()
    _password_login(first)
    assert (
        first.post(reverse("two-factor:verify"), {"code": codes[0]}).status_code == 302
    )
    assert first.get(reverse("pages:staff-dashboard")).status_code == 200
    again = Client()
    _password_login(again)
    assert (
        again.post(reverse("two-factor:verify"), {"code": codes[0]}).status_code == 400
    )


def test_a_wrong_enrolment_code_confirms_nothing(admin_user):
    client = Client()
    _password_login(client)
    client.get(reverse("two-factor:setup"))
    response = client.post(reverse("two-factor:setup"), {"code": "123456"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_other_staff_may_log_in_without_a_second_factor(db):
    make_user("staff@example.org", role=Role.STAFF)
    client = Client()
    client.post(
        reverse("login"), {"username": "staff@example.org", "password": PASSWORD}
    )
    assert client.get(reverse("pages:staff-dashboard")).status_code == 200
    # ...and may enrol, which then makes the code required for them too.
    assert client.get(reverse("two-factor:setup")).status_code == 200


def test_off_when_the_setting_is_off(admin_user, settings):
    settings.HARBOR_REQUIRE_2FA = False
    client = Client()
    _password_login(client)
    assert client.get(reverse("pages:staff-dashboard")).status_code == 200


def test_required_by_default_unless_debug():
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "from django.conf import settings; print(settings.HARBOR_REQUIRE_2FA)"
    out = {}
    for debug in ("false", "true"):
        env = {
            "PATH": os.environ["PATH"],
            "HARBOR_ENV_FILE": os.devnull,
            "SECRET_KEY": "x",
            "DEBUG": debug,
            "DJANGO_SETTINGS_MODULE": "harbor.settings",
        }
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        out[debug] = result.stdout.strip()
    assert out == {"false": "True", "true": "False"}
