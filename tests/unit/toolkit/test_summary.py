"""Findings in words follow the tool's own order, whatever order the stored JSON comes back in
(PostgreSQL's jsonb sorts object keys by length)."""

from hearth.toolkit.summary import ordered_areas, ordered_scales, result_headline

DEFINITION = {
    "scoring": {"method": "graded_care"},
    "sections": [{"id": "about"}, {"id": "physical_care"}, {"id": "safety"}],
}
AS_JSONB_RETURNS_IT = {
    "areas": {
        "safety": {"title": "Safety", "good_enough": False},
        "physical_care": {"title": "Physical care", "good_enough": False},
    },
    "overall": {"mean": 4.0},
}


def test_areas_follow_the_definitions_section_order():
    assert [k for k, _ in ordered_areas(DEFINITION, AS_JSONB_RETURNS_IT)] == [
        "physical_care",
        "safety",
    ]
    assert result_headline(DEFINITION, AS_JSONB_RETURNS_IT, {}) == (
        "Overall mean grade 4.0; below good enough: Physical care, Safety."
    )


def test_sdq_scales_in_the_published_order():
    scales = {name: {} for name in ("peer", "conduct", "prosocial", "emotional", "hyperactivity")}
    assert [k for k, _ in ordered_scales({"scales": scales})] == [
        "emotional",
        "conduct",
        "hyperactivity",
        "peer",
        "prosocial",
    ]
