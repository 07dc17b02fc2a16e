# Reads and calculations for this app (see STYLE.md).
