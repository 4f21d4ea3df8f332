from django.urls import path

from . import views

urlpatterns = [
    path("", views.trail, name="audit_trail"),
    path("registro.csv", views.trail_csv, name="audit_trail_csv"),
]
