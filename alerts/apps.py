from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Action alerts"

    def ready(self):
        # Hooks only: the apps below never import alerts (decision 0005).
        from anymail.signals import tracking
        from django.core import checks

        from harbor.events import records_created
        from supporters import privacy as registry
        from supporters.unsubscribe import register_topic

        from . import privacy
        from . import tracking as alert_tracking
        from .compliance import check_postal_address

        checks.register(check_postal_address, "harbor")

        # The ESP's webhooks mark the recipient rows.
        tracking.connect(
            alert_tracking.on_tracking_event, dispatch_uid="alerts.tracking"
        )
        # An alert's unsubscribe link marks its recipient row.
        register_topic("alert", alert_tracking.record_unsubscribe)
        # An action that came through an alert's link (its source code in
        # referred_by_code) credits the alert, whatever the action's app and however
        # it was written (harbor.events announces them all).
        records_created.connect(
            alert_tracking.on_actions_created, dispatch_uid="alerts.acted"
        )
        # A supporter's export and erasure (supporters.privacy).
        registry.register_exporter("alert_recipients", privacy.export_recipients)
        registry.register_eraser("alert_recipients", privacy.erase_recipients)
        registry.register_activity("alert_recipients", privacy.engaged_since)
