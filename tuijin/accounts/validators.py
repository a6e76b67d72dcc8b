import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A password must mix letters, digits and a symbol (等保 password rules)."""

    def validate(self, password, user=None):
        classes = [r"[A-Za-z]", r"[0-9]", r"[^A-Za-z0-9]"]
        if not all(re.search(c, password) for c in classes):
            raise ValidationError(_("The password must contain letters, digits and a symbol."), code="password_classes")

    def get_help_text(self):
        return _("Your password must contain letters, digits and a symbol.")
