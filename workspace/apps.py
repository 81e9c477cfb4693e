from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"
    verbose_name = "Ruang kerja"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import WorkUnit
        from consultations.models import Consultation, Response, ResponseReply
        from participation.models import Flag, Proposal
        from programs.models import Phase, Program, ProgressUpdate, Rating
        from workspace import menu

        # Every model the menu count reads (workspace.queries), so a stored count is never used
        # after one of them changed (workspace/menu.py). Active work units are what administrators
        # count over. Flag feeds the moderators' summary on /kerja/: watched too, so counting
        # reports in the menu later cannot leave a stale number behind.
        watched = (Proposal, Program, Phase, ProgressUpdate, Rating, Consultation, Response, ResponseReply, Flag, WorkUnit)
        for model in watched:
            post_save.connect(menu.data_changed, sender=model, dispatch_uid=f"workspace-count-{model.__name__}-save")
            post_delete.connect(menu.data_changed, sender=model, dispatch_uid=f"workspace-count-{model.__name__}-delete")
