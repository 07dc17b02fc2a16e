"""The admin saves through each app's services, as the API does: the form parses, the service checks and
writes, and the service's own error is shown on the field it names. There is no second copy of a check in
any admin. Every app's admin builds on what is here."""

from django import forms
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from core.errors import DomainError


class ServiceForm(forms.ModelForm):
    """A model form that saves by calling a service. Django parses the input (a date is a date, a choice one
    of its choices); once it has, `write` calls the service, whose DomainError lands on the form like any
    other error. The write is made while the form is validated, not in save(), because only then can the
    service's refusal still be shown on the form; the admin runs the request in one transaction, and save()
    hands back the row the service wrote."""

    user = None  # the signed-in administrator, set per request by ServiceAdmin.get_form
    written = None

    def write(self, data: dict):
        raise NotImplementedError

    def validate_unique(self):
        """Uniqueness is the service's answer (a Conflict naming the field), as in the API."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        if self.instance.pk is None:
            data = {name: self.cleaned_data[name] for name in self.fields}
        else:  # an update passes only what was changed, as a PATCH does
            data = {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}
        try:
            with transaction.atomic():
                self.written = self.write(data)
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)

    def save(self, commit=True):
        self.save_m2m = lambda: None
        return self.written


class ServiceAdmin(SimpleHistoryAdmin):
    """An admin whose forms save through a service (see ServiceForm)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        """The form's service wrote the row already (with request.user as the history's author)."""

    def get_inline_instances(self, request, obj=None):
        # The inlines are shown for reference only (ReadOnlyInline) and nothing in them is saved. Leaving them
        # out of a POST means a form whose service has written cannot then be turned down for an inline's sake.
        if request.method == "POST":
            return []
        return super().get_inline_instances(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """Shown for reference only: rows are added and changed on their own screens, which save through the
    services (a bare inline form would skip the capacity and date checks)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the service writes itself (the engine, a task, an action's history): read here, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class NoDeleteAdmin(ServiceAdmin):
    """A service admin for rows that are kept as the record (ended or superseded, never deleted)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
