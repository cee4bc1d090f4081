from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: Harbor POSTs new supporters, signatures and outreaches to
    URLs staff configure. (The ESPs' incoming webhooks are ``harbor/webhooks.py``.)"""

    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self):
        # A hook only: the apps that create records never import webhooks.
        from harbor.events import records_created
        from supporters import privacy as registry

        from . import privacy, services

        records_created.connect(
            services.on_records_created, dispatch_uid="webhooks.records_created"
        )
        # An erased supporter's records are not sent, and no copy of them is kept.
        registry.register_eraser("webhook_deliveries", privacy.erase_deliveries)
