"""What every CSV or XLSX export of the service shares."""

# Spreadsheet programs run a text cell starting with one of these as a formula (CSV injection), so text that
# starts with one is written with a leading apostrophe. Numbers and dates are data and pass unchanged
# (a negative longitude is not a formula).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_value(value):
    """`value` as it may safely go into a spreadsheet cell: None becomes empty, risky text is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
