"""What ``analyze`` prints and writes: one stable JSON shape, a short summary, a GeoJSON/CSV table."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from observatorio.errors import UserError

from ..i18n import _, decimal, thousands

OUTPUT_SUFFIXES = (".geojson", ".json", ".csv")


@dataclasses.dataclass
class Outcome:
    """What a method hands back to the command: echoed parameters, results, summary lines, optional table, and
    warnings (printed on stderr, so that the summary or the JSON on stdout stays whole; also in the JSON)."""

    parameters: dict
    results: dict
    summary: list[str]
    table: pd.DataFrame | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)


def plain(value):
    """JSON-ready copy: NumPy scalars and arrays to Python, NaN/inf to None, enums to their value, dates to ISO."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, Path):
        return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value if isinstance(value, str) else str(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a table as plain dicts (geometry left out)."""
    cols = [c for c in frame.columns if c != "geometry"]
    return [plain(dict(zip(cols, row))) for row in frame[cols].itertuples(index=False, name=None)]


def check_output(path: str | None) -> None:
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        allowed = ", ".join(OUTPUT_SUFFIXES)
        raise UserError(_("-o %(path)s: tipo de salida desconocido %(suffix)r; se admiten: %(allowed)s")
                        % {"path": path, "suffix": suffix or _("(ninguno)"), "allowed": allowed})


def write_table(table: pd.DataFrame, path: str) -> None:
    """GeoJSON (in WGS84, as RFC 7946 asks) or CSV, chosen by the suffix of ``path``."""
    target = Path(path)
    suffix = target.suffix.lower()
    flat = table.copy()
    for col in flat.columns:
        if col != "geometry" and flat[col].dtype == object:
            flat[col] = [plain(v) for v in flat[col]]
    if suffix == ".csv":
        from observatorio.tables.cells import safe_frame

        safe_frame(pd.DataFrame(flat.drop(columns="geometry", errors="ignore"))).to_csv(target, index=False)
        return
    import geopandas as gpd

    if not isinstance(flat, gpd.GeoDataFrame) or "geometry" not in flat.columns:
        raise UserError(_("-o %(path)s: este resultado no tiene geometrías; escríbalo como .csv") % {"path": path})
    if flat.crs is not None and not flat.crs.equals("EPSG:4326"):
        flat = flat.to_crs("EPSG:4326")
    target.write_text(flat.to_json(drop_id=True, na="null"), encoding="utf-8")


def emit(args, outcome: Outcome) -> None:
    for line in outcome.warnings:
        print(_("aviso: %(message)s") % {"message": line}, file=sys.stderr)
    if outcome.table is not None and args.output:
        write_table(outcome.table, args.output)
    elif args.output:
        raise UserError(_("-o %(path)s: %(method)s no da una tabla que escribir; use --json")
                        % {"path": args.output, "method": args.method})
    if args.json:
        doc = {
            "method": args.method,
            "input": getattr(args, "file", None),
            "parameters": outcome.parameters,
            "results": outcome.results,
        }
        if outcome.warnings:
            doc["warnings"] = outcome.warnings
        if args.output:
            doc["output"] = args.output
        print(json.dumps(plain(doc), ensure_ascii=False, allow_nan=False, indent=2))
        return
    for line in outcome.summary:
        print(line)
    if args.output:
        print(_("escrito: %(path)s") % {"path": args.output})


def handler(compute):
    """Wrap a method: validate -o before the work, run it, then print and write."""

    def run(args):
        check_output(args.output)
        emit(args, compute(args))
        return 0

    return run


def fmt(value, digits: int = 4) -> str:
    """A number for the summary in the command's language (0,5 or 0.5), '—' for missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, (int, np.integer)):
        return thousands(value)
    return decimal(value, digits)
