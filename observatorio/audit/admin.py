from django.contrib import admin

from .models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin page that shows rows and never adds, changes or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: entries are searched, never added, changed or deleted here."""

    list_display = ("at", "username", "address", "action", "target")
    list_filter = ("action",)
    search_fields = ("username", "target", "address")
    date_hierarchy = "at"
