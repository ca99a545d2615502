"""People: who uses the platform (language, invitations, contacts) and how they are reached."""
