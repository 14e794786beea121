"""The admin login form, with the username's length checked before anything is recorded.

Django's ``AuthenticationForm`` only sets the username's ``max_length`` for
the widget, without a validator, so an over-long username reaches
``authenticate()``. Its failure is then recorded by django-axes in a
``varchar(255)`` column, which PostgreSQL refuses: a 500 instead of the login
form. No account can have a longer username than the user model allows, so
such a form is simply invalid.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class AdminLoginForm(AdminAuthenticationForm):
    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
