from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Partisipasi")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import WorkUnit
        from config import fragments
        from participation import rules  # noqa: F401
        from participation.models import Category, Region

        # Filter forms are cached fragments built from these (config/fragments.py).
        for model in (Category, Region, WorkUnit):
            post_save.connect(fragments.reference_data_changed, sender=model, dispatch_uid=f"fragments-{model.__name__}-save")
            post_delete.connect(fragments.reference_data_changed, sender=model, dispatch_uid=f"fragments-{model.__name__}-delete")
