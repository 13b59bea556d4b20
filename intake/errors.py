"""The one error intake raises for input it cannot read; the message names the field and is for
the person who sent it."""


class IntakeInputError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
