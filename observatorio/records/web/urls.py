from django.urls import path

from . import views

app_name = "cargas"

urlpatterns = [
    path("", views.history, name="history"),
    path("nueva/", views.upload_file, name="upload"),
    path("archivo/<str:token>/", views.preview, name="preview"),
    path("archivo/<str:token>/columnas/", views.mapping_page, name="mapping"),
    path("archivo/<str:token>/validar/", views.validate, name="validate"),
    path("archivo/<str:token>/progreso/", views.progress_page, name="progress"),
    path("archivo/<str:token>/progreso.json", views.progress_data, name="progress_data"),
    path("archivo/<str:token>/informe/", views.report_page, name="report"),
    path("archivo/<str:token>/equivalencias/", views.map_labels, name="labels"),
    path("archivo/<str:token>/importar/", views.commit, name="commit"),
    path("lote/<int:batch_id>/", views.batch_page, name="batch"),
    path("lote/<int:batch_id>/informe.<str:fmt>", views.batch_report, name="batch_report"),
    path("lote/<int:batch_id>/revertir/", views.rollback, name="rollback"),
]
