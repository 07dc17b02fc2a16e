from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rules_sync_after_migrate(sender, **kwargs) -> None:
    from tasks.services.rules import rules_sync

    rules_sync(using=kwargs.get("using", "default"))


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "Risk rules, alerts and schedules"

    def ready(self) -> None:
        from contracts.signals import risk_changed as contracts_changed
        from market.signals import risk_changed as market_changed
        from providers.signals import risk_changed as providers_changed
        from tasks.rules import load
        from tasks.triggers import on_risk_changed

        load()
        for signal in (providers_changed, contracts_changed, market_changed):
            signal.connect(on_risk_changed, dispatch_uid=f"tasks.triggers.{signal is providers_changed}{id(signal)}")
        post_migrate.connect(_rules_sync_after_migrate, sender=self, dispatch_uid="tasks.rules_sync")
