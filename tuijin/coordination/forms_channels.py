"""The channel settings page's form: whose channel (me, or a unit the office manages), the kind, the address and
the DingTalk signing secret. It only parses input: whether the channel could work is `channels.config.channel_add`'s
call (the same as `tuijin channels add`), whose errors come back onto these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.accounts.choices import OrganizationKind

from .choices import ChannelKind

ME = "me"


class ChannelForm(forms.Form):
    owner = forms.ChoiceField(label=_("For"), widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ChannelKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
        help_text=_(
            "Email: the address (blank on your own channel: your account's email). Robots: the webhook URL "
            "(企业微信 …/cgi-bin/webhook/send?key=…, 钉钉 …/robot/send?access_token=…)."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
        help_text=_("Only for a DingTalk robot set to 加签 (SEC…)."),
    )

    def __init__(self, *args, user, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        groups: dict[str, list] = {}
        for u in units:
            groups.setdefault(OrganizationKind(u.kind).label, []).append((f"unit:{u.pk}", u.name))
        self.fields["owner"].choices = [(ME, _("Me (%(name)s)") % {"name": user.get_full_name() or user.username})]
        self.fields["owner"].choices += [(label, choices) for label, choices in groups.items()]

    def owner_of(self) -> tuple:
        """(organization, user) of the chosen owner; call after is_valid()."""
        value = self.cleaned_data["owner"]
        if value == ME:
            return None, True
        return self.units[value.split(":", 1)[1]], False

    def mark_invalid(self) -> None:
        """Tabler's red outline on the fields with an error."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
