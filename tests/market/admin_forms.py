def form_errors(response) -> dict:
    """The errors an admin form shows again, by field (the answer is the form, not a redirect)."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return {field: " ".join(messages) for field, messages in form.errors.items()}
