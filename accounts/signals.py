"""Keep guardian rights and role groups in step with work-unit memberships, however they change."""

from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from guardian.shortcuts import assign_perm, remove_perm

from accounts import rights, second_factor, summary
from accounts.models import User, WorkUnitGroupObjectPermission, WorkUnitMembership, WorkUnitUserObjectPermission
from notifications.models import Notification


@receiver(post_save, sender=WorkUnitMembership)
def grant_work_unit_rights(sender, instance, created, **kwargs):
    if kwargs.get("raw"):
        return
    assign_perm(rights.WORK_UNIT_PERMISSION, instance.user, instance.work_unit)
    group, _ = Group.objects.get_or_create(name=rights.ROLE_PETUGAS)
    instance.user.groups.add(group)
    rights.forget_cached_rights(instance.user)


@receiver(post_delete, sender=WorkUnitMembership)
def revoke_work_unit_rights(sender, instance, **kwargs):
    remove_perm(rights.WORK_UNIT_PERMISSION, instance.user, instance.work_unit)
    if not WorkUnitMembership.objects.filter(user=instance.user).exists():
        instance.user.groups.remove(*Group.objects.filter(name=rights.ROLE_PETUGAS))
    rights.forget_cached_rights(instance.user)


def _audit_object_right(instance, granted: bool) -> None:
    from audit.events import record
    from audit.middleware_state import current_request
    from audit.models import AuditEvent

    request = current_request()
    holder = getattr(instance, "user", None) or getattr(instance, "group", None)
    record(
        AuditEvent.Action.RIGHT_GRANTED if granted else AuditEvent.Action.RIGHT_REVOKED,
        actor=getattr(request, "user", None),
        target=instance.content_object,
        request=request,
        data={
            "permission": instance.permission.codename,
            "holder_type": "user" if hasattr(instance, "user") else "group",
            "holder_id": holder.pk if holder is not None else None,
        },
    )


@receiver(post_save, sender=WorkUnitUserObjectPermission)
@receiver(post_save, sender=WorkUnitGroupObjectPermission)
def audit_right_granted(sender, instance, created, **kwargs):
    if created and not kwargs.get("raw"):
        _audit_object_right(instance, granted=True)


@receiver(post_delete, sender=WorkUnitUserObjectPermission)
@receiver(post_delete, sender=WorkUnitGroupObjectPermission)
def audit_right_revoked(sender, instance, **kwargs):
    _audit_object_right(instance, granted=False)


@receiver(mfa_signals.authenticator_used)
def second_factor_shown(sender, request, user, authenticator, **kwargs):
    """A code or recovery code was accepted at sign-in or reauthentication: this session has the factor."""
    second_factor.mark_proven(request, user)


@receiver(mfa_signals.authenticator_added)
def second_factor_enrolled(sender, request, user, authenticator, **kwargs):
    """Enrolling means typing a valid code from the new app: proof enough for this session."""
    if authenticator.type == Authenticator.Type.TOTP:
        second_factor.mark_proven(request, user)


# --- the cached per-person summary (accounts/summary.py) follows every change it depends on ---


@receiver(m2m_changed, sender=User.groups.through)
def forget_summary_on_roles(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        summary.forget(instance.pk, instance)
    elif pk_set:
        for user_id in pk_set:
            summary.forget(user_id)
    elif action == "post_clear":
        # group.user_set.clear() does not say whom it removed; they find out within SUMMARY_SECONDS.
        pass


@receiver(post_save, sender=WorkUnitUserObjectPermission)
@receiver(post_delete, sender=WorkUnitUserObjectPermission)
@receiver(post_save, sender=EmailAddress)
@receiver(post_delete, sender=EmailAddress)
def forget_summary_on_rights(sender, instance, **kwargs):
    summary.forget(instance.user_id)


@receiver(post_save, sender=Notification)
@receiver(post_delete, sender=Notification)
def forget_summary_on_notification(sender, instance, **kwargs):
    summary.forget(instance.recipient_id)
