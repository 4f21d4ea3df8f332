from django.urls import path

from . import views

urlpatterns = [
    path("ingresar/", views.login, name="login"),
    path("salir/", views.logout, name="logout"),
    path("contrasena/", views.password_change, name="password_change"),
    path("contrasena/lista/", views.password_change_done, name="password_change_done"),
    path("segundo-factor/", views.second_factor_setup, name="second_factor"),
    path("verificar/", views.second_factor_verify, name="second_factor_verify"),
]
