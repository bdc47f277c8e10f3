"""The one root exception type of Pluk and its few specialisations.

Anything a user can cause (a bad task file, a missing model, an unusable run folder) raises a
PlukError whose message is one plain sentence fit for a dialog or a CLI error line.
"""


class PlukError(Exception):
    """Root of every error Pluk raises on purpose."""


class TaskError(PlukError):
    """A task file or definition is invalid; the message lists every problem."""


class ModelError(PlukError):
    """A model file is missing, unreadable, or not a usable GGUF."""


class RunFolderError(PlukError):
    """A run folder cannot be created, read, or resumed."""


class CancelledError(PlukError):
    """The user asked to stop; raised inside the engine, caught by the pipeline."""


class ChatTemplateError(PlukError):
    """A model's chat template cannot render Pluk's prompt; the message names the model."""
