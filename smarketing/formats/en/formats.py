# One way to write a day in English, on every page, chart, e-mail and admin list:
# "30 Nov 2026" cannot be read as another day, unlike 11/30/2026 or 30/11/2026.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
