"""The one user-facing error type: raised deep, caught only in `verify.cli.main` (exit status 2)."""

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input from the user (sheet, claim id, option); the message says what and where."""
