"""Hostile input for the fuzz tests: what a file or a person may type, from the plausible to the absurd."""

from hypothesis import strategies as st

# Formula prefixes, markup, SQL, path tricks, control and invisible characters, right-to-left marks, astral
# planes, combining accents, the XML specials, separators of our CSVs.
HOSTILE_SAMPLES = (
    "",
    " ",
    '=HYPERLINK("http://x";"y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE orga_pupil; --",
    "../../etc/passwd",
    "Zoé\u0301 Ñúñez-Ølsen",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "💾🧑‍🎓",
    "a\x00b",
    "a\r\nb",
    '\t;"',
    "&amp;<>&#x26;",
    "NA",
    "-",
    "0",
    "9" * 40,
    "x" * 300,
)

# Text as people type it, plus the rarer characters (no surrogates: they cannot be encoded at all).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)
hostile_text = st.one_of(st.sampled_from(HOSTILE_SAMPLES), any_text)
short_hostile_text = st.one_of(st.sampled_from(HOSTILE_SAMPLES), st.text(max_size=20))


def mutated(data: bytes):
    """`data` with a few bytes flipped, cut, or repeated: the damaged upload."""

    def mutate(draw_args):
        cuts, position, junk = draw_args
        position = position % (len(data) + 1)
        if cuts == 0:
            return data[:position]
        if cuts == 1:
            return data[:position] + junk + data[position:]
        if cuts == 2:
            return data[:position] + junk + data[position + len(junk) :]
        return data + data[position:]

    return st.tuples(st.integers(0, 3), st.integers(0, 10**9), st.binary(min_size=1, max_size=16)).map(mutate)
