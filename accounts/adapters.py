from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from accounts import rights


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=rights.ROLE_WARGA)
            user.groups.add(group)
        return user

    def get_client_ip(self, request):
        from audit.request_info import client_ip

        return client_ip(request)
