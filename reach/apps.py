from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "reach"
    verbose_name = "Reach"

    def ready(self):
        # Stored packets listing an erased supporter are rendered again.
        from supporters import privacy as registry

        from . import privacy

        registry.register_eraser("delivery_packets", privacy.erase_from_packets)
