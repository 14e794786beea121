from django.urls import path

from .views import FORMATS, export

app_name = "export"
urlpatterns = [
    path(export_format.path, export, {"export_format": export_format}, name=export_format.name)
    for export_format in FORMATS
]
