"""wslint: a static checker for Python code that pushes live updates to WebSocket clients."""

__version__ = "0.2.0"
