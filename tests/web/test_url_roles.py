"""Every view in the URL configuration declares who may use it."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.i18n import set_language

from observatorio.accounts.roles import Role, allow

# Views that cannot carry `allowed_roles`, each with the reason it is safe.
EXEMPT_VIEWS = {
    set_language: "Django's language switch only sets a cookie and must work for anonymous visitors",
}
# The admin site checks is_staff and model permissions itself (AdminSite.admin_view).
EXEMPT_NAMESPACES = {admin.site.name: "the admin site guards its own views with is_staff and model permissions"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXEMPT_NAMESPACES:
                yield prefix + str(entry.pattern), "namespace-exempt", entry.namespace
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), "view", entry.callback


def _entries():
    return list(_walk(get_resolver().url_patterns))


def _undeclared(patterns):
    return [
        f"/{route} → {view.__module__}.{view.__qualname__}"
        for route, kind, view in _walk(patterns)
        if kind == "view" and view not in EXEMPT_VIEWS and not hasattr(view, "allowed_roles")
    ]


def test_every_view_declares_allowed_roles():
    undeclared = _undeclared(get_resolver().url_patterns)
    assert not undeclared, "views without allow(...) or public: " + ", ".join(undeclared)


def test_the_walk_catches_an_undeclared_view_inside_an_include():
    from django.urls import include, path

    def forgotten(request):
        raise AssertionError("never called")

    patterns = [path("a/", include([path("b/", forgotten)])), path("", allow(Role.ANALYST)(forgotten))]
    assert _undeclared(patterns) == [f"/a/b/ → {__name__}.{forgotten.__qualname__}"]


def test_declared_roles_are_known_roles():
    for route, kind, view in _entries():
        if kind == "view" and view not in EXEMPT_VIEWS:
            declared = view.allowed_roles
            assert declared == "public" or (declared and all(isinstance(r, Role) for r in declared)), route


def test_exemptions_are_still_in_use():
    # A stale exemption would silently excuse a future view that happens to reuse it.
    views = {view for _, kind, view in _entries() if kind == "view"}
    namespaces = {ns for _, kind, ns in _entries() if kind == "namespace-exempt"}
    assert set(EXEMPT_VIEWS) <= views
    assert set(EXEMPT_NAMESPACES) <= namespaces


def test_the_walk_sees_the_project_views():
    routes = {route for route, kind, _ in _entries() if kind == "view"}
    assert {"", "cuenta/ingresar/", "cuenta/salir/", "i18n/setlang/"} <= routes


def test_error_handlers_are_public():
    from django.utils.module_loading import import_string

    from observatorio import urls

    for handler in (urls.handler403, urls.handler404):
        assert import_string(handler).allowed_roles == "public"
