from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/tanggapan/", views.respond, name="respond"),
    path("<int:pk>/tanggapan/<int:response_pk>/ubah/", views.change_response, name="change_response"),
    path("<int:pk>/tanggapan/<int:response_pk>/balas/", views.reply, name="reply"),
    path("<int:pk>/tanggapan.csv", views.responses_csv, name="responses_csv"),
    path("<int:pk>/komentar/", views.comment, name="comment"),
    path("<int:pk>/dokumen/<int:document_pk>/", views.document, name="document"),
    path("<int:pk>/riwayat/", views.history, name="history"),
    path("<int:pk>/tindak-lanjut/", views.follow_up, name="follow_up"),
]
