"""What every upload shares: one size limit for a request's body, and CSV files read as a stream of lines.

A request whose body is larger than UPLOAD_MAX_BYTES is answered 413 before anything reads it (the JSON error
under /api/, a page elsewhere): a web process never holds an outsized file. Files within the limit are spooled
to disk by Django past FILE_UPLOAD_MAX_MEMORY_SIZE, and `csv_text_lines` hands an import one decoded line at a
time, never the whole file as bytes and again as text, and refuses a file of more than IMPORT_MAX_ROWS lines when
it reaches the line after them (an import checks every row before it writes, so it holds what it has read).
"""

from collections.abc import Iterator

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.http import JsonResponse
from django.shortcuts import render

from core.errors import ImportRejected


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
    return f"{max(size // 1024, 1):,} KB"


class RequestSizeLimitMiddleware:
    """Answers 413 to a request that says (Content-Length) its body is larger than UPLOAD_MAX_BYTES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        limit = settings.UPLOAD_MAX_BYTES
        if length <= limit:
            return self.get_response(request)
        message = (
            f"The request is {_size(length)}; the service accepts at most {_size(limit)}. "
            "Split the file, or ask an administrator about UPLOAD_MAX_MB."
        )
        if request.path.startswith("/api/"):
            from core.api import error_body

            return JsonResponse(error_body(status_code=413, code="too_large", message=message), status=413)
        return render(request, "errors/413.html", {"message": message}, status=413)


def csv_text_lines(content: bytes | str | File) -> Iterator[str]:
    """The lines of a CSV file as text for csv.reader, decoded one at a time (UTF-8, with or without a byte
    order mark). A line that is not UTF-8, or holds a NUL character (no CSV text does, and PostgreSQL could
    not store it), rejects the file naming its line; so does the line after IMPORT_MAX_ROWS."""
    file = content if isinstance(content, File) else ContentFile(content)
    file.seek(0)
    limit = settings.IMPORT_MAX_ROWS
    for number, line in enumerate(file, start=1):
        if number > limit:
            raise ImportRejected(
                f"The file has more than {limit:,} lines; split it, or ask an administrator about "
                "IMPORT_MAX_ROWS. Nothing was imported.",
                problems=[{"row": number, "field": None, "message": f"More than {limit:,} lines."}],
            )
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise ImportRejected(
                    f"The file is not UTF-8 text (row {number}); save it as CSV UTF-8 and upload it again. "
                    "Nothing was imported.",
                    problems=[{"row": number, "field": None, "message": "Not UTF-8 text."}],
                ) from None
        elif number == 1:
            line = line.removeprefix("\ufeff")
        if "\x00" in line:
            raise ImportRejected(
                f"The file has a NUL character (row {number}): it is not a CSV text file. Nothing was imported.",
                problems=[{"row": number, "field": None, "message": "A NUL character."}],
            )
        yield line
