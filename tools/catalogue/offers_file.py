"""`loyalty offers load FILE.toml`: the retailer's offer families, from a file a person writes.

Each `[[offers]]` table is one offer template: `code` (unique), `type` (none, percent_off,
amount_off, free_shipping, bonus_points, points_multiplier, bundle, early_access, gift), a
`description`, the value its type needs (`discount_pct`, `amount_off`, `points_multiplier`,
`bonus_points`), `min_spend` and `active`. The whole file is validated before anything is written,
then written in one transaction: codes in the file are added or updated, codes not in it are left
as they are (set `active = false` to retire one). Loading the same file twice changes nothing.
An example ships in docs/examples/offers.toml.
"""

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select

from policies.vocabulary import OfferType
from tools.errors import InvalidInput
from tools.files import read_toml, validation_problems
from tools.importers import ImportSummary
from tools.storage import Database, OfferTemplate, begin_write

NEEDS = {
    OfferType.PERCENT_OFF: "discount_pct",
    OfferType.BUNDLE: "discount_pct",
    OfferType.AMOUNT_OFF: "amount_off",
    OfferType.POINTS_MULTIPLIER: "points_multiplier",
    OfferType.BONUS_POINTS: "bonus_points",
}
VALUES = ("discount_pct", "amount_off", "points_multiplier", "bonus_points")


class OfferSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    type: OfferType
    description: str = Field(min_length=1, max_length=200)
    discount_pct: float | None = Field(None, gt=0, le=100)
    amount_off: float | None = Field(None, gt=0)
    points_multiplier: float | None = Field(None, gt=1)
    bonus_points: int | None = Field(None, gt=0)
    min_spend: float = Field(0.0, ge=0)
    active: bool = True

    @model_validator(mode="after")
    def _value_for_type(self) -> Self:
        needed = NEEDS.get(self.type)
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"a {self.type.value} offer needs {needed}")
        stray = [v for v in VALUES if v != needed and getattr(self, v) is not None]
        if stray:
            raise ValueError(f"a {self.type.value} offer takes no {', '.join(stray)}")
        return self


class OffersFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    offers: list[OfferSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        codes = [o.code for o in self.offers]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"codes appear more than once: {', '.join(repeated)}")
        return self


def read_offers(path: Path) -> OffersFile:
    try:
        return OffersFile.model_validate(read_toml(path, "offers file"))
    except ValidationError as exc:
        raise InvalidInput(f"offers file {path}: {validation_problems(exc)}") from None


async def load_offers(db: Database, path: Path) -> ImportSummary:
    spec = read_offers(path)
    summary = ImportSummary(what=f"offers from {path.name}")
    async with db.session() as session, session.begin():
        await begin_write(session)
        stored = {o.code: o for o in (await session.scalars(select(OfferTemplate))).all()}
        for offer in spec.offers:
            values = offer.model_dump(mode="json")
            existing = stored.get(offer.code)
            if existing is None:
                session.add(OfferTemplate(**values))
                summary.added += 1
            elif all(getattr(existing, k) == v for k, v in values.items()):
                summary.unchanged += 1
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                summary.updated += 1
    return summary
