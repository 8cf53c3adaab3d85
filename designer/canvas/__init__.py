"""The diagram canvas: scene (model -> items, gestures -> undo commands) and view."""

from .scene import DiagramScene
from .view import SERVICE_MIME_TYPE, CanvasView

__all__ = ["DiagramScene", "CanvasView", "SERVICE_MIME_TYPE"]
