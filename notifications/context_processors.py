from django.utils.functional import SimpleLazyObject


def unread_count(request):
    """The header's unread badge; counted only when a template actually shows it."""
    user = getattr(request, "user", None)

    def count():
        if user is None or not user.is_authenticated:
            return 0
        from notifications.services import unread_count

        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
