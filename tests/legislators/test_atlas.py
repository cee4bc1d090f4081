"""The TopoJSON decoder behind the Safe Harbor map."""

from legislators import atlas

TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [2, 3], "translate": [10, 20]},
    "arcs": [[[0, 0], [1, 0], [0, 1]], [[1, 1], [-1, 0], [0, -1]]],
    "objects": {},
}


def test_arcs_are_delta_decoded_and_transformed():
    arcs = atlas.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(10, 20), (12, 20), (12, 23)]
    assert arcs[1] == [(12, 23), (10, 23), (10, 20)]


def test_a_ring_joins_arcs_and_reverses_negative_indexes():
    arcs = atlas.decode_arcs(TOPOLOGY)
    assert atlas.ring_points([0, 1], arcs) == [
        (10, 20),
        (12, 20),
        (12, 23),
        (10, 23),
        (10, 20),
    ]
    assert atlas.ring_points([~1], arcs) == [(10, 20), (10, 23), (12, 23)]


def test_polygons_and_multipolygons_become_closed_svg_paths():
    arcs = atlas.decode_arcs(TOPOLOGY)
    polygon = {"type": "Polygon", "arcs": [[0, 1]]}
    assert (
        atlas.path_d(polygon, arcs)
        == "M10.0,20.0L12.0,20.0L12.0,23.0L10.0,23.0L10.0,20.0Z"
    )
    multi = {"type": "MultiPolygon", "arcs": [[[0, 1]], [[0, 1]]]}
    assert atlas.path_d(multi, arcs).count("Z") == 2
    assert atlas.path_d({"type": "Point"}, arcs) == ""


def test_shipped_atlas_has_every_state_inside_the_viewbox_with_a_margin():
    states = atlas.state_paths()
    assert len(states) == 51
    assert {code for code, _name, _d in states} >= {"TX", "OH", "MN", "DC", "AK", "HI"}
    left, top, width, height = (float(v) for v in atlas.viewbox().split())
    for _code, _name, d in states:
        numbers = [
            float(n)
            for part in d.replace("M", " ").replace("L", " ").replace("Z", " ").split()
            for n in part.split(",")
        ]
        xs, ys = numbers[0::2], numbers[1::2]
        # Alaska's Aleutians (left), the Florida Keys (bottom), Washington (top) and
        # Maine (right) are the extremes: none may touch an edge.
        assert left + 10 <= min(xs)
        assert max(xs) <= left + width - 10
        assert top + 10 <= min(ys)
        assert max(ys) <= top + height - 10
    assert atlas.state_paths() is states  # decoded once per process
