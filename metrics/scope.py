"""Whose data a caller may see.  Every query function takes a Scope and hands it to the query layer
(`metrics.db.query(..., scope=...)`), which binds it into the two relations every query reads its
communes from (metrics/db.py, SCOPE_SQL): `scoped_commune` (commune_code, province_code) and the one-row
`scope` (level, province_code, commune_code).  A query never filters on scope parameters itself, and
tests/metrics/test_scope_sql.py fails when a query reads a fact or mart table without `scoped_commune`.

* the Scope itself — the caller's own data (dossiers, signatures, counts, loads): a commune scope
  sees its one commune, a province scope its province;
* `published()` — published service-index results (scores and ranks as the national portal
  publishes them): public within the province, so a commune scope reads its whole province's
  published index, and never anything else of the other communes.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("national", "province", "commune")


@dataclass(frozen=True)
class Scope:
    level: str = "national"  # national | province | commune
    province_code: int | None = None
    commune_code: int | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown scope level {self.level!r}")
        if self.level in ("province", "commune") and self.province_code is None:
            raise ValueError(f"a {self.level} scope needs a province code")
        if self.level == "commune" and self.commune_code is None:
            raise ValueError("a commune scope needs a commune code")

    @classmethod
    def national(cls) -> Scope:
        return cls()

    @property
    def is_national(self) -> bool:
        return self.level == "national"

    def sql_params(self) -> dict:
        """The parameters metrics/db.py binds the scoped relations with (SCOPE_SQL)."""
        return {
            "scope_level": self.level,
            "scope_province": self.province_code if self.level in ("province", "commune") else None,
            "scope_commune": self.commune_code if self.level == "commune" else None,
        }

    def published(self) -> Scope:
        """The scope for published index results only (scores, ranks): a commune scope widens to its
        province; nothing else changes."""
        return Scope("province", self.province_code) if self.level == "commune" else self

    def allows(
        self, province: int | None = None, commune_province: int | None = None, commune: int | None = None
    ) -> bool:
        """May this scope see the province / the commune (of province `commune_province`)?"""
        if self.level == "national":
            return True
        if province is not None and province != self.province_code:
            return False
        if commune is not None:
            if commune_province is not None and commune_province != self.province_code:
                return False
            if self.level == "commune" and commune != self.commune_code:
                return False
        return True


OPEN = Scope.national()


def for_role(role: str, code: int | None, path=None) -> Scope:
    """The Scope of a user's role and scope code (province code; commune code for `commune`).
    Raises ValueError for an unknown role or a code that is not in dim_commune / dim_province."""
    from metrics import db

    if role == "national":
        return OPEN
    if code is None:
        raise ValueError(f"role {role!r} needs a scope code")
    if role in ("province", "steward"):
        df = db.query(
            "select province_code from dim_province where province_code = $code", {"code": int(code)}, path
        )
        if df.empty:
            raise ValueError(f"unknown province code {code}")
        return Scope("province", int(code))
    if role == "commune":
        df = db.query(
            "select province_code from dim_commune where commune_code = $code", {"code": int(code)}, path
        )
        if df.empty:
            raise ValueError(f"unknown commune code {code}")
        return Scope("commune", int(df.iloc[0, 0]), int(code))
    raise ValueError(f"unknown role {role!r}")
