from django.utils.functional import SimpleLazyObject


def unread_count(request):
    """The header's unread badge; read (from the person's cached summary) only when a template shows it."""
    user = getattr(request, "user", None)

    def count():
        if user is None or not user.is_authenticated:
            return 0
        from accounts import summary

        return summary.unread_notifications(user)

    return {"unread_notifications": SimpleLazyObject(count)}
