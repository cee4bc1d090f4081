from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"

    def ready(self):
        # A supporter's export, erasure and retention (supporters.privacy): petitions
        # registers its part, supporters imports nothing of petitions.
        from supporters import privacy as registry

        from . import privacy

        registry.register_exporter("signatures", privacy.export_signatures)
        registry.register_exporter("organisation_sign_ons", privacy.export_sign_ons)
        registry.register_exporter("signatures_not_written_yet", privacy.export_intake)
        registry.register_eraser("signature_intake", privacy.erase_intake)
        registry.register_retention("set_aside_intake", privacy.delete_old_set_aside)
        registry.register_eraser("signatures", privacy.erase_signatures)
        registry.register_eraser("organisation_sign_ons", privacy.erase_sign_ons)
        registry.register_activity("signatures", privacy.signed_since)
        registry.register_retention(
            "unconfirmed_signatures", privacy.delete_unconfirmed
        )
