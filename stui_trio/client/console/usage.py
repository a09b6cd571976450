"""The one exception a ``:command`` raises for wrong arguments; its message is the usage line."""


class UsageError(Exception):
    """A :command was given the wrong arguments; the message is its usage line."""
