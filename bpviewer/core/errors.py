"""Errors the engine raises for bad input; each carries a message fit for a user."""


class BpviewerError(Exception):
    """Base class: an input bpviewer refuses, with a one-line reason."""


class ProjectError(BpviewerError):
    """A project file or project description that cannot be used."""


class DataError(BpviewerError):
    """A data set (CSV file, inline arrays, preset) that cannot be used."""


class StepError(BpviewerError):
    """A step-machine request that is not allowed now (e.g. Backward before Forward)."""


class Refused(BpviewerError):
    """A document action that is not allowed now; the message is the one line a user sees
    (the window's status bar, the command line's stderr, the API's exception), and the
    document is unchanged."""
