"""Foundations shared by every domain app: roles, change history, security, bilingual display."""
