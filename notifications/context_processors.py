from django.utils.functional import SimpleLazyObject


def unread_count(request):
    """The header's unread badge; counted only when a template actually shows it."""
    user = getattr(request, "user", None)

    def count():
        if user is None or not user.is_authenticated:
            return 0
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
