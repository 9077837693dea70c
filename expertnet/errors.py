"""The one error every layer raises for input a person got wrong: a month, a filter, an
email, a label. Callers show its message as it is, so the message says what is expected."""


class BadInput(ValueError):
    """User input that cannot be used; the message says what is expected."""
