"""Filters, accent-insensitive search and stats run in SQL, identically on both databases."""
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from gore_tracker.commitments import queries
from gore_tracker.commitments.operations import apply_update
from gore_tracker.extensions import db
from gore_tracker.utils.dates import today


def _ids(args, **kw):
    f = queries.parse_filters(MultiDict(args))
    return [c.id for c in queries.search(f, per_page=200, **kw).items]


def test_search_ignores_accents_and_case(make):
    m = make.meeting(topic_text="Falta de OXÍGENO medicinal", regions=(("Cusco", 1),))
    other = make.meeting(topic_text="Carretera", day="2024-07-01", regions=(("Puno", 1),))
    other.commitments[0].text = "Asfaltado de vía"
    db.session.commit()
    found = m.commitments[0].id
    assert _ids({"q": "oxigeno"}) == [found]
    assert _ids({"q": "Oxígeno MEDICINAL"}) == [found]
    assert _ids({"q": "oxigeno carretera"}) == []
    assert _ids({"q": "100%"}) == []  # LIKE wildcards are escaped


def test_overdue_filter_uses_lima_today(make):
    t = today()
    late = make.commitment("Cusco", due=t - timedelta(days=3))
    due_today = make.commitment("Cusco", due=t)
    done_late = make.commitment("Cusco", due=t - timedelta(days=3), status="cumplido")
    ids = _ids({"overdue": "true"})
    assert late.id in ids and due_today.id not in ids and done_late.id not in ids
    assert late.days_overdue() == 3


def test_filters_combine(make):
    admin = make.user("admin")
    a = make.meeting(admin, sector_name="MTC", regions=(("Cusco", 2), ("Puno", 1)), due="2025-03-31")
    b = make.meeting(admin, sector_name="MINSA", day="2024-08-01", regions=(("Cusco", 1),),
                     body="Consejo Regional de Salud de Cusco")
    cusco_mtc = {c.id for c in a.commitments if c.region.name == "Cusco"}
    assert set(_ids({"region": "cuzco", "sector": "mtc"})) == cusco_mtc
    assert set(_ids({"region": "08", "sector": "Ministerio de Transportes y Comunicaciones"})) == cusco_mtc
    assert _ids({"body": "consejo regional de salud de cusco"}) == [b.commitments[0].id]
    assert set(_ids({"meeting_id": str(a.id)})) == {c.id for c in a.commitments}
    assert len(_ids({"due_from": "2025-03-01", "due_to": "2025-03-31"})) == 3
    assert _ids({"due_from": "2025-04-01"}) == []
    c = a.commitments[0]
    apply_update(c, admin, status="en_proceso", version=c.version)
    db.session.commit()
    assert _ids({"status": "en_proceso"}) == [c.id]
    assert set(_ids({"status": "en_proceso,pendiente"})) == {x.id for x in a.commitments + b.commitments}


def test_responsible_filter_matches_text_and_organizations(make):
    doc = make.acta_document(regions=(("Cusco", 2),))
    doc["regions"][0]["topics"][0]["commitments"][0]["responsible"] = "Dirección Regional de Salud"
    doc["extensions"] = {"commitments": [{"region": "Cusco", "number": 2, "responsible_orgs": ["PRODUCE"]}]}
    m = make.meeting(document=doc)
    first, second = sorted(m.commitments, key=lambda c: c.number)
    assert _ids({"responsible": "direccion regional"}) == [first.id]
    assert _ids({"responsible": "produccion"}) == [second.id]


def test_sorted_by_due_with_none_last_then_id(make):
    admin = make.user("admin")
    m = make.meeting(admin, regions=(("Cusco", 3),))
    c1, c2, c3 = sorted(m.commitments, key=lambda c: c.id)
    c1.due, c2.due, c3.due = None, date(2025, 5, 1), date(2025, 1, 1)
    db.session.commit()
    assert _ids({}) == [c3.id, c2.id, c1.id]


def test_invalid_filters_name_the_field(make):
    import pytest

    from gore_tracker.exceptions import ValidationFailed

    for args, field in [({"region": "Gondor"}, "region"), ({"status": "hecho"}, "status"),
                        ({"due_from": "2025-13-01"}, "due_from"), ({"overdue": "quizas"}, "overdue"),
                        ({"sort": "nope"}, "sort")]:
        with pytest.raises(ValidationFailed) as exc:
            queries.parse_filters(MultiDict(args))
        assert field in exc.value.fields


def test_stats_compliance_rate(make):
    admin = make.user("admin")
    m = make.meeting(admin, regions=(("Cusco", 4), ("Puno", 1)))
    cusco = sorted((c for c in m.commitments if c.region.name == "Cusco"), key=lambda c: c.number)
    apply_update(cusco[0], admin, status="cumplido", version=cusco[0].version)
    apply_update(cusco[1], admin, status="anulado", note="Duplicado", version=cusco[1].version)
    puno = [c for c in m.commitments if c.region.name == "Puno"][0]
    apply_update(puno, admin, status="anulado", note="Duplicado", version=puno.version)
    db.session.commit()
    rows = {r["key"]: r for r in queries.stats(queries.CommitmentFilters(), "region")}
    assert rows["Cusco"]["total"] == 4
    assert rows["Cusco"]["compliance_rate"] == 1 / 3
    assert rows["Puno"]["compliance_rate"] is None
    assert rows["Cusco"]["by_status"]["pendiente"] == 2
