# Writes for this app: keyword-only, @transaction.atomic (see STYLE.md).
