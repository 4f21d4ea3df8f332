import getpass
import os

from observatorio.errors import UserError

from .i18n import _


def register(sub):
    p = sub.add_parser("createuser", help=_("crea un usuario con un rol"),
                       description=_("Crea un usuario. La contraseña se lee de OBS_PASSWORD o se pregunta."))
    p.add_argument("username", metavar=_("USUARIO"))
    p.add_argument("--role", required=True, choices=["admin", "analyst", "operator", "authority"],
                   help=_("rol del usuario"))
    p.add_argument("--email", default="", help=_("correo electrónico (opcional)"))
    p.add_argument("--source", action="append", default=[], metavar=_("CÓDIGO"),
                   help=_("para operadores: código de una fuente que puede cargar (repetible)"))
    p.set_defaults(handler=handle)


def handle(args):
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.records.models import Source

    password = os.environ.get("OBS_PASSWORD") or getpass.getpass(_("Contraseña: "))
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)  # the same rules as the web (settings.AUTH_PASSWORD_VALIDATORS)
    except ValidationError as exc:
        raise UserError(_("contraseña rechazada: %(why)s") % {"why": " ".join(exc.messages)}) from None
    sources = []
    for code in args.source:
        source = Source.objects.filter(code=code).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("code", flat=True)) or _("ninguna todavía")
            raise UserError(_("no hay una fuente %(code)r; fuentes conocidas: %(known)s")
                            % {"code": code, "known": known})
        sources.append(source)
    user = create_user(args.username, password, Role(args.role), args.email, sources)
    print(_("usuario %(username)s creado con el rol %(role)s") % {"username": user.username, "role": args.role})
