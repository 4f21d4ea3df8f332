"""The password rule Django's validators leave out: a password of blanks only is no password."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotOnlySpacesValidator:
    """Refuses a password made only of spaces (or other blanks), whatever its length."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError(_("La contraseña no puede estar formada solo por espacios."),
                                  code="password_only_spaces")

    def get_help_text(self):
        return _("La contraseña no puede estar formada solo por espacios.")
