"""The acta's validation functions and the one set of limits the form, the API and the import share."""
from __future__ import annotations

from decimal import Decimal

import pytest

from gore_tracker.exceptions import FieldErrors, ValidationFailed
from gore_tracker.meetings import limits, validation
from gore_tracker.meetings.operations import record_acta


def test_numbers_and_targets_at_the_edges():
    errors = FieldErrors()
    assert validation.check_number(limits.MAX_NUMBER, "n", errors) and not errors
    assert not validation.check_number(limits.MAX_NUMBER + 1, "a", errors)
    assert not validation.check_number(0, "b", errors)
    assert validation.check_target(0, "t", errors) == Decimal("0")
    assert validation.check_target(-1, "neg", errors) is None
    assert validation.check_target(float("inf"), "inf", errors) is None
    assert validation.check_target(limits.MAX_TARGET + 1, "big", errors) is None
    assert set(errors.fields) == {"a", "b", "neg", "inf", "big"}


def test_absent_regions_cannot_have_a_block(app):
    errors = FieldErrors()
    region = validation.region_lookup(errors)
    blocks = validation.region_blocks([{"region": "Cusco", "topics": []}], region, errors)
    assert validation.absences(["Cusco", "Puno", "Puno"], blocks, region, errors) == [region("Puno", "x")]
    assert list(errors.fields) == ["extensions.absent_regions.0"]


@pytest.mark.parametrize("number,ok", [(limits.MAX_NUMBER, True), (limits.MAX_NUMBER + 1, False)])
def test_the_api_and_the_form_share_the_number_limit(make, number, ok):
    from gore_tracker.meetings.forms import ActaForm

    doc = make.acta_document(regions=(("Cusco", 1),))
    doc["regions"][0]["topics"][0]["commitments"][0]["number"] = number
    admin = make.user("admin")
    if ok:
        record_acta(doc, admin)
    else:
        with pytest.raises(ValidationFailed) as exc:
            record_acta(doc, admin)
        assert "regions.0.topics.0.commitments.0.number" in exc.value.fields
    from werkzeug.datastructures import MultiDict

    form = ActaForm(formdata=MultiDict({"regions-0-topics-0-commitments-0-number": str(number)}), meta={"csrf": False})
    form.validate()
    field = form.regions[0].topics[0].commitments[0].number
    assert bool(field.errors) is (not ok)


def test_the_form_refuses_a_negative_target_as_the_operation_does(app):
    from werkzeug.datastructures import MultiDict

    from gore_tracker.meetings.forms import ActaForm

    form = ActaForm(formdata=MultiDict({"regions-0-topics-0-commitments-0-target": "-5"}), meta={"csrf": False})
    form.validate()
    assert form.regions[0].topics[0].commitments[0].target.errors
