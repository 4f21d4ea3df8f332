from django.urls import path

from . import views

app_name = "informes"

urlpatterns = [
    path("", views.reports_page, name="page"),
    path("suscripcion/", views.subscription, name="subscription"),
    path("<int:pk>/", views.run_page, name="run"),
    path("<int:pk>/avance.json", views.run_progress, name="progress"),
    path("<int:pk>/ver/", views.run_view, name="view"),
    path("<int:pk>/descargar/", views.run_download, name="download"),
]
