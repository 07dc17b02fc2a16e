"""One's own alerting, for people: what they hear about (subscriptions), where it goes (channels) and what was sent
(deliveries); a team's owners manage the team's the same way. Thin: the reads are the delivery selectors, every
change is a delivery service (tasks.services.delivery), whose messages show on the forms.

Only one's own and one's teams' (as owner) are here: another person's subscription or channel is a 404, whatever
the role of the person asking (administrators manage anyone's in the admin).
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from accounts.capabilities import SIGNED_IN
from accounts.models import Team
from core import present
from core.errors import DomainError, NotFound
from core.web import RoleRequiredMixin, form_error
from tasks.models import Channel, ChannelKind, NotificationStatus, Severity, Subscription
from tasks.selectors.delivery import (
    channels_managed_by,
    deliveries_to,
    subscriptions_managed_by,
    teams_managed_by,
)
from tasks.services.delivery import sending, subscriptions
from tasks.web.forms import ChannelForm, SubscriptionForm, channel_label

STATUS_COLOURS = {
    NotificationStatus.PENDING: "blue",
    NotificationStatus.RETRYING: "yellow",
    NotificationStatus.SENT: "green",
    NotificationStatus.DEAD: "red",
}
# The service's field names that the forms call otherwise.
FORM_FIELDS = {"immediate": "timing", "digest": "timing", "rotate_secret": None}


def _settings_url() -> str:
    return reverse("tasks-web:settings")


def _error_on(form, error: DomainError) -> None:
    form_error(form, DomainError(error.message, field=FORM_FIELDS.get(error.field, error.field)))


def subscription_rows(items) -> list[dict]:
    """A subscription in words: what it hears of, where and when."""
    rows = []
    for subscription in items:
        rules = [rule.name for rule in subscription.rules.all()]
        areas = [area.name for area in subscription.localities.all()]
        severities = [Severity(value).label for value in subscription.severities if value in Severity.values]
        when = [
            text
            for on, text in ((subscription.immediate, "as they happen"), (subscription.digest, "daily digest"))
            if on
        ]
        rows.append(
            {
                "subscription": subscription,
                "name": subscription.name or f"Subscription {subscription.pk}",
                "rules": present.listed(rules) if rules else "Every rule",
                "severities": present.listed(severities) if severities else "Every severity",
                "areas": present.listed(areas) if areas else "Everywhere",
                "channels": [channel_label(channel) for channel in subscription.channels.all()],
                "when": present.listed(when),
            }
        )
    return rows


class SettingsMixin(RoleRequiredMixin):
    capability = SIGNED_IN

    @cached_property
    def teams(self) -> list[Team]:
        return list(teams_managed_by(self.request.user))

    def owner_team(self) -> Team | None:
        """The team of the address (…/teams/<team_id>/…), if the person owns it; else a 404. None: their own."""
        team_id = self.kwargs.get("team_id")
        if team_id is None:
            return None
        team = next((team for team in self.teams if team.pk == team_id), None)
        if team is None:
            raise Http404("No such team of yours.")
        return team

    def owner_channels(self, *, team: Team | None) -> list[Channel]:
        channels = channels_managed_by(self.request.user).filter(enabled=True)
        return list(channels.filter(team=team) if team else channels.filter(user=self.request.user))


class SettingsView(SettingsMixin, TemplateView):
    """Every subscription and channel of the person and of the teams they own, and the latest deliveries."""

    template_name = "tasks/settings.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        channels = channels_managed_by(user)
        items = list(subscriptions_managed_by(user))
        owners = [{"team": None, "title": "Yours"}] + [{"team": team, "title": team.name} for team in self.teams]
        for owner in owners:
            team = owner["team"]
            owner["subscriptions"] = subscription_rows(
                [item for item in items if (item.team_id == team.pk if team else item.user_id == user.pk)]
            )
            owner["channels"] = [
                {"channel": channel, "label": channel_label(channel)}
                for channel in channels
                if (channel.team_id == team.pk if team else channel.user_id == user.pk)
            ]
        deliveries = deliveries_to(channels)
        for notification in deliveries:
            notification.status_colour = STATUS_COLOURS.get(notification.status, "grey")
            notification.channel_label = channel_label(notification.channel)
        return super().get_context_data(owners=owners, deliveries=deliveries, **kwargs)


class SubscriptionNewView(SettingsMixin, TemplateView):
    template_name = "tasks/settings_subscription.html"

    def get_context_data(self, form=None, **kwargs):
        team = self.owner_team()
        if form is None:
            form = SubscriptionForm(channels=self.channels(team), initial={"timing": "immediate", "enabled": "on"})
        return super().get_context_data(form=form, team=team, subscription=None, **kwargs)

    def channels(self, team: Team | None) -> list[Channel]:
        # A person's inbox was made with their role (subscriptions_follow_roles): nothing is written on a read.
        return self.owner_channels(team=team)

    def post(self, request, *args, **kwargs):
        team = self.owner_team()
        form = SubscriptionForm(request.POST, channels=self.channels(team))
        if form.is_valid():
            try:
                subscription = subscriptions.subscription_create(
                    by=request.user, user=None if team else request.user, team=team, **form.service_values()
                )
            except DomainError as error:
                _error_on(form, error)
            else:
                messages.success(request, f"Subscription added: {subscription_rows([subscription])[0]['name']}.")
                return HttpResponseRedirect(_settings_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())


class SubscriptionChangeView(SettingsMixin, TemplateView):
    template_name = "tasks/settings_subscription.html"

    @cached_property
    def subscription(self) -> Subscription:
        subscription = subscriptions_managed_by(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if subscription is None:
            raise Http404("No such subscription of yours.")
        return subscription

    def form(self, data=None) -> SubscriptionForm:
        subscription = self.subscription
        return SubscriptionForm(
            data,
            channels=self.owner_channels(team=subscription.team),
            initial=SubscriptionForm.initial_of(subscription),
        )

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            form=form or self.form(), team=self.subscription.team, subscription=self.subscription, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                subscriptions.subscription_update(
                    subscription=self.subscription, by=request.user, **form.service_values()
                )
            except NotFound as error:
                raise Http404(error.message) from error
            except DomainError as error:
                _error_on(form, error)
            else:
                messages.success(request, "Subscription changed.")
                return HttpResponseRedirect(_settings_url())
        return self.render_to_response(self.get_context_data(form=form))


class SubscriptionRemoveView(SubscriptionChangeView):
    """GET asks to confirm; POST removes."""

    template_name = "tasks/settings_remove.html"

    def get_context_data(self, **kwargs):
        row = subscription_rows([self.subscription])[0]
        return TemplateView.get_context_data(self, what=f"the subscription “{row['name']}”", **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            subscriptions.subscription_delete(subscription=self.subscription, by=request.user)
        except NotFound as error:
            raise Http404(error.message) from error
        messages.success(request, "Subscription removed.")
        return HttpResponseRedirect(_settings_url())


class ChannelNewView(SettingsMixin, TemplateView):
    template_name = "tasks/settings_channel.html"

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(form=form or ChannelForm(), team=self.owner_team(), **kwargs)

    def post(self, request, *args, **kwargs):
        team = self.owner_team()
        form = ChannelForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                channel = subscriptions.channel_create(
                    by=request.user,
                    user=None if team else request.user,
                    team=team,
                    kind=data["kind"],
                    name=data["name"],
                    email=data["email"] if data["kind"] == ChannelKind.EMAIL else "",
                    url=data["url"] if data["kind"] == ChannelKind.WEBHOOK else "",
                )
            except DomainError as error:
                _error_on(form, error)
            else:
                if channel.kind == ChannelKind.WEBHOOK:
                    return secret_page(request, channel, added=True)
                messages.success(request, f"Channel added: {channel_label(channel)}.")
                return HttpResponseRedirect(_settings_url())
        return self.render_to_response(self.get_context_data(form=form))


def secret_page(request, channel: Channel, *, added: bool):
    """The webhook's signing secret, shown once, in the answer to the POST that made it (never kept in the session)."""
    from django.shortcuts import render

    return render(
        request,
        "tasks/settings_secret.html",
        {"channel": channel, "label": channel_label(channel), "added": added},
    )


class ChannelActionView(SettingsMixin, TemplateView):
    """POST: send a test, rotate a webhook's secret, or remove the channel."""

    http_method_names = ["post"]
    actions = ("test", "rotate", "remove")

    def post(self, request, *args, **kwargs):
        action = self.kwargs["action"]
        channel = channels_managed_by(request.user).filter(pk=self.kwargs["pk"]).first()
        if channel is None or action not in self.actions:
            raise Http404("No such channel of yours.")
        try:
            if action == "test":
                sending.channel_test_send(channel=channel, by=request.user)
                messages.success(request, f"Test sent to {channel_label(channel)}. It shows below as it goes.")
            elif action == "rotate":
                channel = subscriptions.channel_update(channel=channel, by=request.user, rotate_secret=True)
                return secret_page(request, channel, added=False)
            else:
                subscriptions.channel_delete(channel=channel, by=request.user)
                messages.success(request, f"Channel removed: {channel_label(channel)}.")
        except NotFound as error:
            raise Http404(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(_settings_url())
