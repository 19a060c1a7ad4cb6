"""The description and its overlay, as the conformance tests read them."""

from __future__ import annotations

import pytest

from ._openapi import apply_overlay, find_operation, load_spec, overlaid_spec

OPERATIONS = [
    (template, method)
    for template, item in load_spec()["paths"].items()
    for method in item
    if method in ("get", "post", "delete")
]


def test_the_spec_has_the_ten_video_operations() -> None:
    assert len(OPERATIONS) == 10


@pytest.mark.parametrize(("template", "method"), OPERATIONS)
def test_overlay_adds_the_error_envelope_and_changes_nothing_else(
    template: str, method: str
) -> None:
    original = load_spec()["paths"][template][method]
    overlaid = overlaid_spec()["paths"][template][method]
    default = overlaid["responses"].pop("default")
    assert overlaid == original
    schema = default["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


def test_overlay_that_no_longer_fits_is_an_error() -> None:
    overlay = {"actions": [{"target": "$.paths.*.*.answers", "update": {"x": 1}}]}
    with pytest.raises(ValueError, match="matches nothing"):
        apply_overlay(load_spec(), overlay)


def test_a_literal_path_wins_over_a_template() -> None:
    assert find_operation(load_spec(), "POST", "/videos/edits").template == "/videos/edits"
    assert find_operation(load_spec(), "GET", "/videos/v_1").template == "/videos/{video_id}"
    with pytest.raises(LookupError):
        find_operation(load_spec(), "GET", "/videos/edits")
