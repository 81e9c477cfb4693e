"""Security events from Django and allauth, written to the audit log as they happen."""

from allauth.account import signals as allauth_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.events import record
from audit.models import AuditEvent

Action = AuditEvent.Action


@receiver(auth_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user, target=user, request=request)


@receiver(auth_signals.user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, actor=user, target=user, request=request)


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django already masks secrets in `credentials`; keep only the identifier that was tried.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(Action.LOGIN_FAILED, request=request, data={"attempted_email": attempted})


@receiver(allauth_signals.user_signed_up)
def on_signup(sender, request, user, **kwargs):
    record(Action.SIGNUP, actor=user, target=user, request=request)


@receiver(allauth_signals.email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    user = email_address.user
    record(Action.EMAIL_CONFIRMED, actor=user, target=user, request=request)


@receiver(allauth_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    record(Action.PASSWORD_CHANGED, actor=user, target=user, request=request)


@receiver(allauth_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    record(Action.PASSWORD_RESET, actor=user, target=user, request=request)


# --- the second factor (allauth.mfa): enrolment, use and failures --------------------------------


@receiver(mfa_signals.authenticator_added)
def on_second_factor_added(sender, request, user, authenticator, **kwargs):
    record(Action.SECOND_FACTOR_ADDED, actor=user, target=user, request=request, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_second_factor_removed(sender, request, user, authenticator, **kwargs):
    record(Action.SECOND_FACTOR_REMOVED, actor=user, target=user, request=request, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def on_recovery_codes_renewed(sender, request, user, authenticator, **kwargs):
    record(Action.RECOVERY_CODES_RENEWED, actor=user, target=user, request=request, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_used)
def on_second_factor_used(sender, request, user, authenticator, reauthenticated=False, **kwargs):
    record(
        Action.SECOND_FACTOR_USED,
        actor=user,
        target=user,
        request=request,
        data={"type": authenticator.type, "reauthenticated": bool(reauthenticated)},
    )


@receiver(mfa_signals.authentication_failed)
def on_second_factor_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    # The person typing is not signed in yet: the account is the target, not the actor.
    record(
        Action.SECOND_FACTOR_FAILED,
        target=user,
        request=request,
        data={"type": authenticator.type, "reauthentication": bool(reauthentication)},
    )


def _on_groups_changed(sender, instance, action, pk_set, **kwargs):
    from django.contrib.auth.models import Group

    from audit.middleware_state import current_request

    if action not in ("post_add", "post_remove") or not pk_set:
        return
    request = current_request()
    actor = getattr(request, "user", None)
    names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    event = Action.ROLE_GRANTED if action == "post_add" else Action.ROLE_REVOKED
    if isinstance(instance, get_user_model()):
        record(event, actor=actor, target=instance, request=request, data={"roles": names})


from django.db.models.signals import m2m_changed  # noqa: E402

m2m_changed.connect(_on_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit_groups")


# --- the role behind each public history row -----------------------------------------------------


def _record_actor_role(sender, instance, history_instance, history_user=None, **kwargs):
    if hasattr(history_instance, "history_actor_role"):
        from audit.history import actor_role_for

        history_instance.history_actor_role = actor_role_for(history_user, instance)


from simple_history.signals import pre_create_historical_record  # noqa: E402

pre_create_historical_record.connect(_record_actor_role, dispatch_uid="audit_history_actor_role")
