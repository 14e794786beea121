from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("cases/", api.case_list, name="case_list"),
    path("cases/<int:pk>/", api.case_detail, name="case_detail"),
    path("regions/", api.region_list, name="region_list"),
]
