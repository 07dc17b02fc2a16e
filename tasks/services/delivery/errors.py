class DeliveryFailed(Exception):
    """A send did not go through. `permanent` when trying again cannot help (the address is refused, the
    key is wrong): the notification goes straight to the dead letters instead of being retried."""

    def __init__(self, message: str, *, permanent: bool = False, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status_code = status_code
