from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "config"
    label = "portal"
    verbose_name = "Portal"
