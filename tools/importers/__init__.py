"""Real data in: the Complete Journey importer, a generic transactions CSV importer, and the
data-quality audit and rejects file both end with."""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.importers.column_map import FIELDS, parse_map
    from tools.importers.completejourney import CompleteJourneyOptions, import_completejourney, load_tables
    from tools.importers.consents import import_consents
    from tools.importers.contacts import import_contacts
    from tools.importers.import_report import ImportReport
    from tools.importers.products import import_products
    from tools.importers.row_files import ImportSummary
    from tools.importers.stock import import_stock
    from tools.importers.transactions_csv import CsvOptions, import_transactions_csv

__all__ = [
    "CompleteJourneyOptions",
    "CsvOptions",
    "FIELDS",
    "ImportReport",
    "ImportSummary",
    "import_completejourney",
    "import_consents",
    "import_contacts",
    "import_products",
    "import_stock",
    "import_transactions_csv",
    "load_tables",
    "parse_map",
]

__getattr__ = lazy_exports(__name__)
