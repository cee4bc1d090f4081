from django.apps import AppConfig


class HarborConfig(AppConfig):
    name = "harbor"
    verbose_name = "Harbor"

    def ready(self):
        from . import checks  # noqa: F401 - registers the start-up checks
