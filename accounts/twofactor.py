"""Two-factor login for staff (TOTP through django-otp, static backup codes for recovery).

After the password (the login page, or the admin's), a user with a confirmed device must
enter a code from it before any other page opens; a staff admin without one must enrol
first while ``HARBOR_REQUIRE_2FA`` is on (default: on unless DEBUG). Others may enrol.
The session remembers the verified device (``django_otp.login``); ``OTPMiddleware`` reads
it back as ``request.user.is_verified()``. Wrong codes are throttled per device by
django-otp (growing delays), and a code is never accepted twice.
"""

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"


def must_enrol(user) -> bool:
    """A staff admin with no confirmed device, while the setting requires one."""
    return (
        settings.HARBOR_REQUIRE_2FA
        and user.is_authenticated
        and user.is_staff_admin
        and not user_has_device(user, confirmed=True)
    )


def must_verify(user) -> bool:
    """The session has not passed the second step yet, and this user needs one."""
    if not user.is_authenticated or user.is_verified():
        return False
    return must_enrol(user) or user_has_device(user, confirmed=True)


def pending_totp_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made on first call with a fresh key.
    Safe to repeat: the same device (and QR code) until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI of the device as an SVG QR code (no script, no style)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#111", light="#fff", omitsize=False
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32 groups of four, for apps that cannot scan."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def confirm_totp_device(*, request, token: str) -> list[str] | None:
    """Confirm the pending device with a code from it: the device is kept, any older
    authenticator removed, fresh backup codes made (returned, shown once) and the
    session verified. None for a wrong code (nothing changed but the throttle)."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = replace_backup_codes(user=user)
    otp_login(request, device)
    return codes


@transaction.atomic
def replace_backup_codes(*, user) -> list[str]:
    """Delete the user's backup codes and make BACKUP_CODE_COUNT new ones (each good
    once). Returns them: they are shown once and stored only as django-otp keeps them."""
    backup, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
    return codes


def verify_second_factor(*, request, token: str) -> bool:
    """Check a code from any of the user's confirmed devices (an authenticator code or a
    backup code, which is then used up) and mark the session verified."""
    device = match_token(request.user, token.replace(" ", "").strip())
    if device is None:
        return False
    otp_login(request, device)
    return True


def has_authenticator(user) -> bool:
    return any(isinstance(device, TOTPDevice) for device in devices_for_user(user))


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("two-factor:verify"),
        reverse("two-factor:setup"),
        reverse("logout"),
        reverse("admin:logout"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorRequiredMiddleware:
    """Sends a logged-in user who still owes the second step to it (or, for a staff admin
    without a device, to enrolment) from every page but those steps and logout. After
    django_otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and must_verify(user)
            and not request.path.startswith(_exempt_paths())
        ):
            target = "two-factor:setup" if must_enrol(user) else "two-factor:verify"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)


def safe_next(request, default: str) -> str:
    """The ``next`` parameter when it points at this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
