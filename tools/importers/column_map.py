"""`--map`: which CSV column feeds which field of a transaction line.

Written `field=Column` pairs, comma-separated and/or repeated, e.g. for the common online-retail
layout: `order_id=InvoiceNo,sku=StockCode,product_name=Description,quantity=Quantity,
placed_at=InvoiceDate,unit_price=UnitPrice,customer_id=CustomerID`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tools.errors import InvalidInput

REQUIRED = {
    "order_id": "order (invoice, basket) identifier; lines with the same one form an order",
    "customer_id": "the member's identifier in the source (becomes their external id)",
    "sku": "product identifier",
    "quantity": "units; negative for a return",
    "unit_price": "shelf price per unit",
    "placed_at": "when the order was placed",
}
OPTIONAL = {
    "product_name": "product description",
    "category": "product category (default: Uncategorised)",
    "department": "product department (default: General)",
    "discount": "money off the line (default: 0)",
    "unit_cost": "cost per unit (default: a share of the price, --cost-ratio)",
    "channel": "online, store or app (default: --channel)",
    "coupon_code": "coupon used on the order",
    "email": "the member's e-mail",
    "postcode": "the member's postcode",
}
FIELDS = {**REQUIRED, **OPTIONAL}


@dataclass(frozen=True)
class ColumnMap:
    columns: dict[str, str]  # field -> CSV column

    def source(self, field: str) -> str | None:
        return self.columns.get(field)

    def check_header(self, header: Sequence[str], file: str) -> None:
        missing = [
            f"{column} (for {field})" for field, column in self.columns.items() if column not in header
        ]
        if missing:
            raise InvalidInput(
                f"--map names columns that {file} does not have: {', '.join(missing)}; "
                f"its columns are: {', '.join(header)}"
            )


def parse_map(specs: Iterable[str]) -> ColumnMap:
    columns: dict[str, str] = {}
    for spec in specs:
        for pair in filter(None, (p.strip() for p in spec.split(","))):
            field, equals, column = pair.partition("=")
            field, column = field.strip(), column.strip()
            if not equals or not field or not column:
                raise InvalidInput(f"--map entry {pair!r} is not field=Column")
            if field not in FIELDS:
                raise InvalidInput(f"--map names unknown field {field!r}; fields are: {', '.join(FIELDS)}")
            if field in columns and columns[field] != column:
                raise InvalidInput(f"--map gives {field} twice ({columns[field]!r} and {column!r})")
            columns[field] = column
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise InvalidInput(f"--map lacks required fields: {', '.join(missing)}")
    return ColumnMap(columns)
