"""The exceptions of the bubblesim package."""


class ScenarioError(ValueError):
    """A scenario (or a --set value, or a column name) cannot be used.

    ``errors`` lists every problem found, each a dict with ``file``, ``line``, ``col`` (1-based;
    line 0 means the whole file), ``pointer`` (a JSON pointer, or ""), ``severity``,
    ``message`` and ``text`` (the ``file:line:col: error: message`` line the command line
    prints). ``str(error)`` is those lines.
    """

    def __init__(self, text, errors=()):
        super().__init__(text)
        self.errors = list(errors)


class DatabaseError(RuntimeError):
    """A results database cannot be created, opened, read or written."""
