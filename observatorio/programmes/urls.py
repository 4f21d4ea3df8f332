from django.urls import path

from observatorio.programmes import views

app_name = "programmes"

urlpatterns = [
    path("programas/", views.programme_list, name="list"),
    path("programas/<slug:code>/", views.programme_page, name="programme"),
    path("indicadores/<slug:code>/", views.indicator_page, name="indicator"),
    path("indicadores/<slug:code>/datos/", views.indicator_download, name="indicator_download"),
    path("indicadores/<slug:code>/ingresar/", views.measurement_enter, name="enter"),
    path("mediciones/<int:pk>/aprobar/", views.measurement_approve, name="approve"),
    path("mediciones/<int:pk>/cerrar/", views.measurement_lock, name="lock"),
    path("mediciones/<int:pk>/abrir/", views.measurement_unlock, name="unlock"),
    path("metas/<int:year>/", views.goals_page, name="goals"),
    path("metas/<int:year>/evaluacion/", views.evaluation_page, name="evaluation"),
    path("metas/<int:year>/tablero/", views.scorecard_page, name="scorecard"),
    path("metas/<int:year>/tablero/datos/", views.scorecard_download, name="scorecard_download"),
    path("metas/<int:year>/tablero.pdf", views.scorecard_pdf, name="scorecard_pdf"),
]
