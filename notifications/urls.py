from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifikasi/", views.notification_list, name="list"),
    path("notifikasi/dibaca/", views.mark_read, name="mark_read"),
    path("notifikasi/pengaturan/", views.preferences, name="preferences"),
    path("notifikasi/berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("ikuti/<int:content_type_id>/<int:object_id>/", views.toggle_follow, name="toggle_follow"),
]
