"""Shared fixtures of the import-pipeline tests: a small real territory and messy export files.

The territory is Peñalolén from the DPA boundaries with four test UVs (the
comuna cut into quadrants), so the tests never depend on the demo. Files are
written by the tests themselves, the way units really send them.
"""

from __future__ import annotations

import pytest
import shapely

# Latin-1, ';', a title and a blank line above the header, decimal commas, dd-mm-yyyy, a blank line
# between rows, a repeated row, a point outside the comuna, an address, bad values, unmapped labels
# and a trailing totals row. {A}, {B}, {C} are points inside UV-1, UV-2 and UV-3.
CALLS_1461 = (
    "Central 1461 - Llamados enero 2024;;;;;;;\n"
    ";;;;;;;\n"
    "Folio;Fecha;Hora;Tipo;Latitud;Longitud;Dirección;Resultado\n"
    "1001;05-01-2024;22:15;Ruidos molestos;{A};;Atendido\n"
    "1002;05-01-2024;23:40;Riña;{B};;Derivado a Carabineros\n"
    "\n"
    "1003;06-01-2024;01:05;Ruidos molestos;;;Av. Grecia 8010;Atendido\n"
    "1004;07-01-2024;10:00;Perros sueltos;-33,4500;-70,7000;;Atendido\n"
    "1002;05-01-2024;23:40;Riña;{B};;Derivado a Carabineros\n"
    "1005;31-02-2024;12:00;Ruidos molestos;{A};;Atendido\n"
    "1006;08-01-2024;25:10;Ruidos molestos;{A};;Atendido\n"
    "1007;09-01-2024;18:30;Fuegos artificiales;{A};;Atendido\n"
    "1008;09-01-2024;19:00;Fuegos artificiales;{C};;Atendido\n"
    "1009;10-01-2024;08:00;Microbasural o sitio eriazo;;;Pasaje Inexistente 12;Atendido\n"
    "Total;;;;;;;9\n"
)

# (row, column, value, message) of every error CALLS_1461 must produce, in report order.
CALLS_1461_ERRORS = [
    (10, "Fecha", "31-02-2024", "'31-02-2024' is not a date: February has 28 or 29 days"),
    (11, "Hora", "25:10", "'25:10' is not a time: hours go from 00 to 23"),
    (12, "Tipo", "Fuegos artificiales", "the label is not mapped to a category"),
    (13, "Tipo", "Fuegos artificiales", "the label is not mapped to a category"),
]
CALLS_1461_WARNINGS = [
    (8, "Longitud/Latitud", "-33.450000, -70.700000",
     "the point (-33.450000, -70.700000) is outside the comuna's boundary: the event is kept without an area"),
    (14, "Dirección", "Pasaje Inexistente 12", "the address is not in the gazetteer"),
]

# UTF-8, ',' separated crime reports with RUTs (one with a wrong check digit) and area-code-only rows.
DENUNCIAS = (
    "RUC,Fecha,Delito,UV,Rut víctima,Sexo víctima,Edad víctima\n"
    "2400011111-1,2024-02-01,Robo por sorpresa,UV-1,12.345.678-5,F,34\n"
    "2400011111-2,2024-02-02,ROBO POR SORPRESA,UV-2,12.345.678-5,Femenino,34\n"
    "2400011111-3,2024-02-03,Hurtos,UV-3,12.345.678-9,M,41\n"
    "2400011111-4,2024-02-04,Hurtos,UV-99,7.654.321-6,Hombre,19\n"
    "2400011111-5,2024-02-05,Lesiones leves,UV-4,,X,150\n"
)
VALID_RUT, BAD_RUT = "12.345.678-5", "12.345.678-9"


def point_text(lonlat) -> str:
    """'lat;lon' with decimal commas, the way the 1461 export writes them."""
    lon, lat = lonlat
    return f"{lat:.6f}".replace(".", ",") + ";" + f"{lon:.6f}".replace(".", ",")


def make_territory():
    """Peñalolén (DPA) and four UVs cut from it; returns {code: (Area, inner point lon/lat)}."""
    from observatorio.records.models import AddressPoint
    from observatorio.records.pipeline.geocode import normalise_street, street_core
    from observatorio.territory.comunas import setup_comuna
    from observatorio.territory.geometry import geodesic_km2
    from observatorio.territory.models import Area, Boundary, Level

    comuna = setup_comuna("13122")
    shape = comuna.boundaries.first().shape
    x0, y0, x1, y1 = shape.bounds
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    boxes = [shapely.box(x0, ym, xm, y1), shapely.box(xm, ym, x1, y1), shapely.box(x0, y0, xm, ym),
             shapely.box(xm, y0, x1, ym)]
    out = {"13122": (comuna, shape.representative_point().coords[0])}
    for i, box in enumerate(boxes, start=1):
        part = shapely.intersection(shape, box)
        if part.geom_type not in ("Polygon", "MultiPolygon"):
            part = shapely.unary_union([g for g in shapely.get_parts(part) if g.geom_type == "Polygon"])
        area = Area.objects.create(code=f"UV-{i}", name=f"Unidad vecinal de prueba {i}", level=Level.UV,
                                   parent=comuna, source="tests")
        boundary = Boundary(area=area, source="tests")
        boundary.set_shape(part, geodesic_km2(part))
        boundary.save()
        out[f"UV-{i}"] = (area, part.representative_point().coords[0])
    lon, lat = out["UV-4"][1]
    for number, dx in ((8000, 0.0), (8010, 0.0001), (8020, 0.0002)):
        street = normalise_street("Avenida Grecia")
        AddressPoint.objects.create(street="Avenida Grecia", street_normalised=street, street_core=street_core(street),
                                    number=number, lon=lon + dx, lat=lat, area=out["UV-4"][0])
    return out


def calls_text(territory) -> str:
    return (CALLS_1461.replace("{A}", point_text(territory["UV-1"][1]))
            .replace("{B}", point_text(territory["UV-2"][1])).replace("{C}", point_text(territory["UV-3"][1])))


@pytest.fixture
def territory(db):
    return make_territory()


@pytest.fixture
def calls_file(tmp_path, territory):
    path = tmp_path / "llamados_1461_enero.csv"
    path.write_bytes(calls_text(territory).encode("latin-1"))
    return path


@pytest.fixture
def denuncias_file(tmp_path, territory):
    path = tmp_path / "denuncias_febrero.csv"
    path.write_text(DENUNCIAS, encoding="utf-8")
    return path
