from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("unduh.csv", views.audit_log_csv, name="log_csv"),
]
