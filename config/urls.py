from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from config import views

admin.site.site_header = _("Administrasi Partisipasi Publik")
admin.site.site_title = _("Partisipasi Publik")
admin.site.index_title = _("Pengelolaan portal")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/", views.switch_language, name="switch_language"),
    path("", include("participation.urls")),
    path("program/", include("programs.urls")),
    path("uji-publik/", include("consultations.urls")),
    path("", include("transparency.urls")),
    path("", include("notifications.urls")),
    path("musrenbang/", include("musrenbang.urls")),
    path("kerja/musrenbang/", include("musrenbang.workspace_urls")),
    path("kerja/", include("workspace.urls")),
    path("akun/", include("accounts.urls")),
    path("akun/", include("allauth.urls")),
    path("audit/", include("audit.urls")),
    # Before admin's own URLs, so its sign-in form is never served (see accounts.views.admin_login).
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

if settings.BENCH_CEILING:
    # The benchmark compares every page with this do-nothing view on the same server (make bench).
    urlpatterns.append(path("bench/ceiling", views.bench_ceiling, name="bench_ceiling"))

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
