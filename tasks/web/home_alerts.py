"""The alerts on a home's page (the slot "contracts.home_alerts" of contracts' home page, filled through
core.slots): how many unresolved alerts there are about the home, how many are the signed-in person's, and the
newest few, each linking to its page; then a link to all of them in the inbox (the portal's, for a provider user).
The home was already scoped to the person (another provider's home is a 404 before this runs)."""

from django.urls import reverse
from django.utils.http import urlencode

from tasks.capabilities import WORK_ALERTS
from tasks.selectors import alerts_about_home
from tasks.web.views import SEVERITY_COLOURS

NEWEST = 5


def home_alerts(*, request, home, **subject) -> dict:
    user = request.user
    found = alerts_about_home(user=user, location_id=home.pk, newest=NEWEST)
    staff = WORK_ALERTS.allows(user)
    if staff:
        every = f"{reverse('tasks-web:inbox')}?{urlencode({'provider': home.provider_id})}"
    else:
        every = reverse("tasks-portal:alerts")
    return {
        "alerts": found,
        "newest": [
            {"alert": alert, "severity_colour": SEVERITY_COLOURS.get(alert.severity, "grey")} for alert in found.newest
        ],
        "more": found.unresolved > len(found.newest),
        "staff": staff,
        "every": every,
    }
