from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkspaceVisit(models.Model):
    """When a staff member last opened /kerja/, so the page can say what is new since then.

    `since` stays fixed for a working session (visits less than SESSION_GAP apart), so news does not
    vanish the moment the official comes back to the page after an action.
    """

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="workspace_visit")
    seen_at = models.DateTimeField(_("terakhir dibuka"))
    since = models.DateTimeField(_("kabar baru sejak"), null=True, blank=True)

    class Meta:
        verbose_name = _("kunjungan ruang kerja")
        verbose_name_plural = _("kunjungan ruang kerja")

    def __str__(self):
        return f"{self.user_id} @ {self.seen_at:%Y-%m-%d %H:%M}"
