from django.urls import path

from transparency import feeds, views

app_name = "transparency"

urlpatterns = [
    path("data/", views.data_index, name="data_index"),
    path("data/<slug:dataset>.<str:fmt>", views.data_export, name="data_export"),
    path("data/feed/usulan/", feeds.ProposalFeed(), name="feed_proposals"),
    path("data/feed/program/", feeds.ProgramUpdateFeed(), name="feed_program_updates"),
    path("data/feed/program/<int:pk>/", feeds.ProgramUpdateFeed(), name="feed_program"),
    path("data/feed/uji-publik/", feeds.ConsultationFeed(), name="feed_consultations"),
    path("statistik/", views.statistics_page, name="statistics"),
    path("kebijakan-privasi/", views.privacy, name="privacy"),
]
