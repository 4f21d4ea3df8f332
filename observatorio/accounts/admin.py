from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from observatorio.audit.models import Action
from observatorio.audit.record import record

from .models import OperatorScope, RolePolicy
from .sessions import end_sessions


@admin.register(OperatorScope)
class OperatorScopeAdmin(admin.ModelAdmin):
    list_display = ("user",)
    filter_horizontal = ("sources",)


@admin.register(RolePolicy)
class RolePolicyAdmin(admin.ModelAdmin):
    list_display = ("role", "second_factor")
    list_editable = ("second_factor",)


@admin.action(description="Cerrar todas las sesiones de los usuarios seleccionados")
def end_all_sessions(modeladmin, request, queryset):
    total = 0
    for user in queryset:
        ended = end_sessions(user)
        total += ended
        record(Action.SESSIONS_ENDED, request=request, target=user.get_username(), detail={"sesiones": ended})
    modeladmin.message_user(request, f"Sesiones cerradas: {total}.", messages.SUCCESS)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ObservatoryUserAdmin(UserAdmin):
    actions = [end_all_sessions]
