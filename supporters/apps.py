from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "supporters"
    verbose_name = "Supporters"

    def ready(self):
        # The one send path (harbor.mail) re-checks suppression through this, so that
        # harbor, below supporters, imports nothing of it.
        from anymail.signals import inbound, tracking

        from harbor.events import announce_saves
        from harbor.mail import register_suppression_check

        from .models import Supporter
        from .selectors import suppressed_emails
        from .tracking import on_inbound, on_tracking_event

        register_suppression_check(
            lambda emails, bulk: suppressed_emails(emails, include_unsubscribed=bulk)
        )
        # A new supporter is announced (harbor.events); the import announces its own.
        announce_saves(Supporter)
        # ESP webhooks: hard bounces and complaints onto the suppression list.
        tracking.connect(on_tracking_event, dispatch_uid="supporters.tracking")
        # List-Unsubscribe's mailto, when a mailbox is configured.
        inbound.connect(on_inbound, dispatch_uid="supporters.inbound")
