"""Text from the data (a domain, a client's or an investor's name, an email) shown inside
Streamlit's markdown (titles, captions, alerts, labels, toasts) must stay text: a value like
`![x](http://host/beacon.png)` would otherwise load an image, and `:red[...]` or `$...$` would
restyle the page. This is the one helper every such place uses."""

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# make markup anywhere in a line in Streamlit's markdown (links, images, emphasis, code, HTML,
# directives and emoji, LaTeX, strikethrough, tables).
_MARKUP = re.compile(r"([\\`*_{}\[\]()!|<>~:$])")
# and these only where a line starts (lists, headings, quotes, rules): line breaks are flattened,
# so only the value's own start can be one
_LINE_START = re.compile(r"^(\d+(?=[.)])|)([-+#=.)])")


# Addresses become links by themselves (GitHub's autolinks), escaped or not; a zero-width space
# after "www" and inside "://" keeps them text.
_AUTOLINK = re.compile(r"(?i)(www)(\.)|(\\:)(//)")
_ZERO_WIDTH_SPACE = "\u200b"


def md(value) -> str:
    """`value` as literal text inside markdown: markup characters escaped, line breaks flattened,
    web addresses kept from becoming links."""
    text = _MARKUP.sub(r"\\\1", " ".join(str(value).split()))
    text = _AUTOLINK.sub(lambda m: (m.group(1) or m.group(3)) + _ZERO_WIDTH_SPACE + (m.group(2) or m.group(4)), text)
    return _LINE_START.sub(r"\1\\\2", text)
