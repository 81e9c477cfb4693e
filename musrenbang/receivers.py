"""Proposals join the cycle that collects when they are submitted; operator rights follow assignments."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import rights
from musrenbang.models import OperatorAssignment
from musrenbang.rules import forget_operator_rights
from participation import signals as participation_signals


@receiver(participation_signals.proposal_created)
def proposal_created(sender, proposal, **kwargs):
    if proposal.status == "submitted":
        from musrenbang.services import join_collecting_cycle

        join_collecting_cycle(proposal)


@receiver(participation_signals.proposal_status_changed)
def proposal_submitted(sender, proposal, new_status, **kwargs):
    if new_status == "submitted":
        from musrenbang.services import join_collecting_cycle

        join_collecting_cycle(proposal)


def _audit_assignment(instance, granted: bool) -> None:
    from audit.events import record
    from audit.middleware_state import current_request
    from audit.models import AuditEvent

    request = current_request()
    record(
        AuditEvent.Action.RIGHT_GRANTED if granted else AuditEvent.Action.RIGHT_REVOKED,
        actor=getattr(request, "user", None),
        target=instance.region,
        request=request,
        data={"permission": "operate_musrenbang", "holder_type": "user", "holder_id": instance.user_id},
    )


@receiver(post_save, sender=OperatorAssignment)
def grant_operator_rights(sender, instance, created, **kwargs):
    if kwargs.get("raw"):
        return
    group, _ = Group.objects.get_or_create(name=rights.ROLE_OPERATOR)
    instance.user.groups.add(group)
    rights.forget_cached_rights(instance.user)
    forget_operator_rights(instance.user)
    if created:
        _audit_assignment(instance, granted=True)


@receiver(post_delete, sender=OperatorAssignment)
def revoke_operator_rights(sender, instance, **kwargs):
    if not OperatorAssignment.objects.filter(user_id=instance.user_id).exists():
        instance.user.groups.remove(*Group.objects.filter(name=rights.ROLE_OPERATOR))
    rights.forget_cached_rights(instance.user)
    forget_operator_rights(instance.user)
    _audit_assignment(instance, granted=False)
