"""The one domain exception family; the web and API layers map it to responses once."""


class ActionRefused(Exception):
    """A service refused an action; nothing was changed. The message is for the user."""

    code = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(ActionRefused):
    code = "transition_not_allowed"


class NotPermitted(ActionRefused):
    code = "not_permitted"


class ConcurrentModification(ActionRefused):
    code = "conflict"


class Busy(ConcurrentModification):
    """The database gave up on the change because others were changing the same rows at that
    moment (a deadlock or a serialisation failure), even after retrying: nothing was saved."""

    code = "busy"
