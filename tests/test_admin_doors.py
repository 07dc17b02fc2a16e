"""Every admin writes through the services or writes nothing. For each registered ModelAdmin, whatever a
superuser may do there (add, change, delete) must go through a service: a form that saves through one
(core.admin.ServiceForm, with the admin's save_model left to it) or the project's own save_model and
save_related; the project's own delete_model and delete_queryset. Otherwise the admin must refuse it.

The admins of other packages' models (Django's groups, Celery's schedules and results, the sign-in
lockouts) are theirs: THEIRS names each and why."""

import ast
import inspect
import textwrap

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

from accounts.models import User
from core.admin import ServiceForm

APPS = {"accounts", "geo", "providers", "quality", "contracts", "market", "tasks"}
PROJECT = (*APPS, "config", "core")

THEIRS = {
    "auth.Group": "Django's groups; the role groups' permissions are remade by accounts.services.roles_sync",
    "django_celery_results.TaskResult": "Celery's results, tidied by administrators",
    "django_celery_results.GroupResult": "Celery's results, tidied by administrators",
    "django_celery_beat.PeriodicTask": "the schedules administrators change (DESIGN.md: schedules in the database)",
    "django_celery_beat.ClockedSchedule": "the schedules administrators change",
    "django_celery_beat.CrontabSchedule": "the schedules administrators change",
    "django_celery_beat.SolarSchedule": "the schedules administrators change",
    "django_celery_beat.IntervalSchedule": "the schedules administrators change",
    "axes.AccessAttempt": "django-axes' lockouts: deleting one lifts it",
    "axes.AccessLog": "django-axes' sign-in log",
    "axes.AccessFailureLog": "django-axes' sign-in log",
}


SAVES = "saves directly (use a ServiceForm, or save_model and save_related calling services)"
DELETES = "deletes directly (refuse delete, or delete_model and delete_queryset calling services)"

# Admins that still write directly, to be moved onto services; an entry put right fails the test until it is
# taken off, so the list only shrinks.
NOT_YET: dict[str, list[str]] = {}


def _own(model_admin: ModelAdmin, name: str):
    """The project's own definition of a ModelAdmin method, or None when Django's (or a library's) is used."""
    for klass in type(model_admin).__mro__:
        if name in vars(klass):
            return vars(klass)[name] if klass.__module__.split(".")[0] in PROJECT else None
    return None


def _calls_super(function) -> bool:
    """Whether the method hands the write back to Django (super().save_model(...) and the like)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == function.__name__
        and isinstance(node.func.value, ast.Call)
        and getattr(node.func.value.func, "id", None) == "super"
        for node in ast.walk(tree)
    )


def _through_services(model_admin: ModelAdmin, name: str) -> bool:
    function = _own(model_admin, name)
    return function is not None and not _calls_super(function)


def direct_writes(model_admin: ModelAdmin, request) -> list[str]:
    """What a superuser may do in this admin that does not go through a service."""
    problems = []
    may_add = model_admin.has_add_permission(request)
    may_change = model_admin.has_change_permission(request)
    if may_add or may_change:
        forms = []
        if may_add:
            forms.append(model_admin.get_form(request, None))
        if may_change:
            forms.append(model_admin.get_form(request, model_admin.model(), change=True))
        by_form = all(issubclass(form, ServiceForm) for form in forms) and _own(model_admin, "save_model")
        by_admin = _through_services(model_admin, "save_model") and _through_services(model_admin, "save_related")
        if not (by_form or by_admin):
            problems.append(SAVES)
        post = RequestFactory().post("/")
        post.user = request.user
        for inline in model_admin.get_inline_instances(post, None):
            if (
                inline.has_add_permission(post, None)
                or inline.has_change_permission(post, None)
                or inline.has_delete_permission(post, None)
            ):
                problems.append(f"its inline {type(inline).__name__} saves directly")
    if model_admin.has_delete_permission(request) and not (
        _through_services(model_admin, "delete_model") and _through_services(model_admin, "delete_queryset")
    ):
        problems.append(DELETES)
    return problems


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser(username="root", email="root@example.org", password="x")
    return request


def test_every_admin_writes_through_the_services_or_not_at_all(superuser_request):
    found = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.label in THEIRS:
            assert model._meta.app_label not in APPS
            continue
        problems = direct_writes(model_admin, superuser_request)
        if problems != NOT_YET.get(model._meta.label, []):
            found[model._meta.label] = problems
    assert not found, "\n".join(f"{label}: {'; '.join(problems) or 'put right'}" for label, problems in found.items())


def test_every_other_package_admin_named_is_still_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert set(THEIRS) <= registered


# --- the check itself, on admins made for the purpose ------------------------------------------------------


def test_a_plain_admin_is_found_to_save_and_delete_directly(superuser_request):
    from contracts.models import Hold

    class Plain(admin.ModelAdmin):
        pass

    assert direct_writes(Plain(Hold, admin.site), superuser_request) == [SAVES, DELETES]


def test_an_admin_that_hands_the_save_back_to_django_saves_directly(superuser_request):
    from contracts.models import Hold

    class HandsBack(admin.ModelAdmin):
        def save_model(self, request, obj, form, change):
            obj.reference = obj.reference.upper()
            super().save_model(request, obj, form, change)

        def save_related(self, request, form, formsets, change):
            pass

        def has_delete_permission(self, request, obj=None):
            return False

    assert direct_writes(HandsBack(Hold, admin.site), superuser_request) == [SAVES]


# --- the harm a direct delete did ---------------------------------------------------------------------------


def test_the_admin_refuses_to_delete_a_current_rating_or_a_hold(superuser_request, client):
    from contracts.models import Hold
    from contracts.services import hold_place
    from providers.models import Rating
    from tests.contracts.factories import make_line
    from tests.factories import LocationFactory, RatingFactory

    rating = RatingFactory(location=LocationFactory(), overall="Inadequate")
    line = make_line(beds=2)
    hold = hold_place(bed_line=line, reference="BRK-2026-0078", start_date=line.activation_date)
    client.force_login(superuser_request.user)
    for row in (rating, hold):
        url = f"/admin/{row._meta.app_label}/{row._meta.model_name}/{row.pk}/delete/"
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert Rating.objects.filter(pk=rating.pk, overall="Inadequate").exists()
    assert Hold.objects.filter(pk=hold.pk, status=hold.status).exists()
