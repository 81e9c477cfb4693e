from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "config"
    label = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from config import shared_pages

        # Any change to public data renews the version the shared pages are stored under.
        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(shared_pages.public_data_changed, dispatch_uid=f"shared-pages-{name}")
