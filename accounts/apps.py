from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun dan hak akses")

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts import signals  # noqa: F401
        from accounts.roles import sync_role_permissions
        from accounts.scoped_admin import scope_every_model_admin

        # django.contrib.admin (first in INSTALLED_APPS) has registered every model admin by now.
        scope_every_model_admin()

        # Runs after every migrate, so roles also gain the permissions of models added later.
        post_migrate.connect(sync_role_permissions, dispatch_uid="sync_role_permissions")
