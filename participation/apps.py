from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Partisipasi")

    def ready(self):
        from participation import rules  # noqa: F401
        from participation.uploads import delete_files_with_their_rows

        delete_files_with_their_rows()
