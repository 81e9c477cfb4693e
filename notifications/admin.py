from django.contrib import admin

from accounts.scoped_admin import ScopedAdminMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only view of deliveries, to see what failed."""

    list_display = ["created_at", "recipient", "kind", "email_status", "email_attempts", "read_at"]
    list_filter = ["kind", "email_status"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "message"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
