def register(sub):
    p = sub.add_parser("migrate", help="create or update the database schema",
                       description="Apply database migrations and seed the category tree and role groups.")
    p.set_defaults(handler=handle)


def handle(args):
    from django.core.management import call_command

    from observatorio.accounts.setup import ensure_role_groups
    from observatorio.records.taxonomy import seed_taxonomy

    call_command("migrate", interactive=False, verbosity=0)
    ensure_role_groups()
    n = seed_taxonomy()
    print(f"database ready: schema migrated, role groups present, {n} categories in the tree")
