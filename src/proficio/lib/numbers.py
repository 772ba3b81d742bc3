"""Numbers inside sentences the engine worded, in the reader's decimal mark ("2.67" reads
"2,67" in Spanish). Only for text shown to a person: forms and stored records keep the
point."""

import re

from django.utils import formats

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def localized_decimals(text: str) -> str:
    mark = formats.get_format("DECIMAL_SEPARATOR")
    return text if mark == "." else _DECIMAL.sub(mark, text)
