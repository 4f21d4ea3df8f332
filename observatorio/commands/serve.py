def register(sub):
    p = sub.add_parser("serve", help="serve the web app", description="Serve the web application.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(handler=handle)


def handle(args):
    from django.core.management import call_command

    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port} is not a TCP port; use 1–65535")
    print(f"Observatorio en http://{args.host}:{args.port}/ (Ctrl+C para detener)", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
