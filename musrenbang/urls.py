from django.urls import path

from musrenbang import views
from musrenbang.exports import ForumResultsFeed

app_name = "musrenbang"

urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("klaim/", views.claim, name="claim"),
    path("<int:year>/", views.cycle_detail, name="cycle"),
    path("<int:year>/forum/", views.forum_list, name="forums"),
    path("<int:year>/forum/<int:pk>/", views.forum_detail, name="forum"),
    path("<int:year>/forum/<int:pk>/dokumen/<str:role>/", views.forum_document, name="forum_document"),
    path("<int:year>/data.<str:fmt>", views.export, name="export"),
    path("<int:year>/prioritas-kabupaten.<str:fmt>", views.kabupaten_list, name="kabupaten_list"),
    path("<int:year>/feed/", ForumResultsFeed(), name="feed"),
]
