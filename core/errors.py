"""Domain exceptions. Services raise these; core.api.exception_handler maps them to HTTP in one place."""


class DomainError(Exception):
    """A request the service understood but cannot carry out. `field` names the input at fault, if any."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request lost a race or contradicts the current state (e.g. the last void bed was just taken)."""

    status_code = 409
    code = "conflict"


class ImportRejected(DomainError):
    """A file was rejected whole. `problems` lists (row, field, message); nothing was written."""

    code = "import_rejected"

    def __init__(self, message: str, *, problems: list[dict] | None = None):
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message]
        for problem in self.problems[:50]:
            where = ", ".join(f"{key} {problem[key]}" for key in ("row", "field") if problem.get(key) is not None)
            lines.append(f"  {where}: {problem['message']}" if where else f"  {problem['message']}")
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "unavailable"
