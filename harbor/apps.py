from django.apps import AppConfig


class HarborConfig(AppConfig):
    name = "harbor"
    verbose_name = "Harbor"
