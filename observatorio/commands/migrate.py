import os

from .i18n import _


def register(sub):
    p = sub.add_parser("migrate", help=_("crea o actualiza el esquema de la base de datos"),
                       description=_("Aplica las migraciones de la base de datos y crea el árbol de categorías y "
                                     "los grupos de roles."))
    p.set_defaults(handler=handle)


def handle(args):
    from django.core.management import call_command

    from observatorio.accounts.setup import ensure_role_groups
    from observatorio.audit.record import seeding
    from observatorio.records.taxonomy import seed_taxonomy

    with seeding():
        call_command("migrate", interactive=False, verbosity=0)
        ensure_role_groups()
        n = seed_taxonomy()
    if app_role := os.environ.get("OBS_DATABASE_APP_ROLE", "").strip():
        from observatorio.audit.grants import grant_app_role

        grant_app_role(app_role)  # new tables need their grants; the audit table stays append-only for it
        print(_("permisos del rol %(role)s al día") % {"role": app_role})
    print(_("base de datos lista: esquema migrado, grupos de roles presentes, %(n)s categorías en el árbol")
          % {"n": n})
