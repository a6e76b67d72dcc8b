import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import auth


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the lock-out rule: a locked name is refused before the password is checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username", "placeholder": self.fields["username"].label}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password", "placeholder": self.fields["password"].label}
        )

    def _locked_error(self, until) -> forms.ValidationError:
        local = timezone.localtime(until)
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        return forms.ValidationError(
            _("Too many failed sign-ins: this account is locked. Try again after %(time)s (in %(minutes)s minutes).")
            % {"time": local.strftime("%H:%M"), "minutes": minutes},
            code="locked",
        )

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        until = auth.locked_until(username) if username else None
        if until:
            raise self._locked_error(until)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if not username:
                raise
            row = auth.record_failure(username)
            if row.locked_until:
                raise self._locked_error(row.locked_until) from None
            left = auth.attempts_left(row)
            raise forms.ValidationError(
                _("Wrong user name or password. %(n)s attempts left before the account is locked.") % {"n": left},
                code="invalid_login",
            ) from None
        auth.clear_failures(username)
        return cleaned


class TokenForm(forms.Form):
    EXPIRY_CHOICES = [
        ("30", gettext_lazy("30 days")),
        ("90", gettext_lazy("90 days")),
        ("365", gettext_lazy("1 year")),
        ("", gettext_lazy("Never")),
    ]

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. 市平台数据对接."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"),
        choices=EXPIRY_CHOICES,
        initial="90",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
