"""The file name of every download, and the `Content-Disposition` header that carries it.

Names are built from what people typed (a class name from SIECLE, a campaign, an uploaded file): a line
break or a quote in a header makes Django refuse the response (a 500 after the work is done), or would let
the name write a header of its own. `download_filename` keeps printable characters only, without quotes,
path separators or characters Windows refuses; `content_disposition` sends it in plain ASCII, plus the
accented name for browsers that read it (RFC 6266).
"""

import re
import unicodedata
from urllib.parse import quote

DEFAULT_NAME = "document"
MAX_LENGTH = 150
# Control characters (Cc), invisible format characters such as right-to-left overrides (Cf), separators.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}
_REFUSED = re.compile(r"[\"'`/\\:*?<>|;]")


def download_filename(name, default=DEFAULT_NAME):
    """`name` as a safe file name: printable, no quotes or separators, at most MAX_LENGTH characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(char for char in name if unicodedata.category(char) not in _INVISIBLE)
    name = _REFUSED.sub("-", name)
    name = re.sub(r"\s+", " ", name).strip(" .-")
    if not name:
        return default
    if len(name) > MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 5:
            name = stem[: MAX_LENGTH - len(extension) - 1].rstrip(" .-") + "." + extension
        else:
            name = name[:MAX_LENGTH]
    return name


def _ascii(name):
    decomposed = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return decomposed.strip(" .-") or DEFAULT_NAME


def content_disposition(name, *, attachment=True):
    """The header's value: `attachment` (downloaded) or `inline` (shown), with the safe file name."""
    filename = download_filename(name)
    kind = "attachment" if attachment else "inline"
    fallback = _ascii(filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"
