"""Convoca: convene, decide and act across borders."""
