from django.contrib import admin  # noqa: F401  (alerts and subscriptions are registered here as they arrive)

from tasks import admin_delivery  # noqa: E402,F401  (delivery: channels, subscriptions, the delivery log)
