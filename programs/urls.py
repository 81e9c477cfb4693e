from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/riwayat/", views.program_history, name="program_history"),
    path("<int:pk>/komentar/", views.program_comment, name="program_comment"),
    path("<int:pk>/nilai/", views.program_rate, name="program_rate"),
    path("<int:pk>/berkas/<int:document_id>/", views.document_download, name="document_download"),
    path("<int:pk>/berkas/<int:document_id>/<int:width>/", views.document_download, name="document_rendition"),
    path("<int:pk>/kelola/", views.program_manage, name="program_manage"),
    path("<int:pk>/ubah/", views.program_edit, name="program_edit"),
    path("<int:pk>/laporan/", views.update_create, name="update_create"),
    path("<int:pk>/tahap/<int:phase_id>/mulai/", views.phase_move, {"move": "start"}, name="phase_start"),
    path("<int:pk>/tahap/<int:phase_id>/selesai/", views.phase_move, {"move": "complete"}, name="phase_complete"),
    path("<int:pk>/tahap/<int:phase_id>/ubah/", views.phase_edit, name="phase_edit"),
]
