"""Synthetic WXR generator and benchmark harness for wxr2db (not part of the package)."""
