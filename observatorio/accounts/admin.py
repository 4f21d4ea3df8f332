from django.contrib import admin

from .models import OperatorScope


@admin.register(OperatorScope)
class OperatorScopeAdmin(admin.ModelAdmin):
    list_display = ("user",)
    filter_horizontal = ("sources",)
