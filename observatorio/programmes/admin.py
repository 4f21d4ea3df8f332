"""The programmes and indicators in Django's admin: the administrator's full view (units, their heads and members
are set here). Measurements are entered and approved on the indicator pages, where the unit's rules apply; here an
administrator may correct one, and the change is kept in its history."""

from django.contrib import admin

from .models import (
    Activity,
    Alert,
    Beneficiary,
    Goal,
    Indicator,
    Measurement,
    MeasurementRevision,
    Objective,
    Programme,
    Subscription,
    Target,
    Unit,
)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    filter_horizontal = ("head", "members")
    search_fields = ("name", "code")


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 0
    fk_name = "programme"


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "kind", "start", "end")
    list_filter = ("unit", "kind")
    search_fields = ("name", "code")
    filter_horizontal = ("target_areas",)
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("__str__", "programme", "level")
    list_filter = ("programme", "level")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "date", "area", "participants")
    list_filter = ("programme",)
    date_hierarchy = "date"


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ("programme", "first_served", "area")
    list_filter = ("programme",)
    readonly_fields = ("person_key",)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "dimension", "scope", "periodicity", "active")
    list_filter = ("unit", "dimension", "scope", "periodicity", "active")
    search_fields = ("code", "name")
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "period_start", "period_end", "area", "value")
    list_filter = ("indicator",)


class RevisionInline(admin.TabularInline):
    model = MeasurementRevision
    extra = 0
    can_delete = False
    readonly_fields = ("action", "numerator", "denominator", "approval", "note", "user", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("indicator", "period_start", "area", "numerator", "denominator", "origin", "approval")
    list_filter = ("indicator__unit", "origin", "approval")
    readonly_fields = ("entered_by", "entered_at", "approved_by", "approved_at", "data_version")
    inlines = [RevisionInline]


@admin.register(MeasurementRevision)
class MeasurementRevisionAdmin(admin.ModelAdmin):
    list_display = ("measurement", "action", "approval", "user", "at")
    readonly_fields = ("measurement", "action", "numerator", "denominator", "approval", "note", "user", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("year", "code", "title", "unit")
    list_filter = ("year", "unit")
    filter_horizontal = ("indicators",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "indicator", "measure", "area", "by_email")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("subscription", "created", "read_at", "emailed_at")
    readonly_fields = ("subscription", "key", "text", "created", "read_at", "emailed_at")
