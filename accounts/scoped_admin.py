"""Django admin, scoped by the same rights as the site: one mixin for every model admin.

For anyone but a superuser, every admin queryset is cut by `rights.scope_for_admin` (each app's
rules module says which rows a role may open), so the change list, search, date drill-down,
filter choices, autocomplete, change, history and delete pages all show only those rows. An
object outside the scope answers 404 whether it exists or not, and when it does exist the
attempt is logged as a WARNING security event (`audit.events.log_refusal`), as on the site.
"""

from contextlib import contextmanager

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from accounts import rights
from audit.events import log_refusal
from audit.middleware_state import current_request


def _admin_action(request, view: str) -> str:
    """The refused admin action as the security log names it, e.g. `admin_change`."""
    if view == "change" and request.method not in ("POST", "PUT"):
        view = "view"
    return f"admin_{view}"


class ScopedAdminMixin:
    """Put first in every ModelAdmin's bases; superusers are never limited."""

    def _scoped(self, request) -> bool:
        return not request.user.is_superuser

    # --- lists: change list, search, date hierarchy, actions, autocomplete all start here ---

    def get_queryset(self, request):
        return rights.scope_for_admin(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        """Filters on a relation offer only values found in the user's own rows (no other unit's names)."""
        filters = super().get_list_filter(request)
        if not self._scoped(request):
            return filters
        scoped = []
        for entry in filters:
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except FieldDoesNotExist:
                    field = None
                if field is not None and field.is_relation:
                    entry = (entry, RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    def get_field_queryset(self, db, db_field, request):
        """Choices of a relation in a form are cut to the related model's scope too."""
        queryset = super().get_field_queryset(db, db_field, request)
        if not self._scoped(request):
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return rights.scope_for_admin(request.user, queryset)

    # --- one object ---

    def _in_scope(self, request, obj) -> bool:
        cache = request.__dict__.setdefault("_admin_scope_cache", {})
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = rights.in_admin_scope(request.user, obj)
        return cache[key]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self._in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self._in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self._in_scope(request, obj))

    def get_object(self, request, object_id, from_field=None):
        """Out of scope and missing look alike (404); a real object out of scope is a security event."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            self._refuse(request, object_id, from_field)
        return obj

    def _refuse(self, request, object_id, from_field=None, *, view=None):
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            exists = self.model._default_manager.filter(**{field.name: field.to_python(object_id)}).exists()
        except (ValidationError, ValueError):
            exists = False
        if exists:
            view = view or getattr(request, "_admin_view", "view")
            log_refusal(request, action=_admin_action(request, view), model=self.model, object_id=object_id)
        raise Http404

    @contextmanager
    def _refusals_named(self, request, view: str, object_id=None):
        """Name the view for refusals raised inside it, so the 403 handler logs what was tried on what."""
        request._admin_view = view
        try:
            yield
        except PermissionDenied as refused:
            if not getattr(refused, "action", ""):
                refused.action = _admin_action(request, view)
                refused.target = None
                if object_id is not None:
                    try:
                        refused.target = self.model._default_manager.filter(pk=unquote(object_id)).first()
                    except (ValidationError, ValueError):
                        pass
            raise

    def changelist_view(self, request, extra_context=None):
        with self._refusals_named(request, "list"):
            return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self._refusals_named(request, "change" if object_id else "add", object_id):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with self._refusals_named(request, "delete", object_id):
            return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        with self._refusals_named(request, "history", object_id):
            if self._scoped(request):
                # simple_history falls back to the last historical row when the live object is not
                # in get_queryset(); for a scoped user that row is exactly what must stay hidden.
                self.get_object(request, unquote(object_id))
            return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with self._refusals_named(request, "history", object_id):
            if self._scoped(request):
                self.get_object(request, unquote(object_id))
            return super().history_form_view(request, object_id, version_id, extra_context)

    def response_action(self, request, queryset):
        """Ticked rows outside the scope (typed into the form) are dropped by the queryset; log the attempt."""
        if self._scoped(request):
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            try:
                in_scope = self.get_queryset(request).values("pk")
                outside = self.model._default_manager.filter(pk__in=selected).exclude(pk__in=in_scope)
                outside_ids = list(outside.values_list("pk", flat=True)[:20])
            except (ValidationError, ValueError):
                outside_ids = []
            for object_id in outside_ids:
                log_refusal(request, action=f"admin_action:{request.POST.get('action', '')}"[:80], model=self.model, object_id=object_id)
        return super().response_action(request, queryset)


_link_any_related_object = helpers.AdminReadonlyField.get_admin_url


def _link_only_openable_objects(self, remote_field, remote_obj):
    """A read-only relation links to the related object's admin page only when the reader may open it.

    Django links every read-only relation; for a scoped reader a link to another unit's object (or
    to a user's account) would lead to a 404 and name what lies behind it. The reader's request is
    not handed to this helper, so it is taken from the request being served (audit.middleware_state).
    """
    request = current_request()
    related_admin = self.model_admin.admin_site._registry.get(remote_field.model)
    if request is not None and not request.user.is_superuser:
        if related_admin is None or not related_admin.has_view_or_change_permission(request, remote_obj):
            return str(remote_obj)
    return _link_any_related_object(self, remote_field, remote_obj)


helpers.AdminReadonlyField.get_admin_url = _link_only_openable_objects


def scope_every_model_admin(site=admin.site) -> None:
    """Give the mixin to model admins registered by libraries (groups, email addresses, tasks...)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ScopedAdminMixin):
            continue
        scoped_class = type(f"Scoped{type(model_admin).__name__}", (ScopedAdminMixin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, scoped_class)
