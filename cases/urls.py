from django.urls import path

from search.views import search

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", search, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("compare/", views.compare, name="compare"),
]
