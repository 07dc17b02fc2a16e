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
        from accounts.roles import Role
        from core.navigation import nav_item

        # Compliance officers start in the inbox; every member of staff may open it, brokers and administrators
        # (whose home page points to the admin) from its address.
        inbox_roles = {Role.COMPLIANCE_OFFICER, Role.COMMISSIONER, Role.CONTRACT_OFFICER}
        nav_item("Alerts", "tasks-web:inbox", roles=inbox_roles, order=15, prefix="/alerts/")
        nav_item(
            "Who hears what",
            "tasks-web:who-hears-what",
            roles={Role.ADMINISTRATOR},
            order=82,
            prefix="/alerts/who-hears-what/",
        )
        # Brokers and administrators hear of alerts too (void beds; channels failing) without using the inbox.
        nav_item(
            "Alert settings",
            "tasks-web:settings",
            roles={Role.BROKER, Role.ADMINISTRATOR},
            order=81,
            prefix="/alerts/settings/",
        )
        nav_item("Alerts", "tasks-portal:alerts", roles={Role.PROVIDER_USER}, order=13, prefix="/portal/alerts/")
        from core.slots import slot_fill
        from tasks.web.home_alerts import home_alerts

        slot_fill("contracts.home_alerts", key="tasks", template="tasks/home_alerts.html", context=home_alerts)
        from quality.risk import risk_signal_register
        from tasks.selectors import open_alerts_at

        risk_signal_register(
            "open_alerts",
            values=open_alerts_at,
            points=lambda alerts: min(25, 5 * alerts),
            describe=lambda alerts: f"{alerts} open {'alert' if alerts == 1 else 'alerts'}",
        )
        from contracts.signals import risk_changed as contracts_changed
        from market.signals import risk_changed as market_changed
        from providers.signals import risk_changed as providers_changed
        from quality.signals import risk_changed as quality_changed
        from tasks.rules import load
        from tasks.triggers import on_risk_changed

        load()
        for signal in (providers_changed, quality_changed, contracts_changed, market_changed):
            signal.connect(on_risk_changed, dispatch_uid=f"tasks.triggers.{signal is providers_changed}{id(signal)}")
        from accounts.services import roles_changed_listen
        from tasks.services.delivery.subscriptions import subscriptions_follow_roles

        # A person's default subscriptions are made when they are given a role, whichever door it came through.
        roles_changed_listen("tasks.subscriptions", subscriptions_follow_roles)
        post_migrate.connect(_rules_sync_after_migrate, sender=self, dispatch_uid="tasks.rules_sync")
