from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Calls and letters"

    def ready(self):
        # A supporter's export and erasure (supporters.privacy).
        from supporters import privacy as registry

        from . import privacy

        registry.register_exporter("outreaches", privacy.export_outreaches)
        registry.register_exporter("letter_senders", privacy.export_letter_senders)
        registry.register_exporter("patch_calls", privacy.export_patch_calls)
        # Patch calls are found through the outreaches' sessions: erased before them.
        registry.register_eraser("outreach_patch_calls", privacy.erase_patch_calls)
        registry.register_eraser("outreaches", privacy.erase_outreaches)
        registry.register_eraser("letter_senders", privacy.erase_letter_senders)
        registry.register_activity("outreaches", privacy.acted_since)
