"""The US states map: us-atlas ``states-albers-10m.json`` (TopoJSON, already projected
to Albers USA, quantized and delta-encoded) decoded to SVG path strings, once per
process."""

import json
import math
from functools import lru_cache
from pathlib import Path

from harbor.states import normalize_state

from .importers import ATLAS_JSON

# Space around the atlas, in its units (the map is about 1,000 wide): without it the
# Aleutians, the Florida Keys, Washington and Maine touch the edges, and a state's
# focus outline (2 units wide) is cut off there.
VIEWBOX_MARGIN = 12


@lru_cache(maxsize=2)
def viewbox(path: Path = ATLAS_JSON, margin: float = VIEWBOX_MARGIN) -> str:
    """The SVG viewBox holding the whole atlas (its bbox; the Aleutians reach x < 0)
    with ``margin`` on every side."""
    x0, y0, x1, y1 = json.loads(Path(path).read_text(encoding="utf-8"))["bbox"]
    left, top = math.floor(x0 - margin), math.floor(y0 - margin)
    return (
        f"{left} {top} {math.ceil(x1 + margin) - left} {math.ceil(y1 + margin) - top}"
    )


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc (undoing the delta encoding and the
    transform)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_rest in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def ring_points(
    ring: list[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """Join a ring's arcs; a negative index ``~i`` means arc ``i`` reversed. Each arc
    after the first starts where the previous one ended, so its first point is
    dropped."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def path_d(geometry: dict, arcs: list[list[tuple[float, float]]]) -> str:
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return ""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            pts = ring_points(ring, arcs)
            if pts:
                head, *tail = pts
                parts.append(
                    f"M{head[0]:.1f},{head[1]:.1f}"
                    + "".join(f"L{x:.1f},{y:.1f}" for x, y in tail)
                    + "Z"
                )
    return "".join(parts)


@lru_cache(maxsize=2)
def state_paths(path: Path = ATLAS_JSON) -> tuple[tuple[str, str, str], ...]:
    """``((usps_code, name, svg_path_d), ...)`` for every state in the atlas, by
    name."""
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    states = []
    for geometry in topology["objects"]["states"]["geometries"]:
        name = geometry["properties"]["name"]
        states.append((normalize_state(name), name, path_d(geometry, arcs)))
    return tuple(sorted(states, key=lambda s: s[1]))
