"""The refusals of progress operations; str(error) is the Dutch message for the user."""


class ProgressError(Exception):
    """A refused operation."""


class WorkflowError(ProgressError):
    """Not possible in this state or with these data (show the message, status 400/409)."""


class PeriodClosed(WorkflowError):
    """The reporting period is closed."""


class StaleUpdate(WorkflowError):
    """Someone else changed the update since the form was loaded."""


class PermissionDenied(ProgressError):
    """This user may not do this (403)."""
