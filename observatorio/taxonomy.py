"""The common category tree, from ``../shared/TAXONOMY.md``, as plain data (no Django).

The family grouping follows CEAD's 2024 families (ours where CEAD gives none);
ICCS codes are UNODC ICCS v1.0 level 1. The CEAD crosswalk is versioned as
``cead-2024`` so that a corrected mapping is a new version, never an edit of
history.

`observatorio.records.taxonomy` seeds the database's categories and the CEAD
crosswalk from it; the demo's pure generator (`observatorio.demo.scenario`)
draws its events from it without loading Django.
"""

from __future__ import annotations

from dataclasses import dataclass

CEAD_CROSSWALK_VERSION = "cead-2024"


@dataclass(frozen=True)
class Family:
    code: str
    name: str
    is_crime: bool = True


FAMILIES = (
    Family("vida", "Delitos contra la vida e integridad"),
    Family("sexuales", "Delitos sexuales"),
    Family("robos-violentos", "Robos violentos"),
    Family("propiedad", "Delitos contra la propiedad no violentos"),
    Family("vif", "Violencia intrafamiliar"),
    Family("drogas", "Delitos asociados a drogas"),
    Family("armas", "Delitos asociados a armas"),
    Family("incivilidades", "Incivilidades"),
    Family("no-delictual", "No delictual: incivilidades y servicios", is_crime=False),
)

# (code, CEAD label, family code, DMCS, ICCS level 1)
CEAD_CATEGORIES = (
    ("homicidio", "Homicidios", "vida", True, "01"),
    ("femicidio", "Femicidios", "vida", False, "01"),
    ("lesiones-graves", "Lesiones graves o gravísimas", "vida", True, "02"),
    ("lesiones-menos-graves", "Lesiones menos graves", "vida", True, "02"),
    ("lesiones-leves", "Lesiones leves", "vida", True, "02"),
    ("amenazas", "Amenazas", "vida", False, "02"),
    ("violacion", "Violaciones", "sexuales", True, "03"),
    ("abuso-sexual", "Abusos sexuales", "sexuales", False, "03"),
    ("acoso-sexual", "Acosos sexuales", "sexuales", False, "03"),
    ("otros-sexuales", "Otros delitos sexuales", "sexuales", False, "03"),
    ("robo-violencia", "Robos con violencia o intimidación", "robos-violentos", True, "04"),
    ("robo-violento-vehiculo", "Robo violento de vehículo motorizado", "robos-violentos", False, "04"),
    ("robo-sorpresa", "Robo por sorpresa", "robos-violentos", True, "04"),
    ("robo-lugar-habitado", "Robo en lugar habitado", "propiedad", True, "05"),
    ("robo-lugar-no-habitado", "Robo en lugar no habitado", "propiedad", True, "05"),
    ("robo-vehiculo", "Robo de vehículo motorizado", "propiedad", True, "05"),
    ("robo-desde-vehiculo", "Robo de objetos de o desde vehículo", "propiedad", True, "05"),
    ("otros-robos-fuerza", "Otros robos con fuerza en las cosas", "propiedad", True, "05"),
    ("robo-frustrado", "Robo frustrado", "propiedad", False, "05"),
    ("hurto", "Hurtos", "propiedad", True, "05"),
    ("receptacion", "Receptación", "propiedad", False, "07"),
    ("vif", "Violencia intrafamiliar", "vif", False, "02"),
    ("drogas", "Delitos asociados a drogas", "drogas", False, "06"),
    ("armas", "Delitos asociados a armas", "armas", False, "09"),
    ("ley-armas", "Crímenes y simples delitos ley de armas", "armas", False, "09"),
    ("arma-cortante", "Porte de arma cortante o punzante", "armas", False, "09"),
    ("amenaza-rina", "Amenaza falta o riña", "incivilidades", False, "08"),
    ("consumo-via-publica", "Consumo de alcohol y drogas en la vía pública", "incivilidades", False, "08"),
    ("danos", "Daños", "incivilidades", False, "05"),
    ("desordenes", "Desórdenes públicos", "incivilidades", False, "08"),
)

# What the 1461 line, patrols and neighbours record that is not a crime.
MUNICIPAL_CATEGORIES = (
    ("ruidos", "Ruidos molestos"),
    ("alcohol-via-publica", "Consumo de alcohol en la vía pública (aviso)"),
    ("vehiculo-abandonado", "Vehículo abandonado"),
    ("sospechoso", "Persona o vehículo sospechoso"),
    ("alumbrado", "Alumbrado público deficiente"),
    ("perros", "Perros sueltos"),
    ("emergencia-medica", "Emergencia médica"),
    ("incendio", "Incendio o amago"),
    ("solicitud-patrullaje", "Solicitud de patrullaje"),
    ("conflicto-vecinal", "Conflicto vecinal"),
    ("microbasural", "Microbasural o sitio eriazo"),
    ("otros-servicios", "Otros servicios"),
)

CEAD_LABELS = {label: code for code, label, *_ in CEAD_CATEGORIES}

