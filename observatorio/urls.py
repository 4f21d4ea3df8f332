from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Observatorio de Seguridad Humana"
admin.site.site_title = "Observatorio"
admin.site.index_title = "Administración"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("cuenta/", include("observatorio.accounts.urls")),
    path("auditoria/", include("observatorio.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cargas/", include("observatorio.records.web.urls")),
    path("", include("observatorio.programmes.urls")),
    path("informes/", include("observatorio.reports.web.urls")),
    path("", include("observatorio.dashboard.urls")),
]

handler403 = "observatorio.dashboard.views.permission_denied"
handler404 = "observatorio.dashboard.views.page_not_found"
handler500 = "observatorio.faults.server_error"
