"""Workflows of the installation as a whole (backup and restore)."""
