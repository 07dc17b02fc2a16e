from django.contrib import admin  # noqa: F401  (alerts and subscriptions are registered here as they arrive)
