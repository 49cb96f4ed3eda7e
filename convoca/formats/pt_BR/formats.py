"""Brazilian Portuguese writes month names in lower case ("19 de outubro de
2026"); Django's catalogue capitalises them. These formats use "E", the
month's name in the "alt. month" context, which our catalogue gives in lower
case (convoca/formats/months.py marks the names). Formats not set here come
from Django's pt_BR module."""

DATE_FORMAT = r"j \d\e E \d\e Y"
DATETIME_FORMAT = r"j \d\e E \d\e Y à\s H:i"
YEAR_MONTH_FORMAT = r"E \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e E"
