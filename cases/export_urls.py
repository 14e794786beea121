from django.urls import path

from . import export_views

app_name = "export"
urlpatterns = [
    path("cases.csv", export_views.cases_csv, name="cases_csv"),
    path("cases.xlsx", export_views.cases_xlsx, name="cases_xlsx"),
    path("cases.json", export_views.cases_json, name="cases_json"),
    path("briefing.docx", export_views.briefing_docx, name="briefing_docx"),
]
