import getpass
import os


def register(sub):
    p = sub.add_parser("createuser", help="create a user with a role",
                       description="Create a user. The password is read from OBS_PASSWORD or asked for.")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["admin", "analyst", "operator", "authority"])
    p.add_argument("--email", default="")
    p.add_argument("--source", action="append", default=[], metavar="CODE",
                   help="for operators: a source code they may load (repeatable)")
    p.set_defaults(handler=handle)


def handle(args):
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.records.models import Source

    password = os.environ.get("OBS_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        raise ValueError("the password must have at least 8 characters")
    sources = []
    for code in args.source:
        source = Source.objects.filter(code=code).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("code", flat=True)) or "none yet"
            raise ValueError(f"unknown source {code!r}; known sources: {known}")
        sources.append(source)
    user = create_user(args.username, password, Role(args.role), args.email, sources)
    print(f"created user {user.username} with role {args.role}")
