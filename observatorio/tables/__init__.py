"""Reading tables: the bottom package, with no Django and no other observatorio package.

`readers` turns an uploaded file (CSV, XLSX, Parquet, GeoJSON) into a
`RawTable` of text cells; `parsing` reads Chilean cells (dates, times,
numbers, coordinates) from that text; `rut` holds the RUT rules
(normalisation, módulo-11 check digit, masking, the keyed hash, with the key
passed in). The import pipeline (`observatorio.records`), the demography
import (`observatorio.territory`), the analysis package and the demo build on
it; it depends on none of them (tests/test_layers.py).
"""
