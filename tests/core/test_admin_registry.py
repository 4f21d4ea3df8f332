"""Django admin covers every model of the observatory's apps, with Spanish names."""

import pytest
from django.apps import apps
from django.contrib import admin

OUR_APPS = ("accounts", "territory", "records", "programmes")


def _models():
    return [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_model_is_in_the_admin(model):
    assert admin.site.is_registered(model), f"{model._meta.label} has no admin"


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_model_has_a_spanish_name(model):
    # Django's default verbose name is the class name split into lower-case words.
    default = "".join(" " + c.lower() if c.isupper() else c for c in model.__name__).strip()
    assert model._meta.verbose_name != default, f"{model._meta.label} needs a Spanish verbose_name"
    assert model._meta.verbose_name_plural != default + "s"
