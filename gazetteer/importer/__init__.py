"""Import places from the standard gazetteer CSV files (MIMU P-code releases, OCHA COD-AB
tabular files): everything is checked before anything is written."""

from .apply import FileResult, GazetteerImportError, Rejection, import_files
from .reading import read_file

__all__ = ["FileResult", "GazetteerImportError", "Rejection", "import_files", "read_file"]
