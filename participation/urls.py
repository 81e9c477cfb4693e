from django.urls import path

from participation import moderation, redaction, views

app_name = "participation"

urlpatterns = [
    path("usulan/", views.proposal_list, name="proposal_list"),
    path("usulan/baru/", views.proposal_create, name="proposal_create"),
    path("usulan/saya/", views.my_proposals, name="my_proposals"),
    path("usulan/mirip/", views.similar_proposals, name="similar_proposals"),
    path("usulan/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("usulan/<int:pk>/ubah/", views.proposal_edit, name="proposal_edit"),
    path("usulan/<int:pk>/ajukan/", views.proposal_submit, name="proposal_submit"),
    path("usulan/<int:pk>/ajukan-ulang/", views.proposal_resubmit, name="proposal_resubmit"),
    path("usulan/<int:pk>/tarik/", views.proposal_withdraw, name="proposal_withdraw"),
    path("usulan/<int:pk>/dukung/", views.proposal_support, name="proposal_support"),
    path("usulan/<int:pk>/komentar/", views.proposal_comment, name="proposal_comment"),
    path("usulan/<int:pk>/laporkan/", views.proposal_flag, name="proposal_flag"),
    path("usulan/<int:pk>/jawab/", views.proposal_answer, name="proposal_answer"),
    path("usulan/<int:pk>/jawaban/ubah/", views.proposal_amend_answer, name="proposal_amend_answer"),
    path("usulan/<int:pk>/disposisi/", views.proposal_route, name="proposal_route"),
    path("usulan/<int:pk>/riwayat/", views.proposal_history, name="proposal_history"),
    path("usulan/<int:pk>/lampiran/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("usulan/<int:pk>/lampiran/<int:attachment_pk>/<int:width>/", views.attachment_download, name="attachment_rendition"),
    path("komentar/<int:pk>/ubah/", views.comment_edit, name="comment_edit"),
    path("komentar/<int:pk>/hapus/", views.comment_delete, name="comment_delete"),
    path("komentar/<int:pk>/sembunyikan/", views.comment_hide, name="comment_hide"),
    path("komentar/<int:pk>/laporkan/", views.comment_flag, name="comment_flag"),
    path("moderasi/", moderation.queue, name="moderation_queue"),
    path("moderasi/usulan/<int:pk>/", moderation.decide_proposal, name="moderation_decide"),
    path("moderasi/sunting/<slug:kind>/<int:pk>/", redaction.redact_view, name="redact"),
    path("moderasi/laporan/<int:content_type_id>/<int:object_id>/selesai/", moderation.dismiss_reports, name="moderation_dismiss"),
]
