from django.urls import path

from musrenbang import workspace

app_name = "musrenbang_work"

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("<int:year>/<str:stage>/<int:region_id>/", workspace.forum_edit, name="forum_edit"),
    path("usulan/baru/", workspace.offline_create, name="offline_create"),
    path("usulan/<int:pk>/tanda-terima/", workspace.receipt, name="receipt"),
    path("usulan/<int:pk>/tanda-terima/selesai/", workspace.receipt_done, name="receipt_done"),
    path("usulan-tatap-muka/<int:pk>/hubungkan/<int:user_pk>/", workspace.link_account, name="link_account"),
]
