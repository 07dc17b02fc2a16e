from django.contrib import admin  # noqa: F401  (models are registered here as they arrive)
