from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: Harbor POSTs new supporters, signatures and outreaches to
    URLs staff configure. (The ESPs' incoming webhooks are ``harbor/webhooks.py``.)"""

    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self):
        # A hook only: the apps that create records never import webhooks.
        from harbor.events import records_created

        from . import services

        records_created.connect(
            services.on_records_created, dispatch_uid="webhooks.records_created"
        )
