"""Text from the data (a domain, a client's or an investor's name, an email) shown inside
Streamlit's markdown (titles, captions, alerts, labels, toasts) must stay text: a value like
`![x](http://host/beacon.png)` would otherwise load an image, and `:red[...]` or `$...$` would
restyle the page. This is the one helper every such place uses."""

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones that
# start markup in Streamlit's markdown (links, images, emphasis, code, HTML, directives, LaTeX).
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=&])")


def md(value) -> str:
    """`value` as literal text inside markdown: markup characters escaped, line breaks flattened."""
    return _MARKUP.sub(r"\\\1", " ".join(str(value).split()))
