"""Whose data a caller may see.  Every query function takes a Scope and filters with it in SQL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    level: str = "national"            # national | province | commune
    province_code: int | None = None
    commune_code: int | None = None

    @classmethod
    def national(cls) -> Scope:
        return cls()

    def sql_params(self) -> dict:
        """Bound parameters for the `scope_*` placeholders used by every scoped query."""
        return {"scope_province": self.province_code if self.level in ("province", "commune") else None,
                "scope_commune": self.commune_code if self.level == "commune" else None}


OPEN = Scope.national()
