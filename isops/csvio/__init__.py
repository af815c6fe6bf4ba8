"""CSV import and export of leads (CRM round trips): `import_leads`, `export_leads`."""

from isops.csvio.exporter import export_leads
from isops.csvio.importer import (
    ImportPolicy,
    ImportResult,
    RowError,
    authorize_import,
    import_leads,
    import_pasted_csv,
)

__all__ = [
    "ImportPolicy",
    "ImportResult",
    "RowError",
    "authorize_import",
    "export_leads",
    "import_leads",
    "import_pasted_csv",
]
