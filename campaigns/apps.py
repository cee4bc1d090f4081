from django.apps import AppConfig, apps


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from harbor.events import announce_saves

        from .models import Attribution

        # Every action (signature, outreach, any later one) is announced when created
        # (harbor.events): the alerts' credit and the outgoing webhooks listen there.
        for model in apps.get_models():
            if issubclass(model, Attribution):
                announce_saves(model)
