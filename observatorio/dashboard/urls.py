from django.urls import path

from . import board, crosstab, mapview, profile, quality, saved_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("tablero/", board.board, name="board"),
    path("tablero/datos/<slug:name>.<str:fmt>", board.board_data, name="board-data"),
    path("tabla/", crosstab.crosstab_page, name="crosstab"),
    path("tabla/datos.<str:fmt>", crosstab.crosstab_data, name="crosstab-data"),
    path("mapa/", mapview.map_page, name="map"),
    path("mapa/capa/<slug:key>.<str:fmt>", mapview.layer_data, name="map_layer"),
    path("area/<int:area_id>/", profile.area_profile, name="area_profile"),
    path("area/<int:area_id>/datos.csv", profile.area_profile_csv, name="area_profile_csv"),
    path("fuentes/", quality.quality_page, name="quality"),
    path("fuentes/datos.csv", quality.quality_csv, name="quality_csv"),
    path("fuentes/conciliacion.csv", quality.reconciliation_csv, name="reconciliation_csv"),
    path("datos/estado.json", views.data_status, name="data_status"),
    path("vistas/guardar/", saved_views.save_view, name="save_view"),
    path("vistas/<int:view_id>/borrar/", saved_views.delete_view, name="delete_view"),
    path("vistas/<str:token>/", saved_views.open_view, name="saved_view"),
]
