from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("data-saya/", views.personal_data, name="personal_data"),
    path("hapus/", views.delete_account, name="delete_account"),
]
