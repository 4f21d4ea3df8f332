from django import forms
from django.contrib import admin

from observatorio.audit.admin import ReadOnlyAdmin

from .measures import problems
from .models import (
    AddressPoint,
    AggregateCount,
    Category,
    CategoryLabel,
    CountRevision,
    DataVersion,
    Event,
    EventRevision,
    ImportBatch,
    KeyFingerprint,
    Measure,
    Place,
    PopulationProjection,
    Source,
    SourceKind,
    SourceMapping,
    SurveyResponse,
)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "owner_unit")
    list_filter = ("kind",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "family", "iccs", "dmcs", "is_crime")
    list_filter = ("family", "dmcs", "is_crime")
    search_fields = ("code", "name")


@admin.register(CategoryLabel)
class CategoryLabelAdmin(admin.ModelAdmin):
    list_display = ("source", "label", "category", "version")
    list_filter = ("source", "version")
    search_fields = ("label",)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("source", "file_name", "created_at", "rows_read", "rows_imported", "rows_duplicate",
                    "rows_rejected")
    list_filter = ("source",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("occurred_on", "occurred_time", "source", "category", "area", "precision", "outside")
    list_filter = ("source", "precision", "outside", "category__family")
    date_hierarchy = "occurred_on"
    raw_id_fields = ("batch", "area")
    list_select_related = ("source", "category", "area")
    show_full_result_count = False


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "prioritized")
    list_filter = ("kind", "prioritized")
    search_fields = ("name",)


@admin.register(AggregateCount)
class AggregateCountAdmin(admin.ModelAdmin):
    list_display = ("source", "area_code", "period_start", "original_label", "count")
    list_filter = ("source",)
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "answered_on", "area", "weight", "feels_unsafe", "victimized")
    list_filter = ("survey", "feels_unsafe")


@admin.register(DataVersion)
class DataVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version")
    readonly_fields = ("name", "version")


@admin.register(SourceMapping)
class SourceMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "version", "created_at", "created_by")
    list_filter = ("source",)


@admin.register(EventRevision)
class EventRevisionAdmin(admin.ModelAdmin):
    list_display = ("event", "batch", "created_at")
    raw_id_fields = ("event", "batch")


@admin.register(CountRevision)
class CountRevisionAdmin(admin.ModelAdmin):
    list_display = ("count", "batch", "previous_count")
    raw_id_fields = ("count", "batch")


@admin.register(AddressPoint)
class AddressPointAdmin(admin.ModelAdmin):
    list_display = ("street", "number", "area", "lon", "lat")
    search_fields = ("street", "street_normalised")
    raw_id_fields = ("area",)


@admin.register(PopulationProjection)
class PopulationProjectionAdmin(admin.ModelAdmin):
    list_display = ("area_code", "name", "year", "population")
    list_filter = ("year",)
    search_fields = ("area_code", "name")


class MeasureForm(forms.ModelForm):
    """A measure whose sources and rule cannot count honestly is not saved (records.measures.problems)."""

    class Meta:
        model = Measure
        fields = "__all__"

    def clean(self):
        data = super().clean()
        sources = list(data.get("sources") or [])
        found = problems(data.get("kind") or "", data.get("combine") or "", sources, data.get("primary_source"),
                         data.get("link_attribute") or "")
        reference = data.get("reference_source")
        if reference is not None and reference.kind != SourceKind.CEAD:
            found.append("las cifras oficiales de referencia son una fuente de conteos agregados (CEAD)")
        if found:
            raise forms.ValidationError([forms.ValidationError(p) for p in found])
        return data


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = MeasureForm
    list_display = ("code", "name", "unit", "kind", "combine", "primary_source", "reference_source", "sensitive",
                    "position")
    list_filter = ("kind", "combine", "sensitive", "sources")
    search_fields = ("code", "name", "definition")
    filter_horizontal = ("sources", "categories")
    list_select_related = ("primary_source", "reference_source")
    fieldsets = (
        (None, {"fields": ("code", "name", "unit", "kind", "position", "sensitive", "definition")}),
        ("Qué cuenta", {"fields": ("sources", "categories")}),
        ("Cómo se combinan las fuentes", {"fields": ("combine", "primary_source", "link_attribute", "link_metres",
                                                     "link_hours")}),
        ("Referencia oficial", {"fields": ("reference_source",)}),
    )


@admin.register(KeyFingerprint)
class KeyFingerprintAdmin(ReadOnlyAdmin):
    """Read-only: the fingerprint is written at the key's first use and only compared after that."""

    list_display = ("name", "fingerprint", "created_at")
