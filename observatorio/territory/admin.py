from django.contrib import admin

from .models import Area, Boundary, Demography, ReferenceLayer


class BoundaryInline(admin.TabularInline):
    model = Boundary
    extra = 0
    fields = ("valid_from", "valid_to", "area_km2", "source")
    readonly_fields = ("area_km2",)


class DemographyInline(admin.TabularInline):
    model = Demography
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "illustrative")
    list_filter = ("level", "illustrative")
    search_fields = ("code", "name")
    inlines = [BoundaryInline, DemographyInline]


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ("area", "valid_from", "valid_to", "area_km2")
    list_filter = ("area__level",)
    exclude = ("geometry",)
    readonly_fields = ("min_lon", "min_lat", "max_lon", "max_lat", "area_km2")


@admin.register(Demography)
class DemographyAdmin(admin.ModelAdmin):
    list_display = ("area", "year", "population", "households", "women", "poverty_pct")
    list_filter = ("year", "area__level")


@admin.register(ReferenceLayer)
class ReferenceLayerAdmin(admin.ModelAdmin):
    """Seen and removed here; imported (and replaced) only by `observatorio territory reference`, which checks the
    file and keeps the version."""

    list_display = ("name", "kind", "features", "version", "imported_at", "source")
    list_filter = ("kind",)
    exclude = ("geojson",)
    readonly_fields = ("name", "kind", "name_field", "source", "features", "version", "imported_at")

    def has_add_permission(self, request):
        return False
