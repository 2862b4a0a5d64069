"""`flask refdata load`: the 26 regional governments and 19 sectors, idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization, OrgKind


def _count(kind: str) -> int:
    return db.session.scalar(select(func.count(Organization.id)).where(Organization.kind == kind))


def test_refdata_load_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["refdata", "load"])
        assert result.exit_code == 0, result.output
        assert "0 creados, 0 actualizados" in result.output
    assert _count(OrgKind.REGION) == 26
    assert _count(OrgKind.SECTOR) == 19
    assert orgs.find_region("Lima Metropolitana").code == "1501"
    assert orgs.find_sector("MVCS").name == "Ministerio de Vivienda, Construcción y Saneamiento"


def test_refdata_load_restores_edited_reference_rows(runner):
    cusco = orgs.find_region("Cusco")
    cusco.name = "Cuzco (editado)"
    db.session.commit()
    result = runner.invoke(args=["refdata", "load"])
    assert result.exit_code == 0, result.output
    assert "0 creados, 1 actualizados" in result.output
    db.session.expire_all()
    assert db.session.get(Organization, cusco.id).name == "Cusco"
    assert _count(OrgKind.REGION) == 26
