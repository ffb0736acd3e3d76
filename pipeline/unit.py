"""A reporting unit as the registry holds it: one row of ``units.csv`` or ``extra_units.csv``
(columns: :data:`pipeline.registry.UNIT_COLUMNS`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    full_name: str
    level: str
    kind: str
    statutory_parent: str | None
    managing_body: str | None
    files_own_report: bool
    can_make_rules: bool
    deadline_kind: str
    valid_from: int | None
    valid_to: int | None
    name_from: int | None
    note: str
    source: str = "units.csv"

    def exists_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)

    def label(self) -> str:
        return f"{self.unit_id} {self.name}"
