import os

# GUI tests run without a display; core tests never import Qt at all.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
