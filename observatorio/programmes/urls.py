from django.urls import path

from observatorio.programmes import activity_views, alert_views, views

app_name = "programmes"

urlpatterns = [
    path("programas/", views.programme_list, name="list"),
    path("programas/<slug:code>/", views.programme_page, name="programme"),
    path("programas/<slug:code>/actividades/nueva/", activity_views.activity_add, name="activity_add"),
    path("programas/<slug:code>/actividades/cargar/", activity_views.activities_upload, name="activities_upload"),
    path("programas/<slug:code>/beneficiarios/cargar/", activity_views.beneficiaries_upload,
         name="beneficiaries_upload"),
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
    path("avisos/", alert_views.alerts_page, name="alerts"),
    path("avisos/leidos/", alert_views.alerts_read_all, name="alerts_read_all"),
    path("avisos/<int:pk>/leido/", alert_views.alert_read, name="alert_read"),
    path("avisos/suscribir/", alert_views.subscribe, name="subscribe"),
    path("avisos/suscripciones/<int:pk>/quitar/", alert_views.unsubscribe, name="unsubscribe"),
]
