"""Keep guardian rights and role groups in step with work-unit memberships, however they change."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from guardian.shortcuts import assign_perm, remove_perm

from accounts import rights
from accounts.models import WorkUnitMembership


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
