"""How two spellings of a person's name compare (no Django import).

Names compare without case, accents, spaces at the ends or doubled, and with hyphens and apostrophes read as
spaces: "Lea  martin" is "Léa MARTIN". Certification's identity check and the matching of Pix's exports to the
school's pupils read names the same way.
"""

import re
import unicodedata


def normalized_name(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"[-'’`]", " ", plain)
    return " ".join(plain.split())
