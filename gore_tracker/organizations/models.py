"""Organizations: regional governments, sectors (ministries and PCM) and the units admins add."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gore_tracker.audit.spec import Audited
from gore_tracker.db import UTCDateTime, utcnow
from gore_tracker.extensions import db
from gore_tracker.utils.text import fold


class OrgKind:
    REGION = "region"            # 25 regional governments + Municipalidad Metropolitana de Lima
    SECTOR = "sector"            # 18 ministries + PCM
    MUNICIPALITY = "municipality"
    UNIT = "unit"                # program units (PRONIS, OPMI…) under a parent sector
    HEALTH_NETWORK = "health_network"
    OTHER = "other"

    ALL = (REGION, SECTOR, MUNICIPALITY, UNIT, HEALTH_NETWORK, OTHER)
    ADDABLE = (MUNICIPALITY, UNIT, HEALTH_NETWORK, OTHER)
    LABELS = {
        REGION: "Gobierno regional",
        SECTOR: "Sector",
        MUNICIPALITY: "Municipalidad",
        UNIT: "Unidad / programa",
        HEALTH_NETWORK: "Red de salud",
        OTHER: "Otra entidad",
    }


class Organization(db.Model):
    __tablename__ = "organization"
    __audit__ = Audited("organization", exclude=frozenset({"name_key"}))
    __table_args__ = (
        UniqueConstraint("kind", "code"),
        UniqueConstraint("kind", "name_key"),
        CheckConstraint(
            "kind IN ('region','sector','municipality','unit','health_network','other')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # Region code ("08", "1501") or sector acronym ("MINSA"); optional for added units.
    code: Mapped[Optional[str]] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[Optional[str]] = mapped_column(String(300))
    # Alternative spellings, "|"-separated, as in the reference CSV.
    aliases: Mapped[str] = mapped_column(Text, default="")
    # Folded name, for uniqueness ignoring case and accents.
    name_key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organization.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Optional["Organization"]] = relationship(remote_side=[id])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.name and not self.name_key:
            self.name_key = fold(self.name)

    @property
    def is_region(self) -> bool:
        return self.kind == OrgKind.REGION

    @property
    def is_sector(self) -> bool:
        return self.kind == OrgKind.SECTOR

    @property
    def kind_label(self) -> str:
        return OrgKind.LABELS.get(self.kind, self.kind)

    @property
    def alias_list(self) -> list[str]:
        return [a for a in (self.aliases or "").split("|") if a.strip()]

    def match_keys(self) -> set[str]:
        """Every folded spelling this organization answers to."""
        keys = {fold(self.name), fold(self.code), fold(self.official_name)}
        keys.update(fold(a) for a in self.alias_list)
        keys.discard("")
        return keys

    def __repr__(self) -> str:
        return f"<Organization {self.kind}:{self.code or self.id} {self.name}>"
