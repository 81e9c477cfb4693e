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
