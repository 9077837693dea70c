"""A browser's User-Agent header in plain words ("Chrome on Android"), for the Share page's
list of who viewed what. Only the common browsers and systems are named; anything else is
"another browser" rather than the raw header, which a visitor controls."""

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
             ("CriOS/", "Chrome"), ("HeadlessChrome/", "Chrome (headless)"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Macintosh", "Mac"), ("Linux", "Linux"))


def describe_device(user_agent) -> str:
    if not isinstance(user_agent, str) or not user_agent.strip():
        return "unknown browser"
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "another browser")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    return f"{browser} on {system}" if system else browser
