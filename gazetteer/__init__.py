"""Places and their P-codes (MIMU, OCHA COD-AB): a leaf app, importing nothing from reports."""
