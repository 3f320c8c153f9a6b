"""The MiniCRM terminal app (Textual)."""
import os

# Screen updates are capped at TEXTUAL_FPS frames a second (Textual's default 60): a
# keystroke's new results wait for the next frame.  120 halves that wait; frames are
# only drawn when something changed, so an idle screen costs nothing more.
os.environ.setdefault("TEXTUAL_FPS", "120")
