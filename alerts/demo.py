"""The demo alert: the Texas chapter's leader asks Texas supporters to call for a Safe
Harbor law. Run by ``seed_demo`` after the demo logins exist; confirmed through the same
guardrails as a leader's click, so ``./dev run``'s worker sends it (files in
``var/mail/``). Safe to run again: the alert is made and confirmed once."""

from django.core.exceptions import ValidationError

from accounts.models import Chapter, User
from campaigns.models import Campaign

from . import services
from .audience import Filters, audience_for_alert
from .models import Alert

SOURCE_CODE = "al-demo-texas"
LEADER_EMAIL = "leader.tx@example.org"

BODY = """Dear {{ first_name }},

Texas still arrests some children who were sold for sex, instead of helping them. A full
**Safe Harbor** law would treat every one of them as a victim, not an offender.

Please call your legislators today and ask them to support it:

{{ legislators }}

[Add your name and call now]({{ action_link }})

Thank you for standing with them,
{{ chapter_name }}
"""


def seed(log) -> None:
    texas = Chapter.objects.filter(slug="texas").first()
    leader = User.objects.filter(email=LEADER_EMAIL).first()
    if texas is None or leader is None:
        log("alerts: no Texas chapter or leader, no demo alert")
        return
    campaign, _created = Campaign.objects.get_or_create(
        slug="safe-harbor",
        defaults={
            "title": "Safe Harbor for every child",
            "summary": "Ask your state to treat exploited children as victims, not offenders.",
            "story": "Every state should pass and fund a full *Safe Harbor* law.",
            "status": Campaign.Status.LIVE,
            "chapter": texas,
            "state": "TX",
        },
    )
    alert = Alert.objects.filter(source_code=SOURCE_CODE).first()
    if alert is None:
        sender = services.default_sender(texas)
        alert = services.save_alert(
            user=leader,
            chapter=texas,
            campaign=campaign,
            subject="{{ first_name }}, call for Safe Harbor in Texas today",
            preheader="Two minutes on the phone can change a child's life.",
            body=BODY,
            filters=Filters(states=["TX"]),
            **sender,
        )
        Alert.objects.filter(pk=alert.pk).update(source_code=SOURCE_CODE)
        alert.refresh_from_db()
    if alert.status != Alert.Status.DRAFT or alert.confirmed_at is not None:
        log(f"alerts: the demo alert is {alert.get_status_display().lower()}")
        return
    count = audience_for_alert(alert, sender=leader).count()
    try:
        services.confirm_send(alert=alert, user=leader, typed_count=str(count))
    except ValidationError as exc:
        log(f"alerts: the demo alert was not sent: {' '.join(exc.messages)}")
        return
    log(f"alerts: the demo alert goes to {count} Texas supporters")
