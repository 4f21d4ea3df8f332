from django.urls import path

from . import board, views

urlpatterns = [
    path("", views.home, name="home"),
    path("tablero/", board.board, name="board"),
    path("tablero/datos/<slug:name>.<str:fmt>", board.board_data, name="board-data"),
]
