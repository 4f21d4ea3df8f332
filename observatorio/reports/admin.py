from django.contrib import admin

from .models import BulletinDelivery, ReportRun, ReportSubscription


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "start", "end", "format", "language", "public", "status", "created_by", "created_at")
    list_filter = ("kind", "status", "format", "public")
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "created_at")


@admin.register(BulletinDelivery)
class BulletinDeliveryAdmin(admin.ModelAdmin):
    list_display = ("month", "user", "address", "run", "sent_at")
    readonly_fields = [f.name for f in BulletinDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
