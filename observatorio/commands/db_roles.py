import os

from .i18n import _


def register(sub):
    p = sub.add_parser("db-roles", help=_("da al rol de la aplicación sus permisos en PostgreSQL"),
                       description=_("Con PostgreSQL: concede al rol con que se conecta el servidor lo que necesita "
                                     "en cada tabla, y en el registro de auditoría solo leer y agregar (nunca "
                                     "modificar ni borrar). Se ejecuta como dueño de las tablas."))
    p.add_argument("role", nargs="?", metavar=_("ROL"),
                   help=_("rol de PostgreSQL del servidor (por omisión OBS_DATABASE_APP_ROLE)"))
    p.set_defaults(handler=handle)


def handle(args):
    from observatorio.audit.grants import grant_app_role
    from observatorio.errors import UserError

    role = args.role or os.environ.get("OBS_DATABASE_APP_ROLE", "").strip()
    if not role:
        raise UserError(_("indique el rol (observatorio db-roles obs_app) o defina OBS_DATABASE_APP_ROLE"))
    grant_app_role(role)
    print(_("permisos concedidos a %(role)s: lectura y escritura en las tablas, solo lectura y agregado en la "
            "auditoría") % {"role": role})
