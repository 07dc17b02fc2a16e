from django.contrib.auth.forms import AuthenticationForm

from core.forms import GovukForm


class SignInForm(GovukForm, AuthenticationForm):
    widths = {"username": "govuk-!-width-two-thirds", "password": "govuk-!-width-two-thirds"}
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct user name and password (both are case-sensitive)",
        "inactive": "This account cannot sign in: ask an administrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "User name"
        self.fields["username"].error_messages["required"] = "Enter your user name"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs["spellcheck"] = "false"
