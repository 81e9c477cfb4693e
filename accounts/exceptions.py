class WrongPassword(Exception):
    """The password given to confirm a sensitive action does not match the account's."""
