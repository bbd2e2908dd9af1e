"""One module per Lambda function. Each is thin: parse -> call logic in `aicc` -> publish."""

import os

# pydantic looks for plugins through importlib.metadata on first import (~15 ms of cold start);
# we use none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
