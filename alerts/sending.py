"""The send engine's interface: ``start_sending``, ``pause``, ``resume``, ``cancel``.

PLACEHOLDER until the ``sending`` part of issue #10 lands: these only move the alert's
status (with conditional updates, so a double click changes nothing twice); they freeze
no audience and send nothing. The engine replaces this module's internals and keeps the
four signatures, which the staff pages and the demo call.
"""

from django.utils import timezone

from .models import Alert

_PAUSABLE = (Alert.Status.SENDING,)
_CANCELLABLE = (
    Alert.Status.DRAFT,
    Alert.Status.AWAITING_APPROVAL,
    Alert.Status.SCHEDULED,
    Alert.Status.SENDING,
    Alert.Status.PAUSED,
)


def _move(alert: Alert, from_: tuple, to: str, **fields) -> bool:
    moved = Alert.objects.filter(pk=alert.pk, status__in=from_).update(
        status=to, updated_at=timezone.now(), **fields
    )
    alert.refresh_from_db()
    return bool(moved)


def start_sending(alert: Alert) -> bool:
    """Start sending a confirmed (and, if needed, approved) alert now. Returns whether
    it started. Safe to repeat: a second call finds it sending and does nothing."""
    return _move(
        alert,
        (Alert.Status.DRAFT, Alert.Status.SCHEDULED, Alert.Status.AWAITING_APPROVAL),
        Alert.Status.SENDING,
    )


def pause(alert: Alert) -> bool:
    """Stop handing chunks to the ESP until resumed. Safe to repeat."""
    return _move(alert, _PAUSABLE, Alert.Status.PAUSED)


def resume(alert: Alert) -> bool:
    """Go on sending a paused alert. Safe to repeat."""
    return _move(alert, (Alert.Status.PAUSED,), Alert.Status.SENDING)


def cancel(alert: Alert) -> bool:
    """Send nothing more of the alert. Safe to repeat."""
    return _move(
        alert, _CANCELLABLE, Alert.Status.CANCELLED, finished_at=timezone.now()
    )
