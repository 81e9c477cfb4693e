from django.utils.functional import SimpleLazyObject


def workspace_count(request):
    """The "Kerja (7)" count in the main menu; computed only when a template shows it, kept in the cache between pages."""
    user = getattr(request, "user", None)

    def count():
        from accounts import rights
        from workspace import menu

        if user is None or not rights.can_use_workspace(user):
            return 0
        return menu.count(user)

    return {"workspace_count": SimpleLazyObject(count)}
