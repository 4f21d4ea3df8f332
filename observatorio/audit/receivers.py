"""What the audit trail hears without any view calling it: sign-ins (Django's and django-axes' signals), and
changes to users, roles and the configuration (model signals), whoever makes them — the admin, the command
line, the import's mapping step. Connected in :meth:`observatorio.audit.apps.AuditConfig.ready`.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .context import current_request
from .models import Action
from .record import is_seeding, record

# The user's fields whose change is worth an entry (never their values: a password is only "changed").
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser", "password")


def _record(action, target, detail=None):
    if is_seeding():  # the software's own starting configuration (audit.record.seeding)
        return
    record(action, request=current_request(), target=target, detail=detail)


# --- sign-in ---------------------------------------------------------------------------------------------------

def signed_in(sender, request, user, **kwargs):
    from observatorio.accounts import lifetime, second_factor

    lifetime.stamp(request)
    detail = {"segundo_factor": "pendiente"} if second_factor.required_for(user) else {}
    record(Action.SIGN_IN, request=request, user=user, target=user.get_username(), detail=detail)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    record(Action.SIGN_IN_FAILED, request=request, user=None, target=str(credentials.get("username", "")))


def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "obs_signout_reason", "salida")
    record(Action.SIGN_OUT, request=request, user=user, target=user.get_username(), detail={"motivo": reason})


def locked_out(sender, request, username, ip_address, **kwargs):
    record(Action.LOCKED_OUT, request=request, user=None, target=str(username or ""), address=ip_address)


# --- users and roles -------------------------------------------------------------------------------------------

def user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    instance._obs_before = sender.objects.filter(pk=instance.pk).values(*USER_FIELDS).first()


def user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        _record(Action.USER, instance.get_username(), {"cambio": "creado"})
        return
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in's timestamp, or a password hash upgraded at sign-in: nobody changed anything
    before = getattr(instance, "_obs_before", None) or {}
    changed = [f for f in USER_FIELDS if f in before and before[f] != getattr(instance, f)]
    if changed == ["password"]:
        _record(Action.PASSWORD_CHANGED, instance.get_username())
    elif changed:
        _record(Action.USER, instance.get_username(), {"cambio": "modificado", "campos": changed})


def user_deleted(sender, instance, **kwargs):
    _record(Action.USER, instance.get_username(), {"cambio": "eliminado"})


def groups_changed(sender, instance, action, pk_set, reverse=False, **kwargs):
    """A user's roles (groups) changed, from either side: ``user.groups.add(g)`` or ``group.user_set.add(u)``."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    change = {"post_add": "rol añadido", "post_remove": "rol quitado", "pre_clear": "roles quitados"}[action]
    if reverse:  # instance is the group
        users = (instance.user_set.all() if action == "pre_clear"
                 else get_user_model().objects.filter(pk__in=pk_set or ()))
        for username in users.values_list("username", flat=True):
            _record(Action.USER, username, {"cambio": change, "roles": [instance.name]})
        return
    groups = instance.groups.all() if action == "pre_clear" else Group.objects.filter(pk__in=pk_set or ())
    names = sorted(groups.values_list("name", flat=True))
    if names:
        _record(Action.USER, instance.get_username(), {"cambio": change, "roles": names})


def group_changed(sender, instance, created=None, **kwargs):
    _record(Action.USER, f"grupo {instance.name}", {"cambio": "creado" if created else
                                                    ("modificado" if created is False else "eliminado")})


def scope_changed(sender, instance, created=None, **kwargs):
    _record(Action.USER, str(instance), {"cambio": "ámbito de operador " + (
        "creado" if created else ("modificado" if created is False else "eliminado"))})


def scope_sources_changed(sender, instance, action, pk_set, reverse=False, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    from observatorio.records.models import Source

    codes = sorted(Source.objects.filter(pk__in=pk_set or ()).values_list("code", flat=True))
    _record(Action.USER, str(instance), {"cambio": {"post_add": "fuentes añadidas", "post_remove": "fuentes quitadas",
                                                     "post_clear": "fuentes quitadas"}[action], "fuentes": codes})


def device_deleted(sender, instance, **kwargs):
    """An administrator removed a user's authenticator (so that they set up a new one)."""
    username = get_user_model().objects.filter(pk=instance.user_id).values_list("username", flat=True).first()
    _record(Action.USER, username or "", {"segundo_factor": "eliminado"})


# --- configuration ---------------------------------------------------------------------------------------------

def config_saved(sender, instance, created=None, raw=False, **kwargs):
    if raw:
        return
    change = "creado" if created else ("modificado" if created is False else "eliminado")
    _record(Action.CONFIG, f"{sender._meta.verbose_name}: {instance}"[:300],
            {"cambio": change, "modelo": sender._meta.label_lower, "id": instance.pk})


def connect() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from observatorio.accounts.models import OperatorScope, RolePolicy
    from observatorio.records.models import CategoryLabel, Measure, SourceMapping

    user_logged_in.connect(signed_in, dispatch_uid="audit-signed-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="audit-signed-out")
    user_locked_out.connect(locked_out, dispatch_uid="audit-locked-out")

    User = get_user_model()
    pre_save.connect(user_before, sender=User, dispatch_uid="audit-user-before")
    post_save.connect(user_saved, sender=User, dispatch_uid="audit-user-saved")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="audit-user-deleted")
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="audit-user-groups")
    post_save.connect(group_changed, sender=Group, dispatch_uid="audit-group-saved")
    post_delete.connect(group_changed, sender=Group, dispatch_uid="audit-group-deleted")
    post_save.connect(scope_changed, sender=OperatorScope, dispatch_uid="audit-scope-saved")
    post_delete.connect(scope_changed, sender=OperatorScope, dispatch_uid="audit-scope-deleted")
    m2m_changed.connect(scope_sources_changed, sender=OperatorScope.sources.through, dispatch_uid="audit-scope-src")
    post_delete.connect(device_deleted, sender=TOTPDevice, dispatch_uid="audit-totp-deleted")
    for model in (Measure, SourceMapping, CategoryLabel, RolePolicy):
        post_save.connect(config_saved, sender=model, dispatch_uid=f"audit-config-saved-{model.__name__}")
        post_delete.connect(config_saved, sender=model, dispatch_uid=f"audit-config-deleted-{model.__name__}")
