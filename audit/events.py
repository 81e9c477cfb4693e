"""Writing audit events: the only way rows get into `AuditEvent`."""

import logging

from audit.models import AuditEvent
from audit.request_info import client_ip, user_agent

security_log = logging.getLogger("portal.security")

_WARNING_ACTIONS = {
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.RIGHT_GRANTED,
    AuditEvent.Action.ROLE_GRANTED,
    AuditEvent.Action.SECOND_FACTOR_FAILED,
    AuditEvent.Action.SECOND_FACTOR_REMOVED,
    AuditEvent.Action.ACCESS_DENIED,
}


def record(action: str, *, actor=None, target=None, request=None, data: dict | None = None) -> AuditEvent:
    """Append one audit event and log it; `data` must hold no secrets."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ip = client_ip(request) or None
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        ip_address=ip,
        user_agent=user_agent(request),
        data=data or {},
    )
    level = logging.WARNING if action in _WARNING_ACTIONS else logging.INFO
    security_log.log(
        level,
        "audit %s",
        action,
        extra={"audit_action": action, "object_type": event.object_type, "object_id": event.object_id},
    )
    return event


def log_refusal(request, *, action: str = "", target=None, model=None, object_id=None) -> None:
    """A refused request is a WARNING security event naming the actor, the object and the action.

    The site's 403 page (config.views.permission_denied) and the scoped admin both call this, so a
    refusal reads the same wherever it happened. It writes no audit row: a refusal changes nothing,
    and an attacker must not be able to fill the audit table by asking for forbidden pages.
    """
    from audit.logging import loggable_path

    user = getattr(request, "user", None)
    actor_id = user.pk if getattr(user, "is_authenticated", False) else None
    if target is not None:
        model, object_id = type(target), target.pk
    security_log.warning(
        "permission denied",
        extra={
            "actor_id": actor_id,
            "refused_action": action or "",
            "object_type": model._meta.label if model is not None else "",
            "object_id": "" if object_id is None else str(object_id),
            "path": loggable_path(request),
            "method": request.method,
        },
    )
