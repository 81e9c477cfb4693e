from django import template
from django.contrib.contenttypes.models import ContentType

from notifications import services

register = template.Library()


@register.inclusion_tag("includes/follow_button.html", takes_context=True)
def follow_button(context, target):
    """A follow/unfollow button for any followable item (one query for a logged-in user)."""
    user = context.get("user")
    return {
        "user": user,
        "target": target,
        "target_ct": ContentType.objects.get_for_model(target).pk,
        "following": services.is_following(user, target),
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
    }
